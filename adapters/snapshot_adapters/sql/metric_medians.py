"""The two medians of the pushed-down tally: of amounts (a sort of the price band that holds
the middle, by a query of its own or, on PostgreSQL, by an ordered-set aggregate that can
share a scan) and of decision latencies (from a histogram of whole days); and how a price
band is selected."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Float, and_, func, select, true
from sqlalchemy.dialects.postgresql import array

from snapshot_core.domain import BandScheme
from snapshot_core.domain.metrics import median_of

from .encodings import AMOUNT_SCALE, scaled_edge
from .schema import estimates

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

__all__ = [
    "band_bounds",
    "median_amount",
    "median_columns",
    "median_of_histogram",
    "median_of_scaled",
]


def band_bounds(scheme: BandScheme) -> tuple[ColumnElement[Any], list[Any]]:
    """Integer edges on the scaled amount when every edge scales exactly (the same rows as
    comparing the exact amount, see ``encodings.scaled_amount``), else the exact amount."""
    scaled = [scaled_edge(edge) for edge in scheme.price_edges]
    if all(edge is not None for edge in scaled):
        return estimates.c.amount_scaled, scaled
    return estimates.c.amount, list(scheme.price_edges)


def median_amount(
    uow: SqlUnitOfWork,
    source_key: int,
    scheme: BandScheme,
    price_counts: list[int],
    *,
    exact: bool,
) -> Decimal | None:
    """The middle amount(s), sorting only the price band they fall in (known from the band
    counts), on the integer scaled amount: a fraction of the rows, cheap comparisons. When
    every scaled amount is exact (``exact``), equal scaled amounts are equal amounts and the
    exact amount need not take part in the sort; otherwise it breaks the ties."""
    n = sum(price_counts)
    if n == 0:
        return None
    order = [estimates.c.amount_scaled] + ([] if exact else [estimates.c.amount])
    values: list[Decimal] = []
    for _, in_band, positions in _middle(scheme, price_counts):
        query = select(estimates.c.amount).where(estimates.c.source_key == source_key, in_band)
        query = query.order_by(*order).offset(positions[0]).limit(positions[-1] - positions[0] + 1)
        values += [value for (value,) in uow.execute(query)]
    return median_of(values if n % 2 == 0 else values[:1])


def _middle(
    scheme: BandScheme, price_counts: list[int]
) -> list[tuple[int, ColumnElement[bool], list[int]]]:
    """For each price band holding a middle position: its index, its condition, the positions
    in it (ascending, 0-based; one or two, repeated for an odd count)."""
    n = sum(price_counts)
    wanted = [(n - 1) // 2, n // 2]
    amount, edges = band_bounds(scheme)
    bounds = [None, *edges, None]
    bands, below = [], 0
    for index, count in enumerate(price_counts):
        positions = [p - below for p in wanted if below <= p < below + count]
        if positions:
            lower, upper = bounds[index], bounds[index + 1]
            conditions = [true()]
            if lower is not None:
                conditions.append(amount >= lower)
            if upper is not None:
                conditions.append(amount < upper)
            bands.append((index, and_(*conditions), positions))
        below += count
    return bands


def median_columns(scheme: BandScheme, price_counts: list[int]) -> list[ColumnElement[Any]]:
    """PostgreSQL, every scaled amount exact: per band holding a middle position, the scaled
    amounts at those positions (``percentile_disc`` sorts the band's integers in memory; it
    filters within a scan, so another aggregate may share that scan)."""
    columns: list[ColumnElement[Any]] = []
    for index, in_band, positions in _middle(scheme, price_counts):
        count = price_counts[index]
        # percentile_disc(f) is the row at 1-based ceil(f * count): p + 1 for f = (p + ½) / count
        # (a double's error on f * count is far below ½ at any count that fits in memory).
        fractions = array([(p + 0.5) / count for p in sorted(set(positions))], type_=Float)
        within = func.percentile_disc(fractions).within_group(estimates.c.amount_scaled)
        columns.append(within.filter(in_band))
    return columns


def median_of_scaled(values: list[list[int]], n: int) -> Decimal | None:
    """The median from ``median_columns``' values (exact scaled amounts / 10**AMOUNT_SCALE)."""
    middle = [Decimal(value).scaleb(-AMOUNT_SCALE) for band in values for value in band]
    return median_of(middle if n % 2 == 0 else middle[:1])


def median_of_histogram(histogram: list[tuple[int, int]]) -> Decimal | None:
    """The median of whole days from their histogram ((days, count) in ascending days)."""
    n = sum(count for _, count in histogram)
    if n == 0:
        return None
    middle, seen = [], 0
    for value, count in histogram:
        middle += [value] * sum(seen <= p < seen + count for p in ((n - 1) // 2, n // 2))
        seen += count
    return median_of(middle)
