"""Map what the SDK raises to the error catalogue, without ever echoing the API key."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any

import openai

from snapshot_core.domain import CallFacts, LlmApiError, LlmTimeoutError

__all__ = [
    "KEY_REJECTED",
    "map_connection_error",
    "map_status_error",
    "retry_after_seconds",
    "scrub",
]

KEY_REJECTED = "the API key was rejected (check OPENAI_API_KEY)"
_MAX_DETAIL = 300


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms``, or ``retry-after`` (seconds or an HTTP date)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = lowered.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue
        if seconds >= 0 and seconds != float("inf"):
            return seconds
    date = lowered.get("retry-after")
    if date:
        try:
            moment = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            return None
        return max(0.0, moment - (time.time() if now is None else now))
    return None


def scrub(text: str, secret: str | None) -> str:
    """``text`` without the secret, shortened: server messages may quote what they received."""
    if secret:
        text = text.replace(secret, "***")
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def _server_message(body: Any) -> str | None:
    error = body.get("error", body) if isinstance(body, Mapping) else None
    message = error.get("message") if isinstance(error, Mapping) else None
    return message if isinstance(message, str) and message else None


def map_status_error(
    error: openai.APIStatusError, facts: CallFacts | None, secret: str | None
) -> LlmApiError:
    """HTTP 4xx/5xx -> ``OpenAI API error (<status>)``; 429 carries ``retry_after``.

    A 401's own message is dropped: OpenAI's quotes part of the rejected key.
    """
    status = error.status_code
    detail: str | None
    if status == 401:
        detail = KEY_REJECTED
    else:
        message = _server_message(error.body)
        detail = scrub(message, secret) if message else None
    retry_after = retry_after_seconds(error.response.headers) if status == 429 else None
    return LlmApiError(status, retry_after=retry_after, detail=detail, facts=facts)


def map_connection_error(
    error: openai.APIConnectionError, facts: CallFacts | None, host: str, timeout: float
) -> LlmTimeoutError:
    """A timeout, refused connection or reset -> ``llm_timeout`` with what happened and where."""
    if isinstance(error, openai.APITimeoutError):
        detail = f"no reply from {host} within {timeout:g} s"
    else:
        cause = type(error.__cause__).__name__ if error.__cause__ is not None else "error"
        detail = f"connection to {host} failed ({cause})"
    return LlmTimeoutError(detail, facts=facts)
