"""The amount median's SQL: a sort of a piece of the price band that holds the middle, by a
query of its own (``at_query``, from ``median_positions``' pieces) or, on PostgreSQL, by an
ordered-set aggregate that can share a scan; and how a price band is selected."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Float, Select, and_, func, select, true

from snapshot_core.domain import BandScheme

from .encodings import AMOUNT_SCALE
from .median_positions import Piece, median_of_read, median_pieces, middle, scaled_edges
from .schema import estimates

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

__all__ = [
    "at_query",
    "band_bounds",
    "median_amount",
    "median_columns",
    "median_of_scaled",
    "pivot_columns",
]


def band_bounds(scheme: BandScheme) -> tuple[ColumnElement[Any], list[Any]]:
    """Integer edges on the scaled amount when every edge scales exactly (the same rows as
    comparing the exact amount, see ``encodings.scaled_amount``), else the exact amount."""
    scaled = scaled_edges(scheme)
    if scaled is not None:
        return estimates.c.amount_scaled, scaled
    return estimates.c.amount, list(scheme.price_edges)


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
    large band is first cut at pivots near where the middle should fall
    (``median_positions``), and the piece holding it is read from whichever end is nearer.
    ``below``: the count of rows (of every band) below each of those pivots, counted by a
    scan the caller makes anyway (``pivot_columns``); a band whose pivots it lacks is sorted
    whole."""
    n = sum(price_counts)
    if n == 0:
        return None
    values: list[Decimal] = []
    for piece in median_pieces(scheme, price_counts, band_sums, below):
        values += _at(uow, source_key, scheme, piece, exact)
    return median_of_read(values, n)


def pivot_columns(pivots: list[int]) -> list[ColumnElement[Any]]:
    """The count of rows below each pivot (scaled amounts), as aggregates of a plain scan."""
    return [func.count().filter(estimates.c.amount_scaled < pivot) for pivot in pivots]


def _at(
    uow: SqlUnitOfWork, source_key: int, scheme: BandScheme, piece: Piece, exact: bool
) -> list[Decimal]:
    """The amounts at the piece's consecutive positions, read from its nearer end (ties in
    the sort are equal amounts, so either direction gives the same values)."""
    query = at_query(source_key, scheme, piece, exact=exact)
    values = [value for (value,) in uow.execute(query)]
    return values if piece.from_start else values[::-1]


def at_query(source_key: int, scheme: BandScheme, piece: Piece, *, exact: bool) -> Select[Any]:
    """The amounts of ``piece.limit`` rows of the piece, ``piece.offset`` rows from its
    nearer end."""
    order: list[ColumnElement[Any]] = [estimates.c.amount_scaled]
    order += [] if exact else [estimates.c.amount]
    amount = estimates.c.amount_scaled
    # Between two pivots the band's own condition holds already.
    between = piece.start is not None and piece.end is not None
    conditions = [] if between else [_band_condition(scheme, piece.band)]
    conditions += [] if piece.start is None else [amount >= piece.start]
    conditions += [] if piece.end is None else [amount < piece.end]
    query = select(estimates.c.amount).where(estimates.c.source_key == source_key, *conditions)
    if piece.from_start:
        query = query.order_by(*order)
    else:
        query = query.order_by(*(key.desc() for key in order))
    return query.offset(piece.offset).limit(piece.limit)


def _band_condition(scheme: BandScheme, index: int) -> ColumnElement[bool]:
    """The price band of this index, as a condition on the amount."""
    amount, edges = band_bounds(scheme)
    bounds = [None, *edges, None]
    lower, upper = bounds[index], bounds[index + 1]
    conditions = [true()]
    if lower is not None:
        conditions.append(amount >= lower)
    if upper is not None:
        conditions.append(amount < upper)
    return and_(*conditions)


def median_columns(scheme: BandScheme, price_counts: list[int]) -> list[ColumnElement[Any]]:
    """PostgreSQL, every scaled amount exact: per band holding a middle position, the scaled
    amounts at those positions (``percentile_disc`` sorts the band's integers in memory; it
    filters within a scan, so another aggregate may share that scan)."""
    # Imported here: a command on SQLite never loads the PostgreSQL dialect (start-up time).
    from sqlalchemy.dialects.postgresql import array

    columns: list[ColumnElement[Any]] = []
    for index, positions in middle(price_counts):
        count = price_counts[index]
        # percentile_disc(f) is the row at 1-based ceil(f * count): p + 1 for f = (p + ½) / count
        # (a double's error on f * count is far below ½ at any count that fits in memory).
        fractions = array([(p + 0.5) / count for p in sorted(set(positions))], type_=Float)
        within = func.percentile_disc(fractions).within_group(estimates.c.amount_scaled)
        columns.append(within.filter(_band_condition(scheme, index)))
    return columns


def median_of_scaled(values: list[list[int]], n: int) -> Decimal | None:
    """The median from ``median_columns``' values (exact scaled amounts / 10**AMOUNT_SCALE)."""
    found = [Decimal(value).scaleb(-AMOUNT_SCALE) for band in values for value in band]
    return median_of_read(found, n)
