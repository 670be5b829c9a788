"""Routes on sources: upload a file (streamed, size-limited), list, bucket."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile

from snapshot_core.domain import (
    EstimateBuckets,
    InvalidRequestError,
    Source,
    UploadTooLargeError,
)

from .deps import OrchestratorDep, UserDep
from .responses import problems
from .schemas import SourceCreated

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["sources"])

_TEXT = 200  # longest name, format pattern, time zone or encoding a client may send


def _mapping(field: str, text: str | None) -> dict[str, str] | None:
    """A JSON object of strings sent as a form field (``{"amount": "Total"}``)."""
    if text is None or not text.strip():
        return None
    try:
        value: Any = json.loads(text)
    except ValueError:
        raise InvalidRequestError([f"{field}: not JSON"]) from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InvalidRequestError([f"{field}: must be a JSON object of strings"])
    return value


def _format(requested: str | None, filename: str | None) -> str:
    """The format the client named, else the upload's extension (the reader checks both)."""
    if requested:
        return requested
    suffix = (filename or "").rpartition(".")[2] if "." in (filename or "") else ""
    if not suffix:
        raise InvalidRequestError(
            ["format: cannot tell the format; name the file .csv, .jsonl or .xlsx, or send format"]
        )
    return suffix.lower()


@router.post(
    "/sources",
    status_code=201,
    response_model=SourceCreated,
    responses=problems(401, 413, 422),
    summary="Upload an estimates file (CSV, JSON Lines or spreadsheet) as a new source",
)
def create_source(
    request: Request,
    orchestrator: OrchestratorDep,
    user_id: UserDep,
    file: Annotated[UploadFile, File(description="The estimates file.")],
    name: Annotated[str | None, Form(max_length=_TEXT)] = None,
    format: Annotated[str | None, Form(max_length=10, description="csv, jsonl or xlsx")] = None,
    column_map: Annotated[
        str | None, Form(max_length=10_000, description='JSON: {"amount": "Total", ...}')
    ] = None,
    outcome_map: Annotated[
        str | None, Form(max_length=10_000, description='JSON: {"On hold": "pending", ...}')
    ] = None,
    date_format: Annotated[str | None, Form(max_length=_TEXT)] = None,
    decimal: Annotated[Literal["point", "comma"] | None, Form()] = None,
    timezone: Annotated[str | None, Form(max_length=_TEXT)] = None,
    delimiter: Annotated[str | None, Form(min_length=1, max_length=1)] = None,
    encoding: Annotated[str | None, Form(max_length=_TEXT)] = None,
    sheet: Annotated[str | None, Form(max_length=_TEXT)] = None,
    on_bad_rows: Annotated[Literal["reject", "skip"], Form()] = "reject",
) -> dict[str, object]:
    """The upload was spooled to a temporary file as it arrived (memory holds at most a
    megabyte of it) and is read from there in one stream; a plain ``def``, so the reading
    runs in a worker thread. Bad rows: 422 with each line's problem (``errors``)."""
    limit: int = request.app.state.max_upload_bytes
    if file.size is not None and file.size > limit:  # the request limit allows for the form
        raise UploadTooLargeError(limit)
    options = {
        "name": name if name is not None else (file.filename or ""),
        "format": _format(format, file.filename),
        "column_map": _mapping("column_map", column_map),
        "outcome_map": _mapping("outcome_map", outcome_map),
        "date_format": date_format or None,
        "decimal": decimal,
        "timezone": timezone or None,
        "delimiter": delimiter,
        "encoding": encoding or None,
        "sheet": sheet or None,
        "on_bad_rows": on_bad_rows,
    }
    try:
        report = orchestrator.ingest_file(file.file, user_id=user_id, **options)
    except (ValueError, LookupError) as refused:  # an option the reader cannot use
        raise InvalidRequestError([str(refused)[:500]]) from None
    body: dict[str, object] = report.to_dict()
    return body


@router.get("/sources", response_model=list[Source], responses=problems(401))
def list_sources(orchestrator: OrchestratorDep, user_id: UserDep) -> list[Source]:
    """Your sources, oldest first."""
    return list(orchestrator.list_sources(user_id=user_id))


@router.post(
    "/sources/{source_id}/bucket",
    response_model=EstimateBuckets,
    responses=problems(401, 404, 409, 422),
)
def bucket_source(source_id: str, orchestrator: OrchestratorDep, user_id: UserDep) -> Any:
    """Aggregate the source's estimates into weekly, price and latency buckets."""
    return orchestrator.bucket_source(source_id=source_id, user_id=user_id)
