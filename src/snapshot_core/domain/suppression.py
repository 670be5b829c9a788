"""Small-cell suppression: no count from 1 to k-1 is shown, none recoverable by subtraction.

The same holds for every figure made from counts: a sum, average, median or rate is hidden
when it rests on fewer than k estimates, and a sum goes with its count, so a hidden amount
is never the total minus the shown ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

from .models import (
    BandCount,
    EstimateBuckets,
    MoneySummary,
    OutcomeSummary,
    PriceBandCount,
    WeekCount,
)

__all__ = ["suppress_buckets", "suppress_money", "suppress_small_cells"]

_T = TypeVar("_T", int, Decimal)


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


def _unless_hidden(value: _T | None, count: int | None) -> _T | None:
    return None if count is None else value


def _series(values: Sequence[int | None], k: int) -> list[int | None]:
    """A column that may be unknown throughout (no outcomes): suppressed when known."""
    if any(v is None for v in values):
        return list(values)
    return suppress_small_cells(list(values), k)


def _outcomes(o: OutcomeSummary, n: int, k: int) -> OutcomeSummary:
    if o.won is None or o.lost is None or o.pending is None:
        return o
    unknown = n - o.won - o.lost - o.pending  # a cell too: its amount is the remainder
    won, lost, pending, _ = suppress_small_cells([o.won, o.lost, o.pending, unknown], k)
    stale, _ = suppress_small_cells([o.stale_pending or 0, o.pending - (o.stale_pending or 0)], k)
    if pending is None:
        stale = None
    rates_shown = won is not None and lost is not None and o.won + o.lost >= k
    return OutcomeSummary(
        won=won,
        lost=lost,
        pending=pending,
        win_rate_pct=o.win_rate_pct if rates_shown else None,
        close_rate_pct=o.close_rate_pct if rates_shown else None,
        won_amount=_unless_hidden(o.won_amount, won),
        lost_amount=_unless_hidden(o.lost_amount, lost),
        open_amount=_unless_hidden(o.open_amount, pending),
        dollar_win_rate_pct=o.dollar_win_rate_pct if rates_shown else None,
        stale_pending=stale,
        stale_amount=_unless_hidden(o.stale_amount, stale),
    )


def _weeks(weeks: tuple[WeekCount, ...], k: int) -> tuple[WeekCount, ...]:
    counts = suppress_small_cells([w.count for w in weeks], k)
    won = _series([w.won for w in weeks], k)
    lost = _series([w.lost for w in weeks], k)
    return tuple(
        w.model_copy(
            update={
                "count": c,
                "won": wo,
                "lost": lo,
                "amount_total": _unless_hidden(w.amount_total, c),
            }
        )
        for w, c, wo, lo in zip(weeks, counts, won, lost, strict=True)
    )


def _prices(bands: tuple[PriceBandCount, ...], k: int) -> tuple[PriceBandCount, ...]:
    counts = suppress_small_cells([b.count for b in bands], k)
    won = _series([b.won for b in bands], k)
    lost = _series([b.lost for b in bands], k)
    shown = []
    for b, c, wo, lo in zip(bands, counts, won, lost, strict=True):
        rate_shown = c is not None and wo is not None and lo is not None and wo + lo >= k
        shown.append(
            b.model_copy(
                update={
                    "count": c,
                    "won": wo,
                    "lost": lo,
                    "amount_total": _unless_hidden(b.amount_total, c),
                    "win_rate_pct": b.win_rate_pct if rate_shown else None,
                }
            )
        )
    return tuple(shown)


def suppress_money(
    buckets: EstimateBuckets, k: int
) -> tuple[OutcomeSummary, MoneySummary, tuple[PriceBandCount, ...]]:
    """The outcomes, money and price bands of ``suppress_buckets(buckets, k)`` (k >= 2), for a
    caller that needs only those: the rest is not built."""
    n = buckets.estimate_count
    money = buckets.money if n >= k else MoneySummary()
    return _outcomes(buckets.outcomes, n, k), money, _prices(buckets.price_distribution, k)


def suppress_buckets(buckets: EstimateBuckets, min_cell_count: int) -> EstimateBuckets:
    """The buckets as they may be shown: every distribution and figure suppressed with k."""
    k = min_cell_count
    if k <= 1:
        return buckets
    n = buckets.estimate_count
    latency = suppress_small_cells([b.count for b in buckets.decision_latency], k)
    pending_band = buckets.decision_latency[-1].count or 0
    outcomes, money, prices = suppress_money(buckets, k)
    return buckets.model_copy(
        update={
            "weekly_volume": _weeks(buckets.weekly_volume, k),
            "price_distribution": prices,
            "decision_latency": tuple(
                BandCount(band=b.band, count=c)
                for b, c in zip(buckets.decision_latency, latency, strict=True)
            ),
            "outcomes": outcomes,
            "money": money,
            "median_latency_days": (buckets.median_latency_days if n - pending_band >= k else None),
            "min_cell_count": k,
        }
    )
