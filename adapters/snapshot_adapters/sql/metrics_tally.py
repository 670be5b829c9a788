"""The metric part of the pushed-down tally: outcome counts and sums per week and below each
price edge (in the tally's one scan), then the stale pipeline with the latency histogram (one
grouped scan) and the amount median (a sort of one price band).

Sums are exact: both backends add the integer scaled amounts (``encodings.scaled_amount``),
exact for amounts with at most ``AMOUNT_SCALE`` decimals, and on PostgreSQL much cheaper than
adding ``numeric`` values. A source holding a finer or a huge amount (counted in the same
scan), or whose integer sum overflows (SQLite), has its sums made in Python from the stored
exact amounts instead. The same scan keeps the latest sending time, which the stale pipeline
needs, so that costs no scan of its own. The result must equal the core's ``tally_metrics``
exactly (the contract and pushdown tests check it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    and_,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.exc import OperationalError

from snapshot_core.domain import BandScheme, EstimateRow
from snapshot_core.domain.metrics import (
    EXACT,
    STALE_AFTER_DAYS,
    BandOutcomes,
    MetricTallies,
    tally_metrics,
)

from .encodings import AMOUNT_SCALE, OUTCOME_CODES, OUTCOME_OF_CODE, SCALED_AMOUNT_CAP
from .errors import database_errors
from .metric_medians import median_amount, median_of_histogram
from .schema import estimates

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

__all__ = ["MetricColumns", "metric_tallies", "python_sums"]

WON, LOST, PENDING_CODE = OUTCOME_CODES["won"], OUTCOME_CODES["lost"], OUTCOME_CODES["pending"]
_SCALE = Decimal(10) ** AMOUNT_SCALE


class MetricColumns:
    """The metric columns of one tally row, and how to read them back: the outcome counts and
    sums, three per price edge, then the count of inexact amounts and the latest sending time."""

    def __init__(self, dialect: str, below: Sequence[ColumnElement[bool]]) -> None:
        self.dialect, self.below = dialect, list(below)
        self.amount: ColumnElement[Any] = estimates.c.amount_scaled

    def columns(self) -> list[ColumnElement[Any]]:
        outcome, amount = estimates.c.outcome, self.amount
        columns: list[ColumnElement[Any]] = [
            *(func.count().filter(outcome == code) for code in (WON, LOST, PENDING_CODE)),
            func.sum(amount),
            *(func.sum(amount).filter(outcome == code) for code in (WON, LOST, PENDING_CODE)),
        ]
        for below in self.below:
            columns += [
                func.sum(amount).filter(below),
                func.count().filter(below & (outcome == WON)),
                func.count().filter(below & (outcome == LOST)),
            ]
        return [*columns, func.count().filter(self.inexact()), func.max(estimates.c.sent_at)]

    def inexact(self) -> ColumnElement[bool]:
        """A row whose scaled amount is not its exact amount (finer, or capped)."""
        if self.dialect == "postgresql":  # numeric's scale: digits after the point, as stored
            fraction_digits: ColumnElement[Any] = func.scale(estimates.c.amount)
        else:
            text_amount = cast(estimates.c.amount, Text)
            fraction_digits = func.length(text_amount) - func.instr(text_amount, literal("."))
        return or_(fraction_digits > AMOUNT_SCALE, estimates.c.amount_scaled >= SCALED_AMOUNT_CAP)

    def width(self) -> int:
        return 9 + 3 * len(self.below)

    def money(self, value: Any) -> Decimal:
        return Decimal(0) if value is None else Decimal(value) / _SCALE


def _bands_from_cumulative(cumulative: list[Any], total: Any) -> list[Any]:
    bounds = [*cumulative, total]
    return [upper - lower for lower, upper in zip([0, *cumulative], bounds, strict=True)]


def python_sums(
    uow: SqlUnitOfWork, source_key: int, scheme: BandScheme, week_label: Any
) -> MetricTallies:
    """The rare path: the core's reference tally over the stored exact rows."""
    columns = (estimates.c.week_key, estimates.c.amount, estimates.c.outcome, estimates.c.sent_at)
    query = select(*columns).where(estimates.c.source_key == source_key)
    rows, keys = [], []
    for week_key, amount, code, sent_at in (tuple(row) for row in uow.execute(query)):
        rows.append(EstimateRow(amount=amount, sent_at=sent_at, outcome=OUTCOME_OF_CODE[code]))
        keys.append(week_key)
    week_of_row = {id(row): week_label(key) for row, key in zip(rows, keys, strict=True)}
    return tally_metrics(
        rows,
        week_of=lambda row: week_of_row[id(row)],
        band_of=lambda row: scheme.price_labels[scheme.price_band_index(row.amount)],
    )


def _latest(uow: SqlUnitOfWork, source_key: int) -> datetime | None:
    """The latest sending time, when the tally's scan could not give it (sums overflowed)."""
    return uow.execute(
        select(func.max(estimates.c.sent_at)).where(estimates.c.source_key == source_key)
    ).scalar_one_or_none()


