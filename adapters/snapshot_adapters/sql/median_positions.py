"""Where the amount median is read, without SQLAlchemy: the price band(s) holding the middle
position(s), the pivots that cut a large band, the pieces to read and from which end; and
the median of decision latencies from their histogram. ``metric_medians`` makes the
queries of these pieces; the direct store runs its compiled copies of them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from itertools import pairwise
from typing import NamedTuple

from snapshot_core.domain import BandScheme
from snapshot_core.domain.metrics import median_of

from .encodings import SCALED_AMOUNT_CAP, scaled_edge

__all__ = [
    "PIVOT_MIN_ROWS",
    "Piece",
    "median_of_histogram",
    "median_of_read",
    "median_pieces",
    "median_pivots",
    "middle",
    "scaled_edges",
]

PIVOT_MIN_ROWS = 20_000  # a smaller band sorts in less time than a counting scan takes
PIVOT_SPREAD = (-0.02, 0.0, 0.02)  # pivots around the middle's place, as fractions of the band


def scaled_edges(scheme: BandScheme) -> list[int] | None:
    """The price edges on the scaled amount, when every edge scales exactly (the same rows
    as comparing the exact amount, see ``encodings.scaled_amount``)."""
    scaled = [scaled_edge(edge) for edge in scheme.price_edges]
    return None if any(edge is None for edge in scaled) else [e for e in scaled if e is not None]


def middle(price_counts: list[int]) -> list[tuple[int, list[int]]]:
    """For each price band holding a middle position: its index and the positions in it
    (ascending, 0-based; one or two, repeated for an odd count)."""
    n = sum(price_counts)
    wanted = [(n - 1) // 2, n // 2]
    bands, below = [], 0
    for index, count in enumerate(price_counts):
        positions = [p - below for p in wanted if below <= p < below + count]
        if positions:
            bands.append((index, positions))
        below += count
    return bands


def median_pivots(
    scheme: BandScheme, price_counts: list[int], band_sums: list[int] | None
) -> list[int]:
    """The scaled amounts at which the median's band(s) are cut, ascending: the count of rows
    below each (every band) can then be asked in a scan the caller makes anyway (see
    ``median_pieces``' ``below``). ``band_sums``: each band's sum of scaled amounts, if known
    (it places the pivots of the top band, which has no upper edge)."""
    pivots: set[int] = set()
    for index, positions in middle(price_counts):
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
    edges = scaled_edges(scheme)
    count = price_counts[index]
    if count < PIVOT_MIN_ROWS or edges is None:
        return []
    lower = 0 if index == 0 else edges[index - 1]  # scaled amounts are >= 0
    if index < len(edges):
        upper = edges[index]
    elif band_sums is not None:
        # An upper bound of every scaled amount, past which a pivot is of no use.
        upper = min(lower + 2 * (band_sums[index] // count - lower), SCALED_AMOUNT_CAP + 1)
    else:
        return []
    fraction = (first + 0.5) / count
    spread = {lower + int((upper - lower) * min(max(fraction + d, 0.0), 1.0)) for d in PIVOT_SPREAD}
    return sorted(spread - {lower, upper})


class Piece(NamedTuple):
    """A piece of a price band to read: the band's index, the scaled amounts it starts at
    and ends before (``None``: the band's own edge), its row count, the positions in it
    (0-based, consecutive), and whether they are read from its start (else from its end:
    ``offset`` rows are skipped from that end, ``limit`` read)."""

    band: int
    start: int | None
    end: int | None
    rows: int
    positions: list[int]

    @property
    def from_start(self) -> bool:
        return self.positions[0] <= self.rows - 1 - self.positions[-1]

    @property
    def offset(self) -> int:
        return self.positions[0] if self.from_start else self.rows - 1 - self.positions[-1]

    @property
    def limit(self) -> int:
        return self.positions[-1] - self.positions[0] + 1


def median_pieces(
    scheme: BandScheme,
    price_counts: list[int],
    band_sums: list[int] | None,
    below: Mapping[int, int],
) -> list[Piece]:
    """The pieces holding the middle position(s), in order. ``below``: the count of rows (of
    every band) below each pivot, counted by a scan the caller makes anyway; a band whose
    pivots it lacks is read whole. Splitting on the sort's first key keeps every piece's
    order."""
    pieces = []
    for index, positions in middle(price_counts):
        wanted = sorted(set(positions))
        before = sum(price_counts[:index])
        pivots = _band_pivots(scheme, price_counts, band_sums, index, wanted[0])
        if not set(pivots) <= below.keys():  # not counted: the whole band is sorted
            pivots = []
        cuts = [(None, 0), *((pivot, below[pivot] - before) for pivot in pivots)]
        cuts.append((None, price_counts[index]))
        for (start, first), (end, last) in pairwise(cuts):
            here = [p - first for p in wanted if first <= p < last]
            if here:
                pieces.append(Piece(index, start, end, last - first, here))
    return pieces


def median_of_read(values: list[Decimal], n: int) -> Decimal | None:
    """The median from the values read at the middle position(s) of ``n`` rows."""
    return median_of(values if n % 2 == 0 else values[:1])


def median_of_histogram(histogram: list[tuple[int, int]]) -> Decimal | None:
    """The median of whole days from their histogram ((days, count) in ascending days)."""
    n = sum(count for _, count in histogram)
    if n == 0:
        return None
    found, seen = [], 0
    for value, count in histogram:
        found += [value] * sum(seen <= p < seen + count for p in ((n - 1) // 2, n // 2))
        seen += count
    return median_of(found)
