"""Map what the provider answers with (status, headers, body) to the error catalogue.

Every status gets its own meaning and solution; quota and content filters get their own codes.
The message stays the seed's ``OpenAI API error (N)``. Nothing the server sends reaches a user
before the API key (and any ``sk-…`` token) is scrubbed from it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import openai

from snapshot_core.domain import (
    CallFacts,
    LlmApiError,
    LlmContentFilteredError,
    LlmQuotaExhaustedError,
    LlmTimeoutError,
    ModelCallError,
)

from .provider_error import ProviderError, html_title, is_html_page, provider_error
from .scrub import scrub_secrets, shorten
from .waits import retry_after_seconds

__all__ = [
    "KEY_REJECTED",
    "ProviderError",
    "error_for_status",
    "is_html_page",
    "map_connection_error",
    "map_status_error",
    "provider_error",
]

KEY_REJECTED = "the API key was rejected (check OPENAI_API_KEY)"
_MAX_DETAIL = 500

# Codes (error.code or error.type) that mean "out of money", from OpenAI, Azure and gateways.
QUOTA_CODES = frozenset(
    {
        "insufficient_quota",
        "billing_hard_limit_reached",
        "billing_not_active",
        "access_terminated",
        "insufficient_credits",
        "quota_exceeded",
        "credits_exhausted",
        "payment_required",
    }
)
# Azure chat: code content_filter with innererror.code ResponsibleAIPolicyViolation (both, as
# recorded); Azure's and OpenAI's image endpoints: content_policy_violation.
_CONTENT_FILTER_CODES = frozenset(
    {"content_filter", "responsibleaipolicyviolation", "content_policy_violation"}
)
# "Invalid schema for ..." opens every rejection by OpenAI's strict-mode validator (recorded).
_SCHEMA_WORDS = ("response_format", "json_schema", "strict", "invalid schema for")
_CONTEXT_CODES = frozenset({"context_length_exceeded", "string_above_max_length"})
# OpenAI's 429 "Request too large ... (TPM): Limit 2000000, Requested 2500013" (recorded): its
# x-ratelimit-reset-* headers describe the window, not this request; no wait makes it pass.
_TOO_LARGE_FOR_LIMIT = re.compile(r"\brequest too large\b", re.IGNORECASE)


_BY_STATUS: dict[int, tuple[str, str]] = {
    200: (
        "The server answered with status 200, but its body is an error, not a completion "
        "(gateways such as OpenRouter report upstream failures this way).",
        "Read the detail; try again later if it names an upstream provider problem.",
    ),
    400: (
        "The provider rejected the request as invalid (the server's words are in the detail).",
        "Read the detail; check SNAPSHOT_MODEL and SNAPSHOT_MAX_TOKENS for this endpoint.",
    ),
    401: (
        "The API key was rejected (wrong, revoked, or for another organisation or endpoint).",
        "Check OPENAI_API_KEY (and OPENAI_BASE_URL: a key works only at its own provider).",
    ),
    403: (
        "The key is not allowed to do this: the model is not enabled for the project, or "
        "the provider does not serve this country or region.",
        "Check the project's model permissions at the provider, or use a supported region.",
    ),
    404: (
        "The model (or Azure deployment) was not found at this endpoint.",
        "Check SNAPSHOT_MODEL (on Azure, SNAPSHOT_AZURE_DEPLOYMENT) and that OPENAI_BASE_URL "
        "ends in /v1.",
    ),
    408: (
        "The provider timed out while processing the request.",
        "Try again later; raise SNAPSHOT_LLM_TIMEOUT if it keeps happening.",
    ),
    409: (
        "The provider reported a conflict (a concurrent change on its side).",
        "Try again in a moment.",
    ),
    413: (
        "The request is larger than the endpoint accepts.",
        "Use a model with a larger context window, or a gateway without a smaller body limit.",
    ),
    422: (
        "The server could not process the request body: a compatible server that does not "
        "accept one of its parameters (often response_format with a strict json_schema).",
        "Read the detail; run `snapshot validate --probe` to see what the endpoint supports.",
    ),
    429: (
        "The provider's rate limit was reached (requests or tokens per minute).",
        "Wait for the time given (retry after), then try again; or raise the plan's rate limit.",
    ),
}
_SERVER_TROUBLE = (
    "The provider had trouble of its own (server error, overloaded, or a bad gateway).",
    "Try again later; check the provider's status page if it persists.",
)
_STRICT_SCHEMA = (
    "The endpoint rejected the strict json_schema it was sent (OpenAI structured outputs, "
    "strict mode): the schema breaks one of its rules, or the endpoint does not accept strict "
    "schemas; the detail says which.",
    "Use a model that supports strict structured outputs (gpt-4o-2024-08-06 or later); "
    "`snapshot validate --probe` checks an endpoint.",
)
_TOO_LARGE = (
    "This one request needs more tokens than the rate limit allows per minute (Requested is "
    "above Limit in the detail), so waiting will not make it pass.",
    "Shorten the input or lower SNAPSHOT_MAX_TOKENS, or raise the plan's tokens-per-minute "
    "limit at the provider.",
)
_CONTEXT = (
    "The request is longer than the model's context window.",
    "Use a model with a larger context window, or lower SNAPSHOT_MAX_TOKENS.",
)


def _meaning_and_solution(status: int, error: ProviderError) -> tuple[str, str] | None:
    message = (error.message or "").lower()
    if status == 429 and _TOO_LARGE_FOR_LIMIT.search(message):
        return _TOO_LARGE
    if error.codes() & _CONTEXT_CODES or error.says(("context length",)):
        return _CONTEXT
    if status in (400, 422) and (error.param == "response_format" or error.says(_SCHEMA_WORDS)):
        return _STRICT_SCHEMA
    # OpenAI's 429 "That model is currently overloaded" (type server_error, recorded).
    if status >= 500 or (status == 429 and "server_error" in error.codes()):
        return _SERVER_TROUBLE
    return _BY_STATUS.get(status)


def error_for_status(
    status: int,
    body: Any,
    headers: Mapping[str, str],
    facts: CallFacts | None,
    secret: str | None,
) -> ModelCallError:
    """The catalogue error for an HTTP ``status`` with this ``body`` (dict, or text) and headers."""
    if isinstance(body, (bytes, str)):
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        title = html_title(text)
        if title is not None:
            page = scrub_secrets(f"HTTP {status} page from a proxy or gateway: {title}", secret)
            return LlmApiError(
                status,
                detail=shorten(page, _MAX_DETAIL),
                facts=facts,
                meaning=(
                    f"An HTML error page (status {status}) came back instead of the provider's "
                    "JSON: a proxy or gateway between here and the provider answered."
                ),
                solution=(
                    "Check the proxy or gateway in front of OPENAI_BASE_URL (HTTPS_PROXY, a "
                    "corporate gateway, a load balancer); try again later if it is overloaded."
                ),
            )
        body = {"message": " ".join(text.split())} if text.strip() else None  # plain text
    error = ProviderError(body)
    message = error.full_message()
    detail: str | None = shorten(scrub_secrets(message, secret), _MAX_DETAIL) if message else None
    codes = error.codes()
    if codes & QUOTA_CODES or status == 402:
        return LlmQuotaExhaustedError(status, detail, facts, provider_code=error.code or error.type)
    if codes & _CONTENT_FILTER_CODES:
        return LlmContentFilteredError("prompt", detail, facts)
    rejects_key = error.rejects_key(status)
    if rejects_key:
        detail = KEY_REJECTED  # OpenAI's own message quotes part of the rejected key
    too_large = status == 429 and bool(_TOO_LARGE_FOR_LIMIT.search(error.message or ""))
    waits = status in (429, 503) and not too_large
    retry_after = retry_after_seconds(headers, error.message) if waits else None
    if facts is not None and retry_after is not None:
        facts = facts.model_copy(update={"retry_after_seconds": retry_after})
    meaning, solution = (
        _BY_STATUS[401] if rejects_key else _meaning_and_solution(status, error) or (None, None)
    )
    return LlmApiError(
        status,
        retry_after=retry_after,
        detail=detail,
        facts=facts,
        meaning=meaning,
        solution=solution,
        provider_code=error.code or error.type,
        waiting_helps=not too_large,
    )


def map_status_error(
    error: openai.APIStatusError, facts: CallFacts | None, secret: str | None
) -> ModelCallError:
    """An SDK status error -> the catalogue error (see ``error_for_status``)."""
    response = error.response
    body: Any = error.body
    if not isinstance(body, Mapping):
        # The SDK hands over body["error"] alone: a string when a server sends
        # {"error": "text", ...} (xAI, recorded), so read the whole body again.
        try:
            text = response.text
        except Exception:  # an undecodable body: nothing readable to add
            text = None
        body = _json_object(text) if text is not None else None
    return error_for_status(error.status_code, body, response.headers, facts, secret)


def _json_object(text: str) -> Any:
    """The body as a JSON object when it is one, else the text (an HTML page, plain text)."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, Mapping) else text


def map_connection_error(
    error: openai.APIConnectionError, facts: CallFacts | None, host: str, timeout: float
) -> LlmTimeoutError:
    """A timeout, refused connection or reset -> ``llm_timeout`` with what happened and where."""
    if isinstance(error, openai.APITimeoutError):
        detail = f"no complete reply from {host} within {timeout:g} s"
    else:
        cause = type(error.__cause__).__name__ if error.__cause__ is not None else "error"
        detail = f"connection to {host} failed ({cause})"
    return LlmTimeoutError(detail, facts=facts)
