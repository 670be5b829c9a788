"""The metric part of the pushed-down tally: outcome counts and sums per week and per price
band (added up from the tally's cells), then the stale pipeline with the latency histogram
(one plain scan on SQLite, ``stale_pipeline``) and the amount median (a sort of one piece of
a price band, ``metric_medians``).

Sums are exact: both backends add the integer scaled amounts (``encodings.scaled_amount``),
exact for amounts with at most ``AMOUNT_SCALE`` decimals, and on PostgreSQL much cheaper than
adding ``numeric`` values. A source holding a finer or a huge amount (counted in the same
scan), or whose integer sum overflows (SQLite), has its sums made in Python from the stored
exact amounts instead. The same scan keeps the latest sending time, which the stale pipeline
needs, so that costs no scan of its own. The result must equal the core's ``tally_metrics``
exactly (the contract and pushdown tests check it).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from snapshot_core.domain import BandScheme, EstimateRow, week_label
from snapshot_core.domain.metrics import EXACT, BandOutcomes, MetricTallies, tally_metrics

from .encodings import OUTCOME_OF_CODE
from .metric_columns import LOST, OUTCOME_CELLS, PENDING_CODE, WON, Cell, MetricColumns
from .metric_medians import median_amount, median_of_histogram, median_pivots
from .schema import estimates
from .stale_pipeline import latest_sent, stale_and_latencies, stale_and_median

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

# Cell, MetricColumns and OUTCOME_CELLS live in metric_columns; named here too, where the
# tally (and code compiling its statements) has always found them.
__all__ = ["OUTCOME_CELLS", "Cell", "MetricColumns", "metric_tallies", "python_sums"]


def python_sums(uow: SqlUnitOfWork, source_key: int, scheme: BandScheme) -> MetricTallies:
    """The rare path: the core's reference tally over the stored exact rows."""
    columns = (estimates.c.week_key, estimates.c.amount, estimates.c.outcome, estimates.c.sent_at)
    query = select(*columns).where(estimates.c.source_key == source_key)
    rows, keys = [], []
    for week_key, amount, code, sent_at in (tuple(row) for row in uow.execute(query)):
        rows.append(EstimateRow(amount=amount, sent_at=sent_at, outcome=OUTCOME_OF_CODE[code]))
        keys.append(week_key)
    week_of_row = {
        id(row): week_label(*divmod(key, 100)) for row, key in zip(rows, keys, strict=True)
    }
    return tally_metrics(
        rows,
        week_of=lambda row: week_of_row[id(row)],
        band_of=lambda row: scheme.price_labels[scheme.price_band_index(row.amount)],
    )


def metric_tallies(
    uow: SqlUnitOfWork,
    source_key: int | None,
    scheme: BandScheme,
    cells: Sequence[Cell],
    price_counts: list[int],
    histogram: list[tuple[int, int]] | None,
) -> tuple[MetricTallies, list[tuple[int, int]]]:
    """The metrics, and the latency histogram ((whole days, count), ascending days; made here
    when ``histogram`` is ``None``)."""
    if source_key is None:
        return MetricTallies(), []
    with localcontext(EXACT):
        return _metric_tallies(uow, source_key, scheme, cells, price_counts, histogram)


def _metric_tallies(
    uow: SqlUnitOfWork,
    source_key: int,
    scheme: BandScheme,
    cells: Sequence[Cell],
    price_counts: list[int],
    histogram: list[tuple[int, int]] | None,
) -> tuple[MetricTallies, list[tuple[int, int]]]:
    money = MetricColumns(uow.dialect).money
    overflowed = any(cell.values is None for cell in cells)
    inexact = any(cell.values[1] for cell in cells if cell.values)  # PostgreSQL counts them here
    if overflowed:
        latest = latest_sent(uow, source_key)
    else:
        latest = max((cell.values[2] for cell in cells if cell.values), default=None)
    two_passes = uow.dialect == "postgresql" and not inexact and histogram is not None
    median: Decimal | None = None
    if two_passes and latest is not None:
        stale_count, stale_amount, median = stale_and_median(
            uow, source_key, scheme, latest, price_counts
        )
        latencies = sorted(histogram or [])
    else:
        scaled_by_band = None if overflowed else _scaled_by_band(cells, len(price_counts))
        pivots = median_pivots(scheme, price_counts, scaled_by_band)
        stale_count, stale_amount, latencies, inexact_rows, below = stale_and_latencies(
            uow, source_key, latest, histogram, pivots
        )
        inexact = inexact or inexact_rows
    exact = not overflowed and not inexact
    # Integer scaled sums (exact), made Decimal once each at the end.
    week_sums: dict[str, list[int]] = {}  # week -> [scaled sum, won, lost]
    band_sums = [[0, 0, 0] for _ in price_counts]
    counts, sums = [0] * OUTCOME_CELLS, [0] * OUTCOME_CELLS  # by outcome code
    for cell in cells if exact else ():
        scaled = cell.values[0] if cell.values else 0
        counts[cell.code] += cell.rows
        sums[cell.code] += scaled
        won, lost = cell.rows * (cell.code == WON), cell.rows * (cell.code == LOST)
        for into in (week_sums.setdefault(cell.week, [0, 0, 0]), band_sums[cell.band]):
            into[0] += scaled
            into[1] += won
            into[2] += lost
    if exact:
        weeks = {week: _outcomes(money, *values) for week, values in week_sums.items()}
        bands = {
            label: _outcomes(money, *values)
            for label, count, values in zip(
                scheme.price_labels, price_counts, band_sums, strict=True
            )
            if count
        }
        named = {
            "won": (counts[WON], money(sums[WON])),
            "lost": (counts[LOST], money(sums[LOST])),
            "pending": (counts[PENDING_CODE], money(sums[PENDING_CODE])),
        }
        total_amount = money(sum(sums))
    else:
        exact_tally = python_sums(uow, source_key, scheme)
        weeks, bands = dict(exact_tally.weeks), dict(exact_tally.price_bands)
        named = {
            "won": (exact_tally.won, exact_tally.won_amount),
            "lost": (exact_tally.lost, exact_tally.lost_amount),
            "pending": (exact_tally.pending, exact_tally.open_amount),
        }
        total_amount = exact_tally.total_amount
    if not two_passes:
        median = median_amount(
            uow,
            source_key,
            scheme,
            price_counts,
            exact=exact,
            band_sums=scaled_by_band,
            below=below,
        )
    metrics = MetricTallies(
        won=named["won"][0],
        lost=named["lost"][0],
        pending=named["pending"][0],
        won_amount=named["won"][1],
        lost_amount=named["lost"][1],
        open_amount=named["pending"][1],
        total_amount=total_amount,
        median_amount=median,
        median_latency_days=median_of_histogram(latencies),
        stale_pending=stale_count,
        stale_amount=stale_amount,
        weeks=weeks,
        price_bands=bands,
    )
    return metrics, latencies


def _scaled_by_band(cells: Sequence[Cell], bands: int) -> list[int]:
    """Each price band's sum of scaled amounts (cells whose sums did not overflow)."""
    sums = [0] * bands
    for cell in cells:
        sums[cell.band] += int(cell.values[0]) if cell.values and cell.values[0] else 0
    return sums


def _outcomes(money: Any, scaled: int, won: int, lost: int) -> BandOutcomes:
    return BandOutcomes(amount_total=money(scaled), won=won, lost=lost)
