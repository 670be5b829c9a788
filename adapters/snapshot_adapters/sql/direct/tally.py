"""The pushed-down tally on the direct store: the same statements as ``sql/tally.py`` runs
(their compiled copies, ``statements.py``) and the same figures (``tally_figures``,
``median_positions``), without SQLAlchemy, for the default price bands when every amount is
exact and no integer sum overflows. Anything else (another band scheme, an unknown source,
inexact amounts, an overflow, a shape no statement was compiled for) is answered ``None``:
the caller runs today's tally, which handles it, on the same transaction."""

from __future__ import annotations

import sqlite3
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

from snapshot_core.domain import BandScheme, BucketTallies, DatabaseUnavailableError
from snapshot_core.domain.metrics import EXACT

from ..median_positions import (
    median_of_histogram,
    median_of_read,
    median_pieces,
    median_pivots,
)
from ..tally_figures import (
    bucket_tallies,
    exact_sums,
    gathers_days,
    latest_of,
    metric_tallies_of,
    money,
    read_cells,
    read_scan,
    scaled_by_band,
    stale_before,
)
from . import statements
from .tally_names import CELLS, at_name, scan_name

if TYPE_CHECKING:
    from .statement import Statement
    from .unit_of_work import DirectUnitOfWork

__all__ = ["direct_tally"]

_DEFAULT_PRICE_EDGES = BandScheme().price_edges  # the scheme the statements were compiled for


class _Elsewhere(Exception):
    """This tally is one for today's path."""


def direct_tally(
    uow: DirectUnitOfWork, source_key: int, scheme: BandScheme
) -> BucketTallies | None:
    """The source's tally, or ``None`` when today's path must make it."""
    if scheme.price_edges != _DEFAULT_PRICE_EDGES:
        return None
    try:
        with localcontext(EXACT):
            return _tally(uow, source_key, scheme)
    except _Elsewhere:
        return None


def _tally(uow: DirectUnitOfWork, source_key: int, scheme: BandScheme) -> BucketTallies:
    read = read_cells(
        _rows(uow, CELLS, {"source_key": source_key}), len(scheme.price_edges) + 1, None
    )
    cells, price_counts = read.cells, read.price_counts
    if not gathers_days(sum(price_counts)):  # its days are counted by a grouped scan instead
        raise _Elsewhere
    latest = latest_of(cells)
    band_sums = scaled_by_band(cells, len(price_counts))
    pivots = median_pivots(scheme, price_counts, band_sums)
    stale_count, stale_amount = 0, Decimal(0)
    latencies: list[tuple[int, int]] = []
    below: dict[int, int] = {}
    if latest is not None:
        arguments = {"source_key": source_key, "stale_before": stale_before(latest)}
        arguments.update((f"pivot_{i}", pivot) for i, pivot in enumerate(pivots))
        (row,) = _rows(uow, scan_name(len(pivots)), arguments)
        scan = read_scan(row, pivots, None)
        if scan.inexact:  # the sums, and the median's ties, need the exact amounts
            raise _Elsewhere
        stale_count, stale_amount = scan.stale_count, money(scan.stale_scaled)
        latencies, below = scan.latencies, scan.below
    sums = exact_sums(scheme, cells, price_counts)
    values: list[Decimal] = []
    for piece in median_pieces(scheme, price_counts, band_sums, below):
        arguments = {"source_key": source_key, "start": piece.start, "end": piece.end}
        arguments.update(offset=piece.offset, limit=piece.limit)
        found = [value for (value,) in _rows(uow, at_name(piece), arguments)]
        values += found if piece.from_start else found[::-1]
    n = sum(price_counts)
    median = median_of_read(values, n) if n else None
    median_latency = median_of_histogram(latencies)
    metrics = metric_tallies_of(sums, median, median_latency, stale_count, stale_amount)
    return bucket_tallies(scheme, read, metrics, latencies)


def _rows(uow: DirectUnitOfWork, name: str, arguments: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of the compiled statement of this name; ``_Elsewhere`` if there is none, or
    if SQLite's integer sum overflowed (today's path sums in Python then)."""
    statement: Statement | None = getattr(statements, name, None)
    if statement is None:
        raise _Elsewhere
    try:
        return [statement.values(row) for row in uow.fetchall(statement, arguments)]
    except DatabaseUnavailableError as error:
        cause = error.__cause__
        if isinstance(cause, sqlite3.OperationalError) and "integer overflow" in str(cause):
            raise _Elsewhere from None
        raise
