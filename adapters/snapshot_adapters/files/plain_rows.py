"""PlainRows: the default CSV path read a batch at a time, each column checked in one go.

Most exports write plain amounts (`1234.50`) and ISO 8601 dates. Checking each value's
grammar on its own costs more than reading it, so a batch of rows is checked column by
column: every value's shape (``values.shape_matcher``) must match the very grammar the
converters use (``PLAIN_AMOUNT``, ``ISO_TIMESTAMP``), found for the whole column by a few
C-level string operations. A column that passes is read without per-value checks
(``Decimal``, ``iso_to_utc``), and each row goes to ``RowChecker.checked`` for the checks
that follow (dates in order, ids, plausibility). A batch that does not pass, or a row whose
date names no real day, goes through ``RowChecker.check`` exactly as row-by-row reading
would: so every value, verdict, bad-row message and their order are the same as without
this path (a property test compares the two).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import repeat

from snapshot_core.domain import EstimateRow

from .amounts import MAX_INTEGER_DIGITS, PLAIN_AMOUNT, AmountReader
from .columns import Columns
from .rows import RowChecker
from .values import DIGITS_AS_ZERO, ISO_TIMESTAMP, iso_to_utc

__all__ = ["BATCH_ROWS", "PlainRows"]

BATCH_ROWS = 512  # rows whose columns are checked together
_SHAPES = 4096  # distinct shapes remembered per column; real files have a handful


class _Column:
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


class PlainRows:
    """``rows(lines, records)``: a batch of well-shaped CSV records (their starting lines)
    as the rows to store, in order; ``for_file()`` is None unless the file qualifies (text
    converters with ISO dates in UTC and no outcome columns)."""

    def __init__(self, checker: RowChecker, columns: Columns, amounts: AmountReader) -> None:
        self._checker, self._read_amount = checker, amounts
        self._amount, self._sent = columns.amount, columns.sent_at
        self._decided, self._ident = columns.decided_at, columns.estimate_id
        # With a decimal point established a plain amount is read as Decimal(text); before
        # that (or under a decimal comma) only whole numbers are, as AmountReader does.
        self._point_amounts = _Column(PLAIN_AMOUNT)
        self._whole_amounts = _Column(re.compile(f"[0-9]{{1,{MAX_INTEGER_DIGITS}}}"))
        self._sent_dates = _Column(ISO_TIMESTAMP)
        self._decided_dates = _Column(ISO_TIMESTAMP, empty_ok=True)

    @classmethod
    def for_file(cls, checker: RowChecker, columns: Columns) -> PlainRows | None:
        converters = checker.converters
        amounts = converters.amount
        if (
            not converters.iso_text
            or not isinstance(amounts, AmountReader)
            or converters.ident is not None
            or columns.outcome >= 0
            or columns.approved_at >= 0
        ):
            return None
        return cls(checker, columns, amounts)

    def rows(self, lines: list[int], records: list[list[str]]) -> Iterator[EstimateRow]:
        amount, sent, decided, ident = self._amount, self._sent, self._decided, self._ident
        amounts = [fields[amount].strip() for fields in records]
        sents = [fields[sent].strip() for fields in records]
        decideds = [fields[decided].strip() for fields in records] if decided >= 0 else None
        idents = [fields[ident].strip() for fields in records] if ident >= 0 else None
        point = self._read_amount.convention == "point"
        # Per row, whether all its values are plain: None (the common case) when all are.
        misfits = [
            column.misfits(values)
            for column, values in (
                (self._point_amounts if point else self._whole_amounts, amounts),
                (self._sent_dates, sents),
                (self._decided_dates, decideds),
            )
            if values is not None
        ]
        flags = [flag for flag in misfits if flag is not None]
        plain: Iterable[bool] = (
            repeat(True) if not flags else [all(row) for row in zip(*flags, strict=True)]
        )
        columns = zip(
            lines,
            records,
            amounts,
            sents,
            repeat("") if decideds is None else decideds,
            repeat("") if idents is None else idents,
            plain,
            strict=False,  # the repeats are endless; the lists have one value a record
        )
        check, checked, to_utc = self._checker.check, self._checker.checked, iso_to_utc
        for line, fields, amount_text, sent_text, decided_text, ident_text, fast in columns:
            if fast:
                try:
                    sent_at = to_utc(sent_text)
                    decided_at = to_utc(decided_text) if decided_text else None
                except (ValueError, OverflowError):  # no such day: check() says why
                    pass
                else:
                    row = checked(
                        line, Decimal(amount_text), sent_at, decided_at, ident_text or None, fields
                    )
                    if row is not None:
                        yield row
                    continue
            row = check(
                line,
                amount_text or None,
                sent_text or None,
                decided_text or None,
                ident_text or None,
                fields,
            )
            if row is not None:
                yield row
