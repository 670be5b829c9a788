"""How long the provider asks us to wait, and how much of the rate limit is left (headers, text)."""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Mapping

__all__ = ["duration_seconds", "ratelimit_remaining", "retry_after_seconds"]

# Go-style durations as OpenAI sends them: `1s`, `6m0s`, `26.604s`, `120ms`, `1h2m3s`.
_DURATION = re.compile(
    r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$"
)
_TRY_AGAIN = re.compile(r"try again in\s+(\d[\d.hms]*)", re.IGNORECASE)
# Azure's wording, "Please retry after 86400 seconds.", as a LiteLLM proxy relays it without
# the header (quoted in jasonacox/TinyLLM#17): only with the unit named, seconds.
_RETRY_AFTER_TEXT = re.compile(r"retry after\s+(\d+(?:\.\d+)?)\s*seconds?\b", re.IGNORECASE)
_RESET_HEADERS = ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens")


def duration_seconds(text: str) -> float | None:
    """``6m0s`` -> 360.0, ``120ms`` -> 0.12, a bare number as seconds; ``None`` if unreadable."""
    text = text.strip().lower()
    if not text:
        return None
    try:
        return _finite(float(text))
    except ValueError:
        pass
    match = _DURATION.match(text)
    if match is None or not any(match.groups()):
        return None
    hours, minutes, seconds, millis = (float(part) if part else 0.0 for part in match.groups())
    return _finite(hours * 3600 + minutes * 60 + seconds + millis / 1000)


def _finite(seconds: float) -> float | None:
    return seconds if seconds >= 0 and math.isfinite(seconds) else None


def _http_date_seconds(value: str, now: float | None) -> float | None:
    try:
        moment = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, moment - (time.time() if now is None else now))


def retry_after_seconds(
    headers: Mapping[str, str], message: str | None = None, now: float | None = None
) -> float | None:
    """Seconds to wait, from the first of these that reads:

    ``retry-after-ms`` when it is above zero (the precise one); ``retry-after`` (seconds or an
    HTTP date); the longer of ``x-ratelimit-reset-requests`` / ``-tokens``; the message's
    "Please try again in 26.604s" (OpenAI) or "Please retry after 45 seconds" (Azure). A zero
    ``retry-after-ms`` is no wait on a refused request: Azure was recorded sending
    ``Retry-After-Ms: 0`` with ``Retry-After: 1``.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    millis = _millis(lowered.get("retry-after-ms"))
    if millis:
        return millis
    if (seconds := _retry_after(lowered, now)) is not None:
        return seconds
    if millis is not None:
        return millis
    resets = [duration_seconds(lowered[name]) for name in _RESET_HEADERS if name in lowered]
    if readable := [seconds for seconds in resets if seconds is not None]:
        return max(readable)
    if message and (match := _TRY_AGAIN.search(message)):
        return duration_seconds(match.group(1).rstrip("."))
    if message and (match := _RETRY_AFTER_TEXT.search(message)):
        return duration_seconds(match.group(1))
    return None


def _millis(value: str | None) -> float | None:
    try:
        return _finite(float(value) / 1000) if value is not None else None
    except ValueError:
        return None


def _retry_after(lowered: Mapping[str, str], now: float | None) -> float | None:
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return _finite(float(value))
    except ValueError:
        return _http_date_seconds(value, now)


def ratelimit_remaining(headers: Mapping[str, str], kind: str) -> int | None:
    """``x-ratelimit-remaining-<kind>`` (``requests`` or ``tokens``) as an int, when sent.

    Together AI names the requests left plain ``x-ratelimit-remaining`` (as recorded).
    """
    lowered = {name.lower(): v for name, v in headers.items()}
    value = lowered.get(f"x-ratelimit-remaining-{kind}")
    if value is None and kind == "requests":
        value = lowered.get("x-ratelimit-remaining")
    try:
        number = int(str(value).strip()) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and number >= 0 else None
