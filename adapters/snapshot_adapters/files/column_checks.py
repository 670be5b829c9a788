"""Column-level checks of a CSV batch for ``PlainRows``: shapes, instants, stripped values, ids."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from operator import itemgetter

from snapshot_core.domain.estimate_columns import EPOCH, MICROS_PER_DAY, micros_of

from .rows import MAX_ID_LENGTH
from .values import DIGITS_AS_ZERO

__all__ = [
    "EPOCH_WEEK_OFFSET",
    "ShapeColumn",
    "instants",
    "plain_ids",
    "stripped",
]

_SHAPES = 4096  # distinct shapes remembered per column; real files have a handful
_NAIVE_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)
# The instants a datetime can hold in UTC: iso_to_utc fails (OverflowError) beyond them.
_FIRST = micros_of(datetime.min.replace(tzinfo=UTC))
_LAST = micros_of(datetime.max.replace(tzinfo=UTC))
# ordinal // 7 of an instant (DateSpan's week) is (micros + this) // (7 days of micros).
EPOCH_WEEK_OFFSET = EPOCH.toordinal() * MICROS_PER_DAY


class ShapeColumn:
    """Whether every value of a column fully matches ``pattern`` (whose only digits are in
    ``[0-9]`` classes), judged by shape as ``values.shape_matcher`` does: the column's UTF-8
    with every ASCII digit written as 0, split into values and deduplicated, all in C; then
    each distinct shape (a real column has a handful) is matched once and remembered."""

    def __init__(self, pattern: re.Pattern[str], empty_ok: bool = False) -> None:
        self._fullmatch = pattern.fullmatch
        self._empty_ok = empty_ok
        self._known: dict[bytes, bool] = {}

    def misfits(self, values: list[str]) -> list[bool] | None:
        """None when every value matches (the common case); else, value by value, whether
        it does."""
        text = "\n".join(values)
        # A quoted field may hold a newline: the count makes sure each value is one line.
        if text.count("\n") != len(values) - 1:
            return [False] * len(values)  # rare: let every row of the batch take the slow way
        known = self._known
        shapes = text.encode("utf-8", "surrogatepass").translate(DIGITS_AS_ZERO).split(b"\n")
        verdicts = {}
        for shape in set(shapes):
            good = known.get(shape)
            if good is None:
                if len(known) >= _SHAPES:
                    known.clear()
                good = known[shape] = self._matches(shape)
            verdicts[shape] = good
        if all(verdicts.values()):
            return None
        return [verdicts[shape] for shape in shapes]

    def _matches(self, shape: bytes) -> bool:
        if not shape:
            return self._empty_ok
        # The shape is itself a text of that shape: the pattern decides for all of them.
        return self._fullmatch(shape.decode("utf-8", "surrogatepass")) is not None


def instants(texts: list[str], fast: list[bool], optional: bool) -> list[int | None]:
    """Each fast row's text as microseconds since the epoch in UTC, as ``iso_to_utc`` reads
    it (naive: UTC), ``None`` for an empty optional one; a row whose text names no moment
    (`2026-02-30`) or none a UTC datetime can hold is no longer fast (check() says why)."""
    parse = datetime.fromisoformat
    every = True  # whether every text was read (then a required column has no None)
    try:
        if optional:
            moments = [parse(text) if text else None for text in texts]
        else:
            moments = list(map(parse, texts))
    except (ValueError, OverflowError):
        every = False
        moments = []
        for index, text in enumerate(texts):
            moment = None
            if fast[index] and text:
                try:
                    moment = parse(text)
                except (ValueError, OverflowError):
                    fast[index] = False
            moments.append(moment)
    epoch, naive, unit = EPOCH, _NAIVE_EPOCH, _MICROSECOND
    micros = [
        None if moment is None else (moment - (naive if moment.tzinfo is None else epoch)) // unit
        for moment in moments
    ]
    try:  # in C when no value is None (a required column read in full)
        outside = bool(micros) and (min(micros) < _FIRST or max(micros) > _LAST)  # type: ignore[type-var, operator]
    except TypeError:
        known = [value for value in micros if value is not None]
        outside = bool(known) and (min(known) < _FIRST or max(known) > _LAST)
    if outside:
        every = False
        for index, value in enumerate(micros):
            if value is not None and not _FIRST <= value <= _LAST:
                fast[index] = False
                micros[index] = None
    if not optional and not every:
        for index, value in enumerate(micros):
            if value is None:
                fast[index] = False
    return micros


def stripped(records: list[list[str]], column: int) -> list[str]:
    """Each record's value in ``column``, stripped (in C: no bytecode a row)."""
    return list(map(str.strip, map(itemgetter(column), records)))


def plain_ids(idents: list[str], fast: list[bool]) -> bool:
    """Whether every id is plain (short, ASCII, no NUL: the common case); if not, the rows
    whose id needs more than a glance are marked not fast, for check() to judge."""
    if max(map(len, idents), default=0) <= MAX_ID_LENGTH:
        joined = "".join(idents)
        if joined.isascii() and "\x00" not in joined:
            return True
    for index, text in enumerate(idents):
        if len(text) > MAX_ID_LENGTH or not text.isascii() or "\x00" in text:
            fast[index] = False
    return False
