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
from typing import TYPE_CHECKING

from sqlalchemy import select

from snapshot_core.domain import BandScheme, EstimateRow, week_label
from snapshot_core.domain.metrics import EXACT, MetricTallies, tally_metrics

from .encodings import OUTCOME_OF_CODE
from .median_positions import median_of_histogram, median_pivots
from .metric_columns import OUTCOME_CELLS, Cell, MetricColumns
from .metric_medians import median_amount
from .schema import estimates
from .stale_pipeline import latency_histogram, latest_sent, stale_and_latencies, stale_and_median
from .tally_figures import (
    Sums,
    exact_sums,
    gathers_days,
    latest_of,
    metric_tallies_of,
    scaled_by_band,
)

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
    overflowed = any(cell.values is None for cell in cells)
    inexact = any(cell.values[1] for cell in cells if cell.values)  # PostgreSQL counts them here
    latest = latest_sent(uow, source_key) if overflowed else latest_of(cells)
    two_passes = uow.dialect == "postgresql" and not inexact and histogram is not None
    median: Decimal | None = None
    if two_passes and latest is not None:
        stale_count, stale_amount, median = stale_and_median(
            uow, source_key, scheme, latest, price_counts
        )
        latencies = sorted(histogram or [])
    else:
        scaled_by_bands = None if overflowed else scaled_by_band(cells, len(price_counts))
        pivots = median_pivots(scheme, price_counts, scaled_by_bands)
        if histogram is None and not gathers_days(sum(price_counts)):
            histogram = latency_histogram(uow, source_key)
        stale_count, stale_amount, latencies, inexact_rows, below = stale_and_latencies(
            uow, source_key, latest, histogram, pivots
        )
        inexact = inexact or inexact_rows
    exact = not overflowed and not inexact
    if exact:
        sums = exact_sums(scheme, cells, price_counts)
    else:
        sums = Sums.of(python_sums(uow, source_key, scheme))
    if not two_passes:
        median = median_amount(
            uow,
            source_key,
            scheme,
            price_counts,
            exact=exact,
            band_sums=scaled_by_bands,
            below=below,
        )
    median_latency = median_of_histogram(latencies)
    metrics = metric_tallies_of(sums, median, median_latency, stale_count, stale_amount)
    return metrics, latencies
