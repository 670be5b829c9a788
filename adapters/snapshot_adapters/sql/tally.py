"""The bucketing query, pushed down: one scan of the source's estimates grouped into cells —
(ISO week key prepared at ingest, price band, outcome code) — each with a count, and for the
metrics a scaled sum, a count of inexact amounts and the latest sending time.

Every figure of a tally (weeks, price bands, outcome counts and sums per week and per band)
is a sum over cells, so the database does four aggregates a row and Python adds up a few
hundred cells, instead of one FILTER aggregate per edge, outcome and sum (about 35 a row).
The cell is one integer, so grouping compares (SQLite: sorts) one integer a row. Latency
bands come from the latency histogram the metrics need anyway (``metrics_tally``). Edges come
with each call (the band scheme is configurable), so bands are found at query time, on
integers when the edges allow it (see ``encodings.scaled_amount``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, case, func, null, select, text
from sqlalchemy.exc import OperationalError

from snapshot_core.domain import BandScheme, BucketTallies

from .errors import database_errors
from .metric_medians import band_bounds
from .metrics_tally import OUTCOME_CELLS, MetricColumns, metric_tallies
from .schema import estimates
from .tally_figures import bucket_tallies, read_cells, week_label

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

__all__ = ["tally", "tally_query", "week_label"]

MEDIAN_SORT_MEMORY = "64MB"  # about 80 bytes a sorted row: a band of 800,000 rows


def _cell_key(scheme: BandScheme) -> ColumnElement[Any]:
    """(week_key * bands + price band) * OUTCOME_CELLS + outcome code (0: not known)."""
    amount, bounds = band_bounds(scheme)
    week_band = estimates.c.week_key * (len(bounds) + 1) + _band(amount, bounds, 0, len(bounds))
    return week_band * OUTCOME_CELLS + func.coalesce(estimates.c.outcome, 0)


def _band(
    amount: ColumnElement[Any], bounds: list[Any], low: int, high: int
) -> ColumnElement[Any] | int:
    """The index of the amount's price band, known to be in [low, high], by halving: about
    log2(bands) comparisons a row instead of one a band below it (a row in the top band of
    six compared five times)."""
    if low == high:
        return low
    middle = (low + high + 1) // 2  # bands below middle are below bounds[middle - 1]
    return case(
        (amount < bounds[middle - 1], _band(amount, bounds, low, middle - 1)),
        else_=_band(amount, bounds, middle, high),
    )


def tally_query(
    source_key: int, scheme: BandScheme, dialect: str = "sqlite", *, metrics: bool = True
) -> Select[Any]:
    """Rows of (cell key, latency days, count, metric columns (``MetricColumns``) unless
    ``metrics`` is false): one per cell with NULL days; on PostgreSQL with the metrics, also
    one per whole days to a decision with a NULL cell (the latency histogram, in the same
    scan through grouping sets; SQLite has none, ``metrics_tally`` makes it there)."""
    days = estimates.c.latency_days
    histogram = metrics and dialect == "postgresql"
    columns: list[ColumnElement[Any]] = [
        _cell_key(scheme),
        days if histogram else null(),
        func.count(),
    ]
    if metrics:
        columns += MetricColumns(dialect).columns()
    # By position: the key holds bound edges, which PostgreSQL would not match between a
    # repeated expression's two sets of parameters.
    groups = "GROUPING SETS ((1), (2))" if histogram else "1"
    return select(*columns).where(estimates.c.source_key == source_key).group_by(text(groups))


def tally(uow: SqlUnitOfWork, source_key: int | None, scheme: BandScheme) -> BucketTallies:
    """The tally of the source with this key (``None``: an unknown source, nothing to count)."""
    if uow.dialect == "postgresql":
        # For this transaction only. Right after an ingest the planner has no statistics for
        # the new source and guesses one row, then may sort a million rows on disk to group
        # them; there are only as many groups as cells, so hashing is always right. And a
        # one-off aggregate gains less from JIT compilation than the compilation costs. The
        # median's sort of one price band (a third of a million rows of a million-row source)
        # spilled to disk ("external merge") within the default 4 MB of work_mem.
        uow.execute(
            text(
                "SELECT set_config('enable_sort', 'off', true), set_config('jit', 'off', true),"
                f" set_config('work_mem', '{MEDIAN_SORT_MEMORY}', true)"
            )
        )
    histogram: list[tuple[int, int]] | None = None if uow.dialect == "sqlite" else []
    rows = [] if source_key is None else _tally_rows(uow, source_key, scheme)
    read = read_cells(rows, len(scheme.price_edges) + 1, histogram)
    metrics, latencies = metric_tallies(
        uow, source_key, scheme, read.cells, read.price_counts, read.histogram
    )
    return bucket_tallies(scheme, read, metrics, latencies)


def _tally_rows(uow: SqlUnitOfWork, source_key: int, scheme: BandScheme) -> list[tuple[Any, ...]]:
    """The cells; without the metric columns if SQLite's integer sum overflowed (amounts
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
