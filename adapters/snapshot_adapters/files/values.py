"""Strict value parsing for input files: amounts and ISO 8601 timestamps, as DESIGN.md says."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

__all__ = [
    "MAX_DECIMAL_PLACES",
    "MAX_INTEGER_DIGITS",
    "ValueProblem",
    "amount_from_json",
    "id_from_json",
    "parse_amount",
    "parse_timestamp",
    "shown",
    "timestamp_from_json",
]

# ASCII digits only (re.ASCII would not stop `\d` elsewhere, so digits are spelled [0-9]).
# Thousands separators must group by exactly three: `1,234.50` yes, `1,2,3` and `12,34` no.
_AMOUNT = re.compile(
    r"(?P<sign>-?)(?P<symbol>[^\s0-9.,+-])?[ \t]*(?P<sign2>-?)"
    r"(?P<number>[0-9]+(?:\.[0-9]*)?|[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]*)?|\.[0-9]+)"
)
# The common cases, parsed without the rest; their lengths keep them inside the bounds
# below: plain digits, and a common currency symbol with or without thousands separators.
_PLAIN_AMOUNT = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,10})?")
_MONEY_AMOUNT = re.compile(r"[$€£¥]([0-9]{1,15}|[1-9][0-9]{0,2}(?:,[0-9]{3}){1,4})(\.[0-9]{1,10})?")
# Bounds every storage backend holds exactly (and that keep a huge exponent from becoming
# a billion-digit string): below 10^15, at most 10 decimal places.
MAX_INTEGER_DIGITS = 15
MAX_DECIMAL_PLACES = 10

# Extended-format calendar dates only: `2026-01-05`, `2026-01-05T10:00`, `…:00.123Z`,
# `…+05:30` / `+0530` / `+05`. fromisoformat alone would also take `2026-01-05x10:00`.
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
_CACHE_SIZE = 4096  # exports repeat plain dates a lot; bounded so memory stays flat
_dates: dict[str, datetime] = {}
_fromisoformat = datetime.fromisoformat


class ValueProblem(ValueError):
    """A value that cannot be accepted; the message is the `problem` of a RowProblem."""


def shown(text: str, limit: int = 40) -> str:
    """A value quoted for an error message: short, control characters escaped."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def parse_amount(text: str) -> Decimal:
    """A decimal ≥ 0 from `1234.5`, `$1,234.50`, `€ 12`; negative or malformed raises."""
    if _PLAIN_AMOUNT.fullmatch(text):
        return Decimal(text)
    match = _MONEY_AMOUNT.fullmatch(text)
    if match is not None:  # what the general rule below gives, in a fraction of the time
        whole, fraction = match.groups()
        return Decimal(whole.replace(",", "") + fraction if fraction else whole.replace(",", ""))
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise ValueProblem(f"not a number: {shown(text)}")
    symbol = match["symbol"]
    if symbol is not None and unicodedata.category(symbol) != "Sc":
        raise ValueProblem(f"not a number: {shown(text)}")
    if match["sign"] and match["sign2"]:
        raise ValueProblem(f"not a number: {shown(text)}")
    value = Decimal(match["number"].replace(",", ""))
    if (match["sign"] or match["sign2"]) and value:
        raise ValueProblem(f"negative amount: {shown(text)}")
    return _bounded(value, text)


def _bounded(value: Decimal, text: str) -> Decimal:
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        raise ValueProblem(f"too large (over {MAX_INTEGER_DIGITS} digits): {shown(text)}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise ValueProblem(f"more than {MAX_DECIMAL_PLACES} decimal places: {shown(text)}")
    return value


def parse_timestamp(text: str) -> datetime:
    """UTC datetime from ISO 8601: offsets converted, naive values and plain dates read as UTC."""
    plain_date = len(text) == 10
    if plain_date:
        cached = _dates.get(text)
        if cached is not None:
            return cached
    if _TIMESTAMP.fullmatch(text) is None:
        raise ValueProblem(f"not an ISO 8601 date or date-time: {shown(text)}")
    try:
        moment = _fromisoformat(text)
        zone = moment.tzinfo
        if zone is None:
            moment = moment.replace(tzinfo=UTC) if plain_date else _as_utc(text, moment)
        elif zone is not UTC:
            moment = moment.astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise ValueProblem(f"not a valid date: {shown(text)} ({error})") from None
    if plain_date:
        if len(_dates) >= _CACHE_SIZE:
            _dates.clear()
        _dates[text] = moment
    return moment


def _as_utc(text: str, naive: datetime) -> datetime:
    """``naive.replace(tzinfo=UTC)`` for a date-time ``text``: parsed again with ``+00:00``,
    which costs a fraction of ``replace``; checked, as a plain date would ignore the suffix."""
    moment = _fromisoformat(text + "+00:00")
    return moment if moment.tzinfo is UTC else naive.replace(tzinfo=UTC)


def amount_from_json(value: Any) -> Decimal:
    """A JSON amount: a number (exact, read with parse_float=Decimal) or text as in CSV."""
    if isinstance(value, str):
        return parse_amount(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueProblem(f"expected a number, found {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueProblem(f"not a number: {shown(str(value))}")
    if amount < 0:
        raise ValueProblem(f"negative amount: {shown(str(value))}")
    return _bounded(amount + 0 if amount.is_zero() else amount, str(value))  # -0 becomes 0


def timestamp_from_json(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueProblem(f"expected an ISO 8601 date as text, found {type(value).__name__}")
    return parse_timestamp(value.strip())


def id_from_json(value: Any) -> str | None:
    """An estimate id: text, or an integer (exporters often write ids as numbers)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueProblem(f"expected text or an integer, found {type(value).__name__}")
