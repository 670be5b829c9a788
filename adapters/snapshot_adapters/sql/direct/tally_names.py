"""The names of the tally's compiled statements (``statements.py``), one per shape a step of
the tally can take: the compiler names what it compiles, the direct tally finds it again."""

from __future__ import annotations

from ..median_positions import PIVOT_SPREAD, Piece

__all__ = ["CELLS", "MAX_PIVOTS", "at_name", "at_shapes", "scan_name"]

CELLS = "TALLY_CELLS"
MAX_PIVOTS = 2 * len(PIVOT_SPREAD)  # the middle spans at most two bands, each cut this often


def scan_name(pivots: int) -> str:
    """The stale pipeline's plain scan with this many pivots' counts."""
    return f"TALLY_SCAN_{pivots}"


def at_name(piece: Piece) -> str:
    """The read of a piece of the median's band: of which band (any, between two pivots), cut
    where, read from which end."""
    direction = "ASC" if piece.from_start else "DESC"
    if piece.start is not None and piece.end is not None:
        return f"TALLY_AT_BETWEEN_{direction}"
    cut = "WHOLE" if piece.start is None and piece.end is None else "BELOW"
    cut = "ABOVE" if piece.start is not None else cut
    return f"TALLY_AT_{piece.band}_{cut}_{direction}"


def at_shapes(bands: int) -> list[tuple[int, bool, bool]]:
    """Every (band index, cut at a start, cut at an end) a piece of ``bands`` bands can take
    (every band between two pivots is one shape: band 0's)."""
    shapes = [(index, start, end) for index in range(bands) for start, end in _CUTS]
    return [*shapes, (0, True, True)]


_CUTS = ((False, False), (False, True), (True, False))
