"""Small-cell suppression: no count from 1 to k-1 is shown, none recoverable by subtraction."""

from __future__ import annotations

from .models import BandCount, EstimateBuckets, WeekCount

__all__ = ["suppress_buckets", "suppress_small_cells"]


def suppress_small_cells(counts: list[int | None], min_cell_count: int) -> list[int | None]:
    """Replace counts in ``[1, k-1]`` by ``None`` (rendered ``<k``).

    A lone suppressed cell could be recovered as total minus the others, so when exactly
    one cell is suppressed the smallest other non-zero cell is suppressed with it. Zeros
    stay: a zero is not a small group that could be singled out.
    """
    k = min_cell_count
    if k <= 1:
        return list(counts)
    shown: list[int | None] = [None if c is None or 0 < c < k else c for c in counts]
    hidden = [i for i, c in enumerate(shown) if c is None]
    if len(hidden) == 1:
        others = [i for i, c in enumerate(shown) if c]
        if others:
            shown[min(others, key=lambda i: (shown[i], i))] = None
    return shown


def suppress_buckets(buckets: EstimateBuckets, min_cell_count: int) -> EstimateBuckets:
    """The buckets as they may be shown: every distribution suppressed with threshold k."""
    if min_cell_count <= 1:
        return buckets
    weeks = suppress_small_cells([w.count for w in buckets.weekly_volume], min_cell_count)
    prices = suppress_small_cells([b.count for b in buckets.price_distribution], min_cell_count)
    latency = suppress_small_cells([b.count for b in buckets.decision_latency], min_cell_count)
    return buckets.model_copy(
        update={
            "weekly_volume": tuple(
                WeekCount(week=w.week, count=c)
                for w, c in zip(buckets.weekly_volume, weeks, strict=True)
            ),
            "price_distribution": tuple(
                BandCount(band=b.band, count=c)
                for b, c in zip(buckets.price_distribution, prices, strict=True)
            ),
            "decision_latency": tuple(
                BandCount(band=b.band, count=c)
                for b, c in zip(buckets.decision_latency, latency, strict=True)
            ),
            "min_cell_count": min_cell_count,
        }
    )
