"""EstimateColumns: checked estimate rows a batch at a time, one list per column.

A file reader that has checked a batch of rows column by column hands them to storage in
this form, so neither side builds (and re-reads) an ``EstimateRow`` per row. The values
are held as storage wants them: an amount as its decimal text (``Decimal(text)`` is the
amount, exactly), instants as whole microseconds since 1970-01-01 UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice, repeat

from .models import EstimateRow, Outcome

__all__ = ["EPOCH", "MICROS_PER_DAY", "EstimateColumns", "micros_of", "moment_of"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROS_PER_DAY = 86_400_000_000
_MICROSECOND = timedelta(microseconds=1)


def micros_of(moment: datetime) -> int:
    """Whole microseconds from 1970-01-01 UTC to an aware moment."""
    return (moment - EPOCH) // _MICROSECOND


def moment_of(micros: int) -> datetime:
    """The aware UTC moment ``micros`` microseconds after 1970-01-01 UTC."""
    return EPOCH + timedelta(microseconds=micros)


@dataclass(frozen=True, slots=True)
class EstimateColumns:
    """Rows whose values were checked as strictly as ``EstimateRow`` checks them (amount
    finite and >= 0, decided not before sent, ids storable), in file order: the i-th row
    is ``amounts[i]``, ``sent_at[i]``, ... ``outcomes`` ``None`` means no row has one."""

    amounts: list[str]
    sent_at: list[int]
    decided_at: list[int | None]
    estimate_ids: list[str | None]
    outcomes: list[Outcome | None] | None = None

    def __len__(self) -> int:
        return len(self.amounts)

    def rows(self) -> Iterator[EstimateRow]:
        """The rows as models (validated: for stores that keep models, off the fast path)."""
        moment = moment_of
        for amount, sent, decided, ident, outcome in zip(
            self.amounts,
            self.sent_at,
            self.decided_at,
            self.estimate_ids,
            repeat(None) if self.outcomes is None else self.outcomes,
            strict=False,  # repeat() is endless; the lists have one value a row
        ):
            yield EstimateRow(
                amount=Decimal(amount),
                sent_at=moment(sent),
                decided_at=None if decided is None else moment(decided),
                estimate_id=ident,
                outcome=outcome,
            )

    @classmethod
    def batches_of(cls, rows: Iterable[EstimateRow], size: int = 512) -> Iterator[EstimateColumns]:
        """``rows`` as batches of up to ``size`` rows, consumed lazily."""
        rows = iter(rows)
        while batch := list(islice(rows, size)):
            yield cls.of_rows(batch)

    @classmethod
    def of_rows(cls, rows: Iterable[EstimateRow]) -> EstimateColumns:
        """Rows as columns (``str`` of a Decimal reads back as the very same Decimal)."""
        rows = list(rows)
        outcomes = [row.outcome for row in rows]
        return cls(
            [str(row.amount) for row in rows],
            [micros_of(row.sent_at) for row in rows],
            [None if row.decided_at is None else micros_of(row.decided_at) for row in rows],
            [row.estimate_id for row in rows],
            outcomes if any(outcome is not None for outcome in outcomes) else None,
        )
