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
from functools import partial
from itertools import repeat
from operator import add, floordiv, lt
from typing import NamedTuple

from snapshot_core.domain import EstimateRow
from snapshot_core.domain.estimate_columns import (
    MICROS_PER_DAY,
    EstimateColumns,
    micros_of,
    moment_of,
)

from .amounts import MAX_INTEGER_DIGITS, PLAIN_AMOUNT, AmountReader
from .column_checks import (
    EPOCH_WEEK_OFFSET,
    ShapeColumn,
    instants,
    plain_ids,
    stripped,
)
from .columns import Columns
from .construct import trusted_row
from .rows import RowChecker
from .values import ISO_TIMESTAMP, iso_to_utc

__all__ = ["BATCH_ROWS", "PlainRows"]

BATCH_ROWS = 512  # rows whose columns are checked together
_NEVER = 1 << 63  # later than any instant (microseconds): a decision not made
MONEY_AMOUNT = re.compile(r"\$?[0-9]{1,3}(?:,[0-9]{3}){1,4}\.[0-9]{1,10}")


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
        self._point_amounts = ShapeColumn(PLAIN_AMOUNT)
        self._whole_amounts = ShapeColumn(re.compile(f"[0-9]{{1,{MAX_INTEGER_DIGITS}}}"))
        self._sent_dates = ShapeColumn(ISO_TIMESTAMP)
        self._decided_dates = ShapeColumn(ISO_TIMESTAMP, empty_ok=True)
        # `$6,327.07` under a decimal point: what AmountReader reads as Decimal("6327.07")
        # (its first digit not 0, as a group's must be; at most 15 digits).
        self._money_amounts = ShapeColumn(MONEY_AMOUNT)

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

    def rows(
        self, lines: list[int], records: list[list[str]]
    ) -> Iterable[EstimateRow | EstimateColumns]:
        amount, sent, decided, ident = self._amount, self._sent, self._decided, self._ident
        amounts = stripped(records, amount)
        sents = stripped(records, sent)
        decideds = stripped(records, decided) if decided >= 0 else None
        idents = stripped(records, ident) if ident >= 0 else None
        point = self._read_amount.convention == "point"
        by_columns = self._checker.columns_ok()
        amount_fits = (self._point_amounts if point else self._whole_amounts).misfits(amounts)
        readings = amounts
        if amount_fits is not None and point and by_columns:
            readings = self._money(amounts, amount_fits)
        # Per row, whether all its values are plain: None (the common case) when all are.
        misfits = [amount_fits] + [
            column.misfits(values)
            for column, values in ((self._sent_dates, sents), (self._decided_dates, decideds))
            if values is not None
        ]
        flags = [flag for flag in misfits if flag is not None]
        plain: list[bool] | None = (
            None if not flags else [all(row) for row in zip(*flags, strict=True)]
        )
        values = _Batch(lines, records, amounts, sents, decideds, idents, readings)
        if by_columns:
            return self._columns(values, [True] * len(lines) if plain is None else plain)
        return self._one_by_one(values, plain)

    def _money(self, amounts: list[str], fits: list[bool]) -> list[str]:
        """The amounts as ``Decimal`` reads them, `$6,327.07` as `6327.07` (marked as fitting
        in ``fits``); the others as they are."""
        positions = [index for index, fit in enumerate(fits) if not fit]
        texts = [amounts[index] for index in positions]
        money = self._money_amounts.misfits(texts)
        readings = amounts
        for position, index in enumerate(positions):
            text = texts[position]
            if (money is None or money[position]) and text.lstrip("$")[0] != "0":
                if readings is amounts:
                    readings = list(amounts)
                readings[index] = text.replace("$", "").replace(",", "")
                fits[index] = True
        return readings

    def _columns(self, batch: _Batch, fast: list[bool]) -> tuple[EstimateColumns, ...]:
        """The batch judged a column at a time (module docstring), as one EstimateColumns
        of the rows kept; a row that is not plain, or whose values fail a check, goes
        through ``check()`` in its place."""
        count, checker = len(batch.lines), self._checker
        sent_at = instants(batch.sents, fast, optional=False)
        decideds = batch.decideds
        decided_at: list[int | None] = (
            [None] * count if decideds is None else instants(decideds, fast, optional=True)
        )
        if decideds is not None and _any_before(decided_at, sent_at):
            for index, (decided, sent) in enumerate(zip(decided_at, sent_at, strict=True)):
                if decided is not None and sent is not None and decided < sent:
                    fast[index] = False  # check() rejects it ("is before sent_at")
        idents = batch.idents
        ids: list[str | None]
        if idents is None:
            ids = [None] * count
        elif plain_ids(idents, fast) and all(fast) and all(idents):
            # The common case: every row's id to record, none of the others' (the general
            # case below, with every row chosen and no others).
            ids = list(idents)
            for position in checker.new_ids(idents, batch.lines, set()):
                fast[position] = False
        else:  # plain_ids has marked the rows whose id check() must judge
            ids = [text or None for text in idents]
            chosen = [index for index in range(count) if fast[index] and idents[index]]
            others = {text for text, good in zip(idents, fast, strict=True) if text and not good}
            lines = batch.lines
            refused = checker.new_ids(
                [idents[index] for index in chosen], [lines[index] for index in chosen], others
            )
            for position in refused:
                fast[chosen[position]] = False
        span = 7 * MICROS_PER_DAY
        weeks: list[int]
        try:  # no bytecode a row: this runs for every row of a large file
            offsets = map(add, sent_at, repeat(EPOCH_WEEK_OFFSET, count))
            weeks = list(map(floordiv, offsets, repeat(span, count)))
        except TypeError:  # a sent_at not read (None): a row check() judges
            weeks = [
                (micros + EPOCH_WEEK_OFFSET) // span if micros is not None else 0
                for micros in sent_at
            ]

        def row_of(index: int) -> EstimateRow:
            decided = decided_at[index]
            return trusted_row(
                Decimal(batch.readings[index]),
                moment_of(sent_at[index]),  # type: ignore[arg-type]  # a fast row's is read
                None if decided is None else moment_of(decided),
                ids[index],
                None,
            )

        kept = checker.kept_of_batch(
            batch.lines, fast, weeks, batch.records, row_of, partial(self._check, batch)
        )
        if not kept:
            return ()
        if len(kept) == count:  # every row kept: the columns as they are, the others' put in
            amounts = batch.readings
            for index in [index for index, good in enumerate(fast) if not good]:
                row = kept[index]
                assert not isinstance(row, int)  # a row check() kept, in its place
                amounts[index], sent_at[index], decided_at[index], ids[index] = _stored(row)
            return (EstimateColumns(amounts, sent_at, decided_at, ids),)  # type: ignore[arg-type]
        return (_gathered(kept, batch.readings, sent_at, decided_at, ids),)

    def _check(self, batch: _Batch, index: int) -> EstimateRow | None:
        decideds, idents = batch.decideds, batch.idents
        return self._checker.check(
            batch.lines[index],
            batch.amounts[index] or None,
            batch.sents[index] or None,
            (decideds[index] or None) if decideds is not None else None,
            (idents[index] or None) if idents is not None else None,
            batch.records[index],
        )

    def _one_by_one(self, batch: _Batch, plain: list[bool] | None) -> Iterator[EstimateRow]:
        """Row by row (while plausibility warms up): ``checked()`` for the rows whose values
        are plain, ``check()`` for the others."""
        decideds, idents = batch.decideds, batch.idents
        columns = zip(
            batch.lines,
            batch.records,
            batch.amounts,
            batch.sents,
            repeat("") if decideds is None else decideds,
            repeat("") if idents is None else idents,
            repeat(True) if plain is None else plain,
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


def _any_before(decided_at: list[int | None], sent_at: list[int | None]) -> bool:
    """Whether a row's decided_at may be before its sent_at: False (the common case) only
    when none is, found in C; True also when a sent_at was not read."""
    later = [_NEVER if decided is None else decided for decided in decided_at]
    try:
        return any(map(lt, later, sent_at))  # type: ignore[arg-type]  # TypeError for None
    except TypeError:
        return True


class _Batch(NamedTuple):
    """A batch's records (and their lines) and its columns' stripped texts."""

    lines: list[int]
    records: list[list[str]]
    amounts: list[str]
    sents: list[str]
    decideds: list[str] | None
    idents: list[str] | None
    readings: list[str]  # the amounts as Decimal reads them (fast rows')


def _stored(row: EstimateRow) -> tuple[str, int, int | None, str | None]:
    """A row check() kept, as the columns hold it (amount, sent_at, decided_at, id)."""
    decided = row.decided_at
    return (
        str(row.amount),
        micros_of(row.sent_at),
        None if decided is None else micros_of(decided),
        row.estimate_id,
    )


def _gathered(
    kept: list[int | EstimateRow],
    amounts: list[str],
    sent_at: list[int | None],
    decided_at: list[int | None],
    ids: list[str | None],
) -> EstimateColumns:
    """The kept rows as columns: a fast row's values by position, another's from its row
    (a batch with rows left out: off the common path)."""
    rows = [
        (amounts[item], sent_at[item], decided_at[item], ids[item])
        if isinstance(item, int)
        else _stored(item)
        for item in kept
    ]
    # kept is not empty: the caller returns nothing for a batch with no row kept.
    columns = [list(column) for column in zip(*rows, strict=True)]
    return EstimateColumns(*columns)
