"""The two medians of the pushed-down tally: of amounts (a sort of the price band that holds
the middle, by a query of its own or, on PostgreSQL, by an ordered-set aggregate that can
share a scan) and of decision latencies (from a histogram of whole days); and how a price
band is selected."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import ColumnElement, Float, and_, func, select, true

from snapshot_core.domain import BandScheme
from snapshot_core.domain.metrics import median_of

from .encodings import AMOUNT_SCALE, SCALED_AMOUNT_CAP, scaled_edge
from .schema import estimates

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

PIVOT_MIN_ROWS = 20_000  # a smaller band sorts in less time than a counting scan takes
PIVOT_SPREAD = (-0.02, 0.0, 0.02)  # pivots around the middle's place, as fractions of the band

__all__ = [
    "band_bounds",
    "median_amount",
    "median_columns",
    "median_of_histogram",
    "median_of_scaled",
    "median_pivots",
    "pivot_columns",
]


def band_bounds(scheme: BandScheme) -> tuple[ColumnElement[Any], list[Any]]:
    """Integer edges on the scaled amount when every edge scales exactly (the same rows as
    comparing the exact amount, see ``encodings.scaled_amount``), else the exact amount."""
    scaled = [scaled_edge(edge) for edge in scheme.price_edges]
    if all(edge is not None for edge in scaled):
        return estimates.c.amount_scaled, scaled
    return estimates.c.amount, list(scheme.price_edges)


def median_pivots(
    scheme: BandScheme, price_counts: list[int], band_sums: list[int] | None
) -> list[int]:
    """The scaled amounts at which ``median_amount`` cuts the price band(s) holding the middle,
    ascending: the count of rows below each (every band) can then be asked in a scan the
    caller makes anyway (see ``median_amount``'s ``below``). ``band_sums``: each band's sum
    of scaled amounts, if known (it places the pivots of the top band, which has no upper
    edge)."""
    pivots: set[int] = set()
    for index, _, positions in _middle(scheme, price_counts):
        pivots.update(_band_pivots(scheme, price_counts, band_sums, index, positions[0]))
    return sorted(pivots)


def _band_pivots(
    scheme: BandScheme,
    price_counts: list[int],
    band_sums: list[int] | None,
    index: int,
    first: int,
) -> list[int]:
    """Pivots on the scaled amount around where the band's middle position ``first`` would
    fall if amounts were spread evenly over the band: for the top band, up to twice its mean
    above its lower edge. None for a band smaller than PIVOT_MIN_ROWS, a band on exact
    amounts, or the top band without its sum."""
    amount, edges = band_bounds(scheme)
    count = price_counts[index]
    if count < PIVOT_MIN_ROWS or amount is not estimates.c.amount_scaled:
        return []
    lower = 0 if index == 0 else edges[index - 1]  # scaled amounts are >= 0
    if index < len(edges):
        upper = edges[index]
    elif band_sums is not None:
        # An upper bound of every scaled amount, past which a pivot is of no use.
        upper = min(lower + 2 * (band_sums[index] // count - lower), SCALED_AMOUNT_CAP + 1)
    else:
        return []
    middle = (first + 0.5) / count
    spread = {lower + int((upper - lower) * min(max(middle + d, 0.0), 1.0)) for d in PIVOT_SPREAD}
    return sorted(spread - {lower, upper})


def median_amount(
    uow: SqlUnitOfWork,
    source_key: int,
    scheme: BandScheme,
    price_counts: list[int],
    *,
    exact: bool,
    band_sums: list[int] | None = None,
    below: Mapping[int, int] = MappingProxyType({}),
) -> Decimal | None:
    """The middle amount(s), sorting only the price band they fall in (known from the band
    counts), on the integer scaled amount: a fraction of the rows, cheap comparisons. When
    every scaled amount is exact (``exact``), equal scaled amounts are equal amounts and the
    exact amount need not take part in the sort; otherwise it breaks the ties.

    A sort for ``OFFSET k LIMIT 2`` keeps k + 2 rows (SQLite: about 0.5 µs a kept row), so a
    large band is first cut at pivots near where the middle should fall (``median_pivots``),
    and the piece holding it is read from whichever end is nearer. ``below``: the count of
    rows (of every band) below each of those pivots, counted by a scan the caller makes
    anyway (``pivot_columns``); a band whose pivots it lacks is sorted whole."""
    n = sum(price_counts)
    if n == 0:
        return None
    order: list[ColumnElement[Any]] = [estimates.c.amount_scaled]
    order += [] if exact else [estimates.c.amount]
    values: list[Decimal] = []
    for index, in_band, positions in _middle(scheme, price_counts):
        wanted = sorted(set(positions))
        band = Band(in_band, price_counts[index], sum(price_counts[:index]))
        pivots = _band_pivots(scheme, price_counts, band_sums, index, wanted[0])
        if not set(pivots) <= below.keys():  # not counted: the whole band is sorted
            pivots = []
        for piece, rows, here in _pieces(band, wanted, pivots, below):
            values += _at(uow, source_key, piece, rows, here, order)
    return median_of(values if n % 2 == 0 else values[:1])


class Band(NamedTuple):
    """A price band holding a middle position: its condition, its row count and the count of
    rows in the bands below it."""

    condition: ColumnElement[bool]
    rows: int
    before: int


def pivot_columns(pivots: list[int]) -> list[ColumnElement[Any]]:
    """The count of rows below each pivot (scaled amounts), as aggregates of a plain scan."""
    return [func.count().filter(estimates.c.amount_scaled < pivot) for pivot in pivots]


def _pieces(
    band: Band,
    positions: list[int],
    pivots: list[int],
    below: Mapping[int, int],
) -> list[tuple[ColumnElement[bool], int, list[int]]]:
    """The band cut at its pivots, as (condition, row count, the positions in it, 0-based):
    only the pieces holding a position. Splitting on the sort's first key keeps every piece's
    order."""
    if not pivots:
        return [(band.condition, band.rows, positions)]
    amount = estimates.c.amount_scaled
    cuts = [(None, 0), *((pivot, below[pivot] - band.before) for pivot in pivots)]
    cuts.append((None, band.rows))
    pieces = []
    for (start, first), (end, last) in pairwise(cuts):
        here = [p - first for p in positions if first <= p < last]
        if here:
            # Between two pivots the band's own condition holds already.
            conditions = [] if start is not None and end is not None else [band.condition]
            conditions += [] if start is None else [amount >= start]
            conditions += [] if end is None else [amount < end]
            pieces.append((and_(*conditions), last - first, here))
    return pieces


def _at(
    uow: SqlUnitOfWork,
    source_key: int,
    piece: ColumnElement[bool],
    rows: int,
    positions: list[int],
    order: list[ColumnElement[Any]],
) -> list[Decimal]:
    """The amounts at these consecutive positions of the piece, read from its nearer end
    (ties in the sort are equal amounts, so either direction gives the same values)."""
    first, last = positions[0], positions[-1]
    from_start = first <= rows - 1 - last
    query = select(estimates.c.amount).where(estimates.c.source_key == source_key, piece)
    if from_start:
        query = query.order_by(*order).offset(first)
    else:
        query = query.order_by(*(key.desc() for key in order)).offset(rows - 1 - last)
    values = [value for (value,) in uow.execute(query.limit(last - first + 1))]
    return values if from_start else values[::-1]


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
    # Imported here: a command on SQLite never loads the PostgreSQL dialect (start-up time).
    from sqlalchemy.dialects.postgresql import array

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
