"""Strict value parsing for input files: ISO 8601 timestamps and ids (amounts: amounts.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "DIGITS_AS_ZERO",
    "ISO_TIMESTAMP",
    "ValueProblem",
    "id_from_json",
    "iso_timestamp_parser",
    "iso_to_utc",
    "parse_timestamp",
    "shape_matcher",
    "shown",
]

# Extended-format calendar dates only: `2026-01-05`, `2026-01-05T10:00`, `…:00.123Z`,
# `…+05:30` / `+0530` / `+05`. fromisoformat alone would also take `2026-01-05x10:00`.
ISO_TIMESTAMP = _TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
_CACHE_SIZE = 4096  # exports repeat plain dates a lot; bounded so memory stays flat
_fromisoformat = datetime.fromisoformat
# A text's shape: its UTF-8 with every ASCII digit written as 0 (surrogates kept, so every
# str has one). Bytes translate in C at a fifth of the cost of a regex match.
DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0000000000")
_SHAPES = 4096  # distinct shapes remembered; real files have a handful


def shape_matcher(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    """``pattern.fullmatch(text) is not None``, remembered by the text's shape.

    Exact for a pattern whose only digits are in ``[0-9]`` classes (``ISO_TIMESTAMP``,
    amounts.py's plain amount): it cannot tell two texts of one shape apart, so whichever
    is seen first decides for both rightly. A property test compares it with the pattern.
    """
    known: dict[bytes, bool] = {}
    fullmatch = pattern.fullmatch

    def matches(text: str) -> bool:
        shape = text.encode("utf-8", "surrogatepass").translate(DIGITS_AS_ZERO)
        found = known.get(shape)
        if found is None:
            if len(known) >= _SHAPES:
                known.clear()
            found = known[shape] = fullmatch(text) is not None
        return found

    return matches


class ValueProblem(ValueError):
    """A value that cannot be accepted; the message is the `problem` of a RowProblem."""


def shown(text: str, limit: int = 40) -> str:
    """A value quoted for an error message: short, control characters escaped."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def iso_timestamp_parser(
    fallback: Callable[[str, ValueProblem], datetime] | None = None,
) -> Callable[[str], datetime]:
    """``parse_timestamp`` with its own cache, and ``fallback(text, problem)`` called for a
    value that is not ISO 8601 at all (instead of raising ``problem``): local date formats
    cost nothing on the ISO path."""
    dates: dict[str, datetime] = {}
    is_iso = shape_matcher(_TIMESTAMP)

    def parse(text: str) -> datetime:
        """UTC datetime from ISO 8601: offsets converted, naive values and plain dates read
        as UTC."""
        plain_date = len(text) == 10
        if plain_date:
            cached = dates.get(text)
            if cached is not None:
                return cached
        if not is_iso(text):
            problem = ValueProblem(f"not an ISO 8601 date or date-time: {shown(text)}")
            if fallback is None:
                raise problem
            return fallback(text, problem)
        try:
            moment = iso_to_utc(text)
        except (ValueError, OverflowError) as error:
            raise ValueProblem(f"not a valid date: {shown(text)} ({error})") from None
        if plain_date:
            if len(dates) >= _CACHE_SIZE:
                dates.clear()
            dates[text] = moment
        return moment

    return parse


parse_timestamp = iso_timestamp_parser()


def iso_to_utc(text: str) -> datetime:
    """The UTC moment of a text already known to match ``ISO_TIMESTAMP``: offsets converted,
    naive values and plain dates read as UTC. ValueError (or OverflowError) if it names no
    real moment (`2026-02-30`); plain_rows.py calls it directly, without the shape check."""
    moment = _fromisoformat(text)
    zone = moment.tzinfo
    if zone is None:
        return moment.replace(tzinfo=UTC) if len(text) == 10 else _as_utc(text, moment)
    return moment if zone is UTC else moment.astimezone(UTC)


def _as_utc(text: str, naive: datetime) -> datetime:
    """``naive.replace(tzinfo=UTC)`` for a date-time ``text``: parsed again with ``+00:00``,
    which costs a fraction of ``replace``; checked, as a plain date would ignore the suffix."""
    moment = _fromisoformat(text + "+00:00")
    return moment if moment.tzinfo is UTC else naive.replace(tzinfo=UTC)


def id_from_json(value: Any) -> str | None:
    """An estimate id: text, or an integer (exporters often write ids as numbers)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueProblem(f"expected text or an integer, found {type(value).__name__}")