def _stale_and_latencies(
    uow: SqlUnitOfWork, source_key: int, latest: datetime | None
) -> tuple[int, Decimal, list[tuple[int, int]]]:
    """Pending estimates sent over STALE_AFTER_DAYS before the latest one (count and sum), and
    the histogram of whole days to a decision. PostgreSQL: one scan grouped by those days (a
    few hundred groups; the stale rows, pending, all fall in the NULL group). SQLite groups
    through a sorter: sorting only the decided rows, and filtering the stale ones apart, is
    cheaper there than sorting every row."""
    if latest is None:
        return 0, Decimal(0), []
    days, columns = estimates.c.latency_days, MetricColumns(uow.dialect, [])
    stale = and_(
        estimates.c.outcome == PENDING_CODE,
        estimates.c.sent_at < latest - timedelta(days=STALE_AFTER_DAYS),
    )
    where = estimates.c.source_key == source_key
    rows: list[tuple[Any, ...]]
    if uow.dialect == "postgresql":
        rows = _grouped(uow, columns, select(days, func.count()).where(where).group_by(days), stale)
    else:
        decided = select(days, func.count()).where(where, days.is_not(None)).group_by(days)
        rows = [(*row, 0, None, 0) for row in uow.execute(decided)]
        rows += _grouped(uow, columns, select(null(), literal(0)).where(where, stale), true())  # type: ignore[arg-type]
    histogram = sorted((day, count) for day, count, *_ in rows if day is not None)
    if not any(row[4] for row in rows):
        stale_sum = sum(map(columns.money, (row[3] for row in rows)), Decimal(0))
        return sum(row[2] for row in rows), stale_sum, histogram
    amounts = [amount for (amount,) in uow.execute(select(estimates.c.amount).where(where, stale))]
    return len(amounts), sum(amounts, Decimal(0)), histogram


def _grouped(
    uow: SqlUnitOfWork, columns: MetricColumns, query: Select[Any], stale: ColumnElement[bool]
) -> list[tuple[Any, ...]]:
    """The query's rows with the stale count, sum and inexact count appended (the sum
    ``None`` and one inexact row if SQLite's integer sum overflowed: summed in Python)."""
    counted = query.add_columns(func.count().filter(stale))
    sums = [func.sum(columns.amount).filter(stale), func.count().filter(stale & columns.inexact())]
    try:
        return [tuple(row) for row in uow.connection.execute(counted.add_columns(*sums))]
    except OperationalError as error:
        if "integer overflow" not in str(error.orig):
            with database_errors(uow.store.url):
                raise
    return [(*row, None, 1) for row in uow.execute(counted)]


def metric_tallies(
    uow: SqlUnitOfWork,
    source_key: int | None,
    scheme: BandScheme,
    rows: Iterable[tuple[str, int, Sequence[Any] | None]],
    price_counts: list[int],
    decided: int,
    week_label: Any,
) -> MetricTallies:
    """``rows``: (week label, week count, metric columns or ``None``: sums overflowed)."""
    if source_key is None:
        return MetricTallies()
    with localcontext(EXACT):
        return _metric_tallies(
            uow, source_key, scheme, list(rows), price_counts, decided, week_label
        )


def _metric_tallies(
    uow: SqlUnitOfWork,
    source_key: int,
    scheme: BandScheme,
    listed: list[tuple[str, int, Sequence[Any] | None]],
    price_counts: list[int],
    decided: int,
    week_label: Any,
) -> MetricTallies:
    columns = MetricColumns(uow.dialect, [])
    n_edges = len(scheme.price_edges)
    weeks: dict[str, BandOutcomes] = {}
    counts = {"won": 0, "lost": 0, "pending": 0}
    sums = {"won": Decimal(0), "lost": Decimal(0), "pending": Decimal(0), "all": Decimal(0)}
    band_sums, band_won, band_lost = [Decimal(0)] * n_edges, [0] * n_edges, [0] * n_edges
    exact = all(values is not None and not values[-2] for _, _, values in listed)
    latest = max((values[-1] for _, _, values in listed if values is not None), default=None)
    if any(values is None for _, _, values in listed):
        latest = _latest(uow, source_key)
    for label, _count, values in listed:
        if values is None:
            continue
        won, lost, pending, week_sum, won_sum, lost_sum, pending_sum = values[:7]
        counts["won"] += won
        counts["lost"] += lost
        counts["pending"] += pending
        named = (("all", week_sum), ("won", won_sum), ("lost", lost_sum), ("pending", pending_sum))
        for name, value in named:
            sums[name] += columns.money(value)
        weeks[label] = BandOutcomes(amount_total=columns.money(week_sum), won=won, lost=lost)
        for edge in range(n_edges):
            below_sum, below_won, below_lost = values[7 + 3 * edge : 10 + 3 * edge]
            band_sums[edge] += columns.money(below_sum)
            band_won[edge] += below_won
            band_lost[edge] += below_lost
    amounts = _bands_from_cumulative(band_sums, sums["all"])
    won_by_band = _bands_from_cumulative(band_won, counts["won"])
    lost_by_band = _bands_from_cumulative(band_lost, counts["lost"])
    bands = {
        label: BandOutcomes(amount_total=a, won=w, lost=lo)
        for label, c, a, w, lo in zip(
            scheme.price_labels, price_counts, amounts, won_by_band, lost_by_band, strict=True
        )
        if c
    }
    if not exact:
        exact_tally = python_sums(uow, source_key, scheme, week_label)
        weeks, bands = dict(exact_tally.weeks), dict(exact_tally.price_bands)
        counts = {"won": exact_tally.won, "lost": exact_tally.lost, "pending": exact_tally.pending}
        sums = {
            "won": exact_tally.won_amount,
            "lost": exact_tally.lost_amount,
            "pending": exact_tally.open_amount,
            "all": exact_tally.total_amount,
        }
    stale_count, stale_amount, latencies = _stale_and_latencies(uow, source_key, latest)
    return MetricTallies(
        won=counts["won"],
        lost=counts["lost"],
        pending=counts["pending"],
        won_amount=sums["won"],
        lost_amount=sums["lost"],
        open_amount=sums["pending"],
        total_amount=sums["all"],
        median_amount=median_amount(uow, source_key, scheme, price_counts, exact=exact),
        median_latency_days=median_of_histogram(latencies),
        stale_pending=stale_count,
        stale_amount=stale_amount,
        weeks=weeks,
        price_bands=bands,
    )
