"""From tallies to buckets: ordered, zero-filled distributions, confidence and the shown metrics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from ..errors import SourceSpanTooLongError
from ..metrics import BandOutcomes, MetricTallies, average, money, rate_pct
from ..models import (
    BandCount,
    ConfidenceLevel,
    EstimateBuckets,
    MoneySummary,
    OutcomeSummary,
    PriceBandCount,
    WeekCount,
)
from .bands import DEFAULT_BAND_SCHEME, BandScheme
from .tally import BucketTallies
from .weeks import weeks_between, weeks_spanned

__all__ = ["build_buckets", "confidence_level", "summarize_metrics"]


def confidence_level(estimate_count: int) -> ConfidenceLevel:
    """A share's margin of error is about 1/sqrt(n): >10 % low, 5-10 % medium, <=5 % high."""
    if estimate_count < 100:
        return "low"
    if estimate_count < 400:
        return "medium"
    return "high"


def summarize_metrics(metrics: MetricTallies, n: int) -> tuple[OutcomeSummary, MoneySummary]:
    """The rounded, shown figures of exact tallies (docs/metrics.md states each formula)."""
    money_summary = MoneySummary(
        total_amount=money(metrics.total_amount),
        average_amount=average(metrics.total_amount, n),
        median_amount=None if metrics.median_amount is None else money(metrics.median_amount),
    )
    if not metrics.has_outcomes:
        return OutcomeSummary(), money_summary
    won, lost = metrics.won, metrics.lost
    outcomes = OutcomeSummary(
        won=won,
        lost=lost,
        pending=metrics.pending,
        win_rate_pct=rate_pct(won, won + lost),
        close_rate_pct=rate_pct(won + lost, n),
        won_amount=money(metrics.won_amount),
        lost_amount=money(metrics.lost_amount),
        open_amount=money(metrics.open_amount),
        dollar_win_rate_pct=(
            rate_pct(metrics.won_amount, metrics.won_amount + metrics.lost_amount)
            if won + lost
            else None
        ),
        stale_pending=metrics.stale_pending,
        stale_amount=money(metrics.stale_amount),
    )
    return outcomes, money_summary


def _week(label: str, count: int, metrics: MetricTallies | None) -> WeekCount:
    if metrics is None:
        return WeekCount(week=label, count=count)
    cell = metrics.weeks.get(label) or BandOutcomes()
    known = metrics.has_outcomes
    return WeekCount(
        week=label,
        count=count,
        won=cell.won if known else None,
        lost=cell.lost if known else None,
        amount_total=money(cell.amount_total),
    )


def _price_band(label: str, count: int, metrics: MetricTallies | None) -> PriceBandCount:
    if metrics is None:
        return PriceBandCount(band=label, count=count)
    cell = metrics.price_bands.get(label) or BandOutcomes()
    known = metrics.has_outcomes
    return PriceBandCount(
        band=label,
        count=count,
        amount_total=money(cell.amount_total),
        won=cell.won if known else None,
        lost=cell.lost if known else None,
        win_rate_pct=rate_pct(cell.won, cell.won + cell.lost) if known else None,
    )


def _ordered(labels: Iterable[str], counts: Mapping[str, int]) -> list[int]:
    return [counts.get(label, 0) for label in labels]


def build_buckets(
    source_id: str,
    tallies: BucketTallies,
    created_at: datetime,
    scheme: BandScheme = DEFAULT_BAND_SCHEME,
    max_weeks: int | None = None,
) -> EstimateBuckets:
    """Order and zero-fill the tallies; every distribution sums to ``estimate_count``.

    With ``max_weeks``, a span of more weeks raises ``SourceSpanTooLongError`` before any
    week is zero-filled (one date in year 1 would otherwise make a series of 100,000 weeks).

    Buckets are stored exact; small-cell suppression is applied when they are shown
    (``suppress_buckets``), so changing the threshold needs no re-bucketing.
    """
    unknown = (set(tallies.price_bands) - set(scheme.price_labels)) | (
        set(tallies.latency_bands) - set(scheme.latency_labels)
    )
    if unknown:
        raise ValueError(f"tallies use labels outside the band scheme: {sorted(unknown)}")
    n = tallies.estimate_count
    for name, counts in (
        ("weeks", tallies.weeks),
        ("price_bands", tallies.price_bands),
        ("latency_bands", tallies.latency_bands),
    ):
        if sum(counts.values()) != n:
            raise ValueError(f"{name} sum to {sum(counts.values())}, not estimate_count {n}")

    present = sorted(week for week, count in tallies.weeks.items() if count)
    if present and max_weeks is not None:
        spanned = weeks_spanned(present[0], present[-1])
        if spanned > max_weeks:
            raise SourceSpanTooLongError(spanned, max_weeks)
    week_labels = weeks_between(present[0], present[-1]) if present else []
    week_counts = _ordered(week_labels, tallies.weeks)
    price_counts = _ordered(scheme.price_labels, tallies.price_bands)
    latency_counts = _ordered(scheme.latency_labels, tallies.latency_bands)
    metrics = tallies.metrics
    outcomes, money_summary = (
        summarize_metrics(metrics, n) if metrics is not None else (OutcomeSummary(), MoneySummary())
    )
    return EstimateBuckets(
        source_id=source_id,
        estimate_count=n,
        confidence_level=confidence_level(n),
        weekly_volume=tuple(
            _week(w, c, metrics) for w, c in zip(week_labels, week_counts, strict=True)
        ),
        price_distribution=tuple(
            _price_band(b, c, metrics)
            for b, c in zip(scheme.price_labels, price_counts, strict=True)
        ),
        decision_latency=tuple(
            BandCount(band=b, count=c)
            for b, c in zip(scheme.latency_labels, latency_counts, strict=True)
        ),
        outcomes=outcomes,
        money=money_summary,
        median_latency_days=None if metrics is None else metrics.median_latency_days,
        created_at=created_at,
    )
