"""The bucketing query, pushed down: one scan of the source's estimates, grouped by the ISO
week key prepared at ingest, with one FILTER count per band edge.

A tally needs only the three marginal distributions, never their combinations, so each row
costs one small hash lookup (its week) and one comparison per edge: no CASE expressions, and
a group count (weeks) small enough for PostgreSQL to aggregate in parallel. Edges come with
each call (the band scheme is configurable), so the comparisons are made at query time,
on integers when the edges allow it (see ``encodings.scaled_amount``).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, func, select, text
from sqlalchemy.exc import OperationalError

from snapshot_core.domain import BandScheme, BucketTallies
from snapshot_core.domain import week_label as core_week_label

from .errors import database_errors
from .metric_medians import band_bounds
from .metrics_tally import MetricColumns, metric_tallies
from .schema import estimates

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

__all__ = ["tally", "tally_query", "week_label"]

MEDIAN_SORT_MEMORY = "64MB"  # about 80 bytes a sorted row: a band of 800,000 rows


def week_label(week_key: int) -> str:
    """The core's label for a stored key (ISO year × 100 + ISO week)."""
    return core_week_label(*divmod(week_key, 100))


def tally_query(
    source_key: int, scheme: BandScheme, dialect: str = "sqlite", *, metrics: bool = True
) -> Select[Any]:
    """Per week: count, decided count, then ``count(amount < edge)`` for each price edge and
    ``count(latency_days < edge)`` for each latency edge (cumulative counts), then the
    metric columns (``MetricColumns``: outcome counts and sums, per week and below each edge)."""
    amount, bounds = band_bounds(scheme)
    days = estimates.c.latency_days
    columns: list[ColumnElement[Any]] = [
        estimates.c.week_key,
        func.count(),
        func.count(days),  # decided; NULL latency means pending
        *(func.count().filter(amount < bound) for bound in bounds),
        *(func.count().filter(days < edge) for edge in scheme.latency_edges_days),
    ]
    if metrics:
        columns += MetricColumns(dialect, [amount < bound for bound in bounds]).columns()
    return (
        select(*columns).where(estimates.c.source_key == source_key).group_by(estimates.c.week_key)
    )


def _bands(cumulative: list[int], total: int) -> list[int]:
    """Counts below each edge -> counts per band (the last band takes the rest)."""
    bounds = [*cumulative, total]
    return [upper - lower for lower, upper in zip([0, *cumulative], bounds, strict=True)]


def tally(uow: SqlUnitOfWork, source_key: int | None, scheme: BandScheme) -> BucketTallies:
    """The tally of the source with this key (``None``: an unknown source, nothing to count)."""
    if uow.dialect == "postgresql":
        # For this transaction only. Right after an ingest the planner has no statistics for
        # the new source and guesses one row, then may sort a million rows on disk to group
        # them; there are only as many groups as weeks, so hashing is always right. And a
        # one-off aggregate gains less from JIT compilation than the compilation costs. The
        # median's sort of one price band (a third of a million rows of a million-row source)
        # spilled to disk ("external merge") within the default 4 MB of work_mem.
        uow.execute(
            text(
                "SELECT set_config('enable_sort', 'off', true), set_config('jit', 'off', true),"
                f" set_config('work_mem', '{MEDIAN_SORT_MEMORY}', true)"
            )
        )
    n_price = len(scheme.price_edges)
    weeks: Counter[str] = Counter()
    price_below = [0] * n_price
    latency_below = [0] * len(scheme.latency_edges_days)
    total = decided = 0
    result = [] if source_key is None else _tally_rows(uow, source_key, scheme)
    for row in result:
        week_key, count, week_decided = row[0], row[1], row[2]
        weeks[week_label(week_key)] += count
        total += count
        decided += week_decided
        for index, value in enumerate(row[3 : 3 + n_price]):
            price_below[index] += value
        for index, value in enumerate(row[3 + n_price : 3 + n_price + len(latency_below)]):
            latency_below[index] += value
    latency_counts = [*_bands(latency_below, decided), total - decided]
    price_counts = _bands(price_below, total)
    first_metric = 3 + n_price + len(latency_below)
    metric_rows = [
        (week_label(r[0]), r[1], r[first_metric:] if len(r) > first_metric else None)
        for r in result
    ]
    return BucketTallies(
        estimate_count=total,
        weeks=weeks,
        price_bands=_nonzero(scheme.price_labels, price_counts),
        latency_bands=_nonzero(scheme.latency_labels, latency_counts),
        metrics=metric_tallies(
            uow, source_key, scheme, metric_rows, price_counts, decided, week_label
        ),
    )


def _tally_rows(uow: SqlUnitOfWork, source_key: int, scheme: BandScheme) -> list[tuple[Any, ...]]:
    """The per-week rows; without the metric sums if SQLite's integer sum overflowed (amounts
    near 1e14: their sums are then made in Python, see ``metrics_tally``)."""
    query = tally_query(source_key, scheme, uow.dialect)
    try:
        return [tuple(row) for row in uow.connection.execute(query)]
    except OperationalError as error:
        if uow.dialect == "postgresql" or "integer overflow" not in str(error.orig):
            with database_errors(uow.store.url):
                raise
    query = tally_query(source_key, scheme, uow.dialect, metrics=False)
    return [tuple(row) for row in uow.execute(query)]


def _nonzero(labels: tuple[str, ...], counts: list[int]) -> dict[str, int]:
    return {label: count for label, count in zip(labels, counts, strict=True) if count}
