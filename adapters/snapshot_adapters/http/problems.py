"""SnapshotError to RFC 9457 problem responses: one status per catalogue code, one handler.

The body carries the catalogue's words (``title`` = message, ``detail`` = meaning, plus
``code`` and ``solution``), never an error's own ``.detail`` (a database host, the
provider's text): that is for the operator's log, not for an API client.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from snapshot_core.domain import (
    InvalidInputError,
    InvalidRequestError,
    LlmApiError,
    SnapshotError,
    UploadTooLargeError,
    redact_text,
)

from .security import SECURITY_HEADERS

__all__ = [
    "DOCS_URL",
    "PROBLEM_JSON",
    "STATUS",
    "install_problem_handlers",
    "problem_body",
    "problem_response",
    "status_of",
]

log = logging.getLogger("snapshot_adapters.http")

PROBLEM_JSON = "application/problem+json"
DOCS_URL = "docs/errors.md"  # a URI reference: the catalogue page, one anchor per code

STATUS: Mapping[str, int] = {
    # Not found and not yours are one answer (ids tell nothing about others' data).
    "invalid_source": 404,
    "invalid_snapshot": 404,
    "invalid_job": 404,
    "invalid_key_id": 404,
    "invalid_api_key": 401,
    # The source is not in a state for this step.
    "source_not_bucketed": 409,
    "no_buckets": 409,
    "snapshot_in_progress": 409,
    "claim_lost": 409,
    # The data or the request cannot be used as it is.
    "insufficient_estimates": 422,
    "source_span_too_long": 422,
    "invalid_input": 422,
    "invalid_request": 422,
    "invalid_user": 422,
    "upload_too_large": 413,
    # The model provider: limits are the client's to wait out; the rest are upstream faults.
    "llm_quota_exhausted": 429,
    "llm_api_error": 502,  # 429 when the provider itself said 429 (see status_of)
    "llm_timeout": 504,
    "llm_refusal": 502,
    "llm_truncated": 502,
    "llm_content_filtered": 502,
    "output_schema_violation": 502,
    "ungrounded_output": 502,
    # The server's own configuration or storage.
    "missing_api_key": 503,
    "invalid_settings": 500,
    "file_not_written": 500,
    "snapshot_not_saved": 503,
    "database_unavailable": 503,
    "database_locked": 503,
    "database_read_only": 503,
    "database_disk_full": 507,
    "database_io_error": 503,
    "database_outdated": 503,
    "no_database": 503,
    "queue_unavailable": 503,
}

# Messages that name server-side paths or settings: their title is the status phrase.
_SERVER_SIDE_MESSAGES = frozenset({"invalid_settings", "file_not_written", "no_database"})


def status_of(error: SnapshotError) -> int:
    if isinstance(error, LlmApiError) and error.status == 429:
        return 429  # the provider's rate limit: the client should wait as told
    return STATUS.get(error.code, 500)


def problem_body(error: SnapshotError, status: int) -> dict[str, Any]:
    title = HTTPStatus(status).phrase if error.code in _SERVER_SIDE_MESSAGES else error.message
    body: dict[str, Any] = {
        "type": f"{DOCS_URL}#{error.code}",
        "title": title,
        "status": status,
        "detail": error.meaning,
        "code": error.code,
        "solution": error.solution,
    }
    if isinstance(error, InvalidInputError):
        body["errors"] = [
            {"line": p.line, "column": p.column, "problem": p.problem} for p in error.problems
        ]
        body["total"] = error.total
    elif isinstance(error, InvalidRequestError):
        body["errors"] = [{"problem": p} for p in error.problems]
    return body


def problem_response(
    body: Mapping[str, Any], status: int, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(dict(body), status_code=status, headers=headers, media_type=PROBLEM_JSON)


async def _snapshot_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, SnapshotError)
    status = status_of(error)
    detail = getattr(error, "detail", None)
    if status >= 500 or detail:
        log.warning(
            "%s %s -> %s %s%s",
            request.method,
            request.url.path,
            status,
            error.code,
            f": {redact_text(detail)}" if isinstance(detail, str) and detail else "",
        )
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, int | float) and math.isfinite(retry_after) and retry_after >= 0:
        headers["Retry-After"] = str(math.ceil(retry_after))
    return problem_response(problem_body(error, status), status, headers)


def _plain_problem(status: int, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """A problem with no catalogue code: ``about:blank``, titled by its HTTP status."""
    phrase = HTTPStatus(status).phrase
    body = {"type": "about:blank", "title": phrase, "status": status}
    return problem_response(body, status, headers)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    if error.status_code == 413:
        limit = getattr(request.app.state, "max_upload_bytes", 0)
        return await _snapshot_error(request, UploadTooLargeError(limit))
    if error.status_code in (400, 422):  # a body that could not be parsed at all
        return await _snapshot_error(request, InvalidRequestError([str(error.detail)]))
    if error.status_code == 405:
        return _plain_problem(405, {"Allow": _allowed_methods(request)})
    return _plain_problem(error.status_code, error.headers)


def _allowed_methods(request: Request) -> str:
    """Every method some route has for this path: Starlette names only the first route's."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def _location(where: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in where)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    # Each problem names its field and what is wrong; the value sent is not echoed back.
    problems = [f"{_location(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in error.errors()]
    return await _snapshot_error(request, InvalidRequestError(problems[:20]))


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.error(
        "%s %s -> 500 %s", request.method, request.url.path, type(error).__name__, exc_info=error
    )
    # Starlette answers this one outside every middleware, so it carries the headers itself.
    return _plain_problem(500, SECURITY_HEADERS)


def install_problem_handlers(app: FastAPI) -> None:
    """Every error answer of ``app`` as problem+json; the MRO lookup covers each subclass."""
    app.add_exception_handler(SnapshotError, _snapshot_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)  # Starlette's outermost 500 handler
