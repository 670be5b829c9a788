"""`snapshot show --format json` from a stored document alone, without pydantic: exactly the
text ``SnapshotResult.model_validate(body).model_dump_json(indent=2)`` gives, or ``Unsure``.

``SHAPE`` spells out the version-2 document field by field, in the models' field order (a test
keeps it equal to ``SnapshotResult``'s fields). A document is printed only if every key is
present, in that order, with nothing extra, and every value is one that validation keeps as it
is and serialisation writes as ``json.dumps`` would. Anything else (a version-1 document whose
missing fields validation fills in, a value validation would refuse, coerce or reformat) is
``Unsure``, and the command takes the full path, which prints what it prints.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["SHAPE", "Unsure", "snapshot_json", "utc_text"]


class Unsure(Exception):
    """Validation might change this document, or print it otherwise: take the full path."""


Check = Callable[[Any], Any]
Shape = dict[str, "Check | Shape | tuple[Shape, int, int]"]


def _text(value: Any) -> str:
    if type(value) is not str:
        raise Unsure("not text")
    return value


def _text_of(shortest: int, longest: int) -> Check:
    def check(value: Any) -> str:
        if not shortest <= len(_text(value)) <= longest:
            raise Unsure("text length out of bounds")
        return str(value)

    return check


def _count(value: Any) -> int:
    if type(value) is not int or value < 0:  # a bool or 5.0 would be coerced
        raise Unsure("not a count")
    return value


def _optional(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def _choice(*options: str | None) -> Check:
    def check(value: Any) -> Any:
        if value not in options or (value is not None and type(value) is not str):
            raise Unsure("not one of the choices")
        return value

    return check


def _amount(value: Any) -> float:
    """``Amount``: read as a Decimal, written back as a float (``5`` prints as ``5.0``)."""
    if type(value) is int and abs(value) < 2**53:
        value = float(value)
    if type(value) is not float or not math.isfinite(value) or "e" in repr(value):
        raise Unsure("an amount printed otherwise")  # exponents: pydantic writes 1e-7, not 1e-07
    return value


def _decimal_text(value: Any) -> str:
    """A Decimal is written as ``str(Decimal(text))``: only text already in that form passes."""
    try:
        pattern = r"-?[0-9]+(\.[0-9]+)?"
        if type(value) is str and re.fullmatch(pattern, value) and str(Decimal(value)) == value:
            return value
    except InvalidOperation:
        pass
    raise Unsure("a decimal printed otherwise")


def utc_text(moment: datetime) -> str:
    """How pydantic writes an aware UTC datetime: microseconds only when there are some."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{moment.microsecond:06d}Z" if moment.microsecond else f"{text}Z"


def _timestamp(value: Any) -> str:
    if type(value) is str and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{8,15}Z", value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise Unsure("not a timestamp") from None
        if moment.tzinfo is UTC and utc_text(moment) == value:
            return value
    raise Unsure("a timestamp printed otherwise")


def _day(value: Any) -> str:
    if type(value) is str and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            if date.fromisoformat(value).isoformat() == value:
                return value
        except ValueError:
            pass
    raise Unsure("a date printed otherwise")


def _week(value: Any) -> str:
    if type(value) is str and re.fullmatch(r"[0-9]{4}-W[0-9]{2}", value):
        return value
    raise Unsure("not a week label")


_COUNT_OR_NONE = _optional(_count)
_AMOUNT_OR_NONE = _optional(_amount)
_DECIMAL_OR_NONE = _optional(_decimal_text)

# week_start must be given: validation computes it when it is missing (version 1).
_WEEK: Shape = {
    "week": _week,
    "count": _COUNT_OR_NONE,
    "week_start": _day,
    "won": _COUNT_OR_NONE,
    "lost": _COUNT_OR_NONE,
    "amount_total": _AMOUNT_OR_NONE,
}
_BAND: Shape = {"band": _text, "count": _COUNT_OR_NONE}
_PRICE_BAND: Shape = {
    **_BAND,
    "amount_total": _AMOUNT_OR_NONE,
    "won": _COUNT_OR_NONE,
    "lost": _COUNT_OR_NONE,
    "win_rate_pct": _DECIMAL_OR_NONE,
}
_FINDING: Shape = {
    "topic": _choice(None, "demand", "pricing", "decision_latency", "outcomes"),
    "text": _text_of(1, 600),
    "facts": (_text, 0, 12),  # type: ignore[dict-item]  # a list of plain values
}
_MANY = 10**9

SHAPE: Shape = {
    "meta": {
        "snapshot_id": _text,
        "source_id": _text,
        "generated_at": _timestamp,
        "estimate_count": _count,
        "confidence_level": _choice("low", "medium", "high"),
        "model": _text,
        "schema_version": _choice("2"),
        "min_cell_count": _count,
        "narrative_source": _choice("model", "template"),
    },
    "demand": {
        "weekly_volume": (_WEEK, 0, _MANY),
        "price_distribution": (_PRICE_BAND, 0, _MANY),
    },
    "decision_latency": {"distribution": (_BAND, 0, _MANY), "median_days": _DECIMAL_OR_NONE},
    "outcomes": {
        "won": _COUNT_OR_NONE,
        "lost": _COUNT_OR_NONE,
        "pending": _COUNT_OR_NONE,
        "win_rate_pct": _DECIMAL_OR_NONE,
        "close_rate_pct": _DECIMAL_OR_NONE,
        "won_amount": _AMOUNT_OR_NONE,
        "lost_amount": _AMOUNT_OR_NONE,
        "open_amount": _AMOUNT_OR_NONE,
        "dollar_win_rate_pct": _DECIMAL_OR_NONE,
        "stale_pending": _COUNT_OR_NONE,
        "stale_amount": _AMOUNT_OR_NONE,
    },
    "money": {
        "total_amount": _AMOUNT_OR_NONE,
        "average_amount": _AMOUNT_OR_NONE,
        "median_amount": _AMOUNT_OR_NONE,
    },
    "insights": {"headline": _text_of(1, 200), "findings": (_FINDING, 1, 6)},
}


def _conform(value: Any, shape: Any) -> Any:
    if isinstance(shape, dict):
        if type(value) is not dict or list(value) != list(shape):
            raise Unsure("keys missing, extra or out of order")
        return {key: _conform(value[key], inner) for key, inner in shape.items()}
    if isinstance(shape, tuple):
        item, fewest, most = shape
        if type(value) is not list or not fewest <= len(value) <= most:
            raise Unsure("not a list of the right length")
        return [_conform(element, item) for element in value]
    return shape(value)


def snapshot_json(body: str) -> str:
    """The JSON ``snapshot show --format json`` prints for this stored body, or ``Unsure``."""
    try:
        document = json.loads(body)
    except ValueError:
        raise Unsure("not JSON") from None
    text = json.dumps(_conform(document, SHAPE), indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")  # a lone surrogate: pydantic would refuse to write it
    except UnicodeEncodeError:
        raise Unsure("text UTF-8 cannot encode") from None
    return text
