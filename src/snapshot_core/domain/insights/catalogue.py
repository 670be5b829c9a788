"""The insight catalogue: one class per kind, each with a stable code, its meaning, and a
``detect`` that applies the kind's gate (minimum counts, significance) to shown buckets.

Insights read the buckets as they may be shown (after small-cell suppression), so every
number they rest on is a shown one or made from shown ones; a kind whose inputs are hidden
claims nothing. A source's first and last weeks may be partial (an export rarely starts on a
Monday or ends on a Sunday), so comparisons, trends and unusual weeks use the weeks between.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from ..models import EstimateBuckets, PriceBandCount
from .model import Direction, Insight, InsightKind
from .stats import (
    mann_kendall_z,
    robust_z_scores,
    theil_sen_slope,
    two_count_z,
    two_proportion_z,
)

__all__ = ["CATALOGUE", "Direction", "Insight", "InsightKind", "rank_insights"]

PERIOD_WEEKS = 4
SIGNIFICANT_Z = 2.576  # two-sided p < 0.01: few claims from noise over many sources
UNUSUAL_Z = 3.5  # Iglewicz and Hoaglin's cut-off for a robust z-score
MIN_TREND_WEEKS = 8


def _q(value: float | Decimal, places: str = "0.1") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), ROUND_HALF_UP)


def _complete(buckets: EstimateBuckets) -> list[int] | None:
    """Counts of the complete weeks (all but the first and last), ``None`` if any is hidden."""
    counts = [w.count for w in buckets.weekly_volume[1:-1]]
    return None if any(c is None for c in counts) else [c or 0 for c in counts]


def _periods(items: Sequence[object]) -> tuple[Sequence[object], Sequence[object]] | None:
    complete = items[1:-1]
    if len(complete) < 2 * PERIOD_WEEKS:
        return None
    return complete[-2 * PERIOD_WEEKS : -PERIOD_WEEKS], complete[-PERIOD_WEEKS:]


def _period_sums(buckets: EstimateBuckets, field: str) -> tuple[Decimal, Decimal] | None:
    """A weekly field summed over the 4 complete weeks before the last 4, and over those 4;
    ``None`` when there are too few weeks or a value is hidden or unknown."""
    periods = _periods(buckets.weekly_volume)
    if periods is None:
        return None
    values = [[getattr(week, field) for week in period] for period in periods]
    if any(v is None for period in values for v in period):
        return None
    before, after = (sum((Decimal(v) for v in period), Decimal(0)) for period in values)
    return before, after


def _change_pct(before: Decimal | int, after: Decimal | int) -> Decimal:
    return _q(100 * (Decimal(after) - Decimal(before)) / Decimal(before))


class VolumeChange(InsightKind):
    code = "volume_4w"
    meaning = "Estimates sent in the last 4 complete weeks against the 4 before."
    topic = "demand"

    @classmethod
    def detect(cls, buckets: EstimateBuckets) -> Insight | None:
        sums = _period_sums(buckets, "count")
        if sums is None:
            return None
        before, after = (int(v) for v in sums)
        if before + after < 40 or not before:
            return None
        if abs(two_count_z(before, after)) < SIGNIFICANT_Z:
            return None
        change = _change_pct(before, after)
        return cls._make(
            "good" if after > before else "bad",
            abs(float(change)) / 100,
            before_n=Decimal(before),
            after_n=Decimal(after),
            change_chg=change,
        )


class WinRateChange(InsightKind):
    code = "win_rate_4w"
    meaning = "Win rate of the estimates sent in the last 4 complete weeks against the 4 before."
    topic = "outcomes"

    @classmethod
    def detect(cls, buckets: EstimateBuckets) -> Insight | None:
        won, lost = _period_sums(buckets, "won"), _period_sums(buckets, "lost")
        if won is None or lost is None:
            return None
        (won_a, won_b), (lost_a, lost_b) = ((int(a), int(b)) for a, b in (won, lost))
        k = max(buckets.min_cell_count, 20)
        if won_a + lost_a < k or won_b + lost_b < k:
            return None
        z = two_proportion_z(won_a, won_a + lost_a, won_b, won_b + lost_b)
        if abs(z) < SIGNIFICANT_Z:
            return None
        before = _q(100 * won_a / (won_a + lost_a))
        after = _q(100 * won_b / (won_b + lost_b))
        return cls._make(
            "good" if after > before else "bad",
            abs(float(after - before)) / 50,
            before_pct=before,
            after_pct=after,
            change_pts=after - before,
        )


class AverageAmountChange(InsightKind):
    code = "avg_amount_4w"
    meaning = "Average estimate amount in the last 4 complete weeks against the 4 before."
    topic = "pricing"

    @classmethod
    def detect(cls, buckets: EstimateBuckets) -> Insight | None:
        counts, amounts = _period_sums(buckets, "count"), _period_sums(buckets, "amount_total")
        if counts is None or amounts is None:
            return None
        if min(counts) < max(30, buckets.min_cell_count):
            return None
        before, after = (
            _q(total / count, "1") for total, count in zip(amounts, counts, strict=True)
        )
        if not before:
            return None
        change = _change_pct(before, after)
        if abs(change) < 20:
            return None
        return cls._make(
            "good" if after > before else "bad",
            abs(float(change)) / 100,
            before_amt=before,
            after_amt=after,
            change_chg=change,
        )


class VolumeTrend(InsightKind):
    code = "volume_trend"
    meaning = "A steady rise or fall in weekly estimates (Theil-Sen slope, Mann-Kendall test)."
    topic = "demand"

    @classmethod
    def detect(cls, buckets: EstimateBuckets) -> Insight | None:
        counts = _complete(buckets)
        if counts is None or len(counts) < MIN_TREND_WEEKS:
            return None
        if abs(mann_kendall_z([float(c) for c in counts])) < SIGNIFICANT_Z:
            return None
        slope = _q(theil_sen_slope([float(c) for c in counts]))
        mean = statistics.mean(counts)
        if slope == 0 or mean == 0:
            return None
        return cls._make(
            "good" if slope > 0 else "bad",
            abs(float(slope)) * len(counts) / mean,
            per_week_n=slope,
            weeks_n=Decimal(len(counts)),
        )


class UnusualWeek(InsightKind):
    code = "unusual_week"
    meaning = "A complete week far from the typical one (robust z-score of 3.5 or more)."
    topic = "demand"

    @classmethod
    def detect(cls, buckets: EstimateBuckets) -> Insight | None:
        counts = _complete(buckets)
        if counts is None or len(counts) < MIN_TREND_WEEKS:
            return None
        scores = robust_z_scores([float(c) for c in counts], counts=True)
        if scores is None:
            return None
        index = max(range(len(scores)), key=lambda i: (abs(scores[i]), -i))
        if abs(scores[index]) < UNUSUAL_Z:
            return None
        insight = cls._make(
            "good" if scores[index] > 0 else "bad",
            abs(scores[index]) / 10,
            count_n=Decimal(counts[index]),
            typical_n=_q(statistics.median(counts)),
        )
        return insight.model_copy(update={"week": buckets.weekly_volume[index].week})


class PriceConcentration(InsightKind):
    code = "price_concentration"
    meaning = "Three fifths or more of the money quoted sits in one price band."
    topic = "pricing"

    @classmethod
    def detect(cls, buckets: EstimateBuckets) -> Insight | None:
        total = buckets.money.total_amount
        bands = buckets.price_distribution
        if not total or any(b.amount_total is None for b in bands):
            return None
        # The largest amount, the first band among equals (by position: no model comparisons).
        _, top = max(enumerate(bands), key=lambda ib: (ib[1].amount_total or 0, -ib[0]))
        share = _q(100 * (top.amount_total or Decimal(0)) / total)
        if share < 60 or (top.count or 0) < max(buckets.min_cell_count, 10):
            return None
        insight = cls._make("bad", float(share) / 100, money_share_pct=share)
        return insight.model_copy(update={"band": top.band})


class BandWinRateDrop(InsightKind):
    code = "band_win_rate"
    meaning = "A price band whose win rate is clearly below the other bands'."
    topic = "outcomes"

    @classmethod
    def detect(cls, buckets: EstimateBuckets) -> Insight | None:
        overall = buckets.outcomes.win_rate_pct
        bands = buckets.price_distribution
        if overall is None or any(b.won is None or b.lost is None for b in bands):
            return None
        won_all = sum(b.won or 0 for b in bands)
        decided_all = won_all + sum(b.lost or 0 for b in bands)
        k = max(buckets.min_cell_count, 20)
        best: tuple[float, PriceBandCount] | None = None
        for band in bands:
            won, decided = band.won or 0, (band.won or 0) + (band.lost or 0)
            if decided < k or decided_all - decided < k or band.win_rate_pct is None:
                continue
            z = two_proportion_z(won_all - won, decided_all - decided, won, decided)
            if z <= -SIGNIFICANT_Z and (best is None or z < best[0]):
                best = (z, band)
        if best is None:
            return None
        band = best[1]
        assert band.win_rate_pct is not None
        insight = cls._make(
            "bad",
            float(overall - band.win_rate_pct) / 50,
            band_win_pct=band.win_rate_pct,
            overall_win_pct=overall,
        )
        return insight.model_copy(update={"band": band.band})


class StalePipeline(InsightKind):
    code = "stale_pipeline"
    meaning = "Open estimates sent over 30 days before the latest one: follow them up."
    topic = "outcomes"

    @classmethod
    def detect(cls, buckets: EstimateBuckets) -> Insight | None:
        o = buckets.outcomes
        if o.stale_pending is None or o.pending is None or o.stale_amount is None:
            return None
        if o.stale_pending < max(5, buckets.min_cell_count) or not o.pending:
            return None
        share = _q(100 * o.stale_pending / o.pending)
        if share < 25:
            return None
        return cls._make(
            "bad",
            float(share) / 100,
            n=Decimal(o.stale_pending),
            share_pct=share,
            amt=_q(o.stale_amount, "1"),
        )


CATALOGUE: tuple[type[InsightKind], ...] = (
    WinRateChange,
    VolumeChange,
    AverageAmountChange,
    VolumeTrend,
    UnusualWeek,
    BandWinRateDrop,
    StalePipeline,
    PriceConcentration,
)


def rank_insights(buckets: EstimateBuckets, top: int | None = None) -> list[Insight]:
    """Every kind's insight that passes its gate, largest magnitude first (catalogue order
    breaks ties), at most ``top`` of them."""
    found = [insight for kind in CATALOGUE if (insight := kind.detect(buckets)) is not None]
    order = {kind.code: index for index, kind in enumerate(CATALOGUE)}
    found.sort(key=lambda i: (-i.magnitude, order[i.code]))
    return found if top is None else found[:top]
