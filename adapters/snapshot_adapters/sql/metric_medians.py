"""The two medians of the pushed-down tally: of amounts (a sort of one price band) and of
decision latencies (from a histogram of whole days); and how a price band is selected."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, select

from snapshot_core.domain import BandScheme
from snapshot_core.domain.metrics import median_of

from .encodings import scaled_edge
from .schema import estimates

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

__all__ = ["band_bounds", "median_amount", "median_of_histogram"]


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
    wanted = [(n - 1) // 2, n // 2]
    amount, edges = band_bounds(scheme)
    bounds = [None, *edges, None]
    order = [estimates.c.amount_scaled] + ([] if exact else [estimates.c.amount])
    values: list[Decimal] = []
    below = 0
    for index, count in enumerate(price_counts):
        positions = [p - below for p in wanted if below <= p < below + count]
        if positions:
            lower, upper = bounds[index], bounds[index + 1]
            query = select(estimates.c.amount).where(estimates.c.source_key == source_key)
            if lower is not None:
                query = query.where(amount >= lower)
            if upper is not None:
                query = query.where(amount < upper)
            query = (
                query.order_by(*order).offset(positions[0]).limit(positions[-1] - positions[0] + 1)
            )
            values += [value for (value,) in uow.execute(query)]
        below += count
    return median_of(values if n % 2 == 0 else values[:1])


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
