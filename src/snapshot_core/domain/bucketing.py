"""The bucketing rules: ISO weeks, price and latency bands, confidence, and the reference tally."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import SourceSpanTooLongError
from .metrics import BandOutcomes, MetricTallies, average, money, rate_pct, tally_metrics
from .models import (
    BAND_LABEL_MAX_LENGTH,
    BAND_LABEL_PATTERN,
    BandCount,
    ConfidenceLevel,
    EstimateBuckets,
    EstimateRow,
    MoneySummary,
    OutcomeSummary,
    PriceBandCount,
    WeekCount,
    as_utc,
)

__all__ = [
    "DEFAULT_BAND_SCHEME",
    "PENDING",
    "BandScheme",
    "BucketTallies",
    "build_buckets",
    "confidence_level",
    "iso_week_label",
    "latency_days",
    "summarize_metrics",
    "tally_estimates",
    "week_label",
    "weeks_between",
    "weeks_spanned",
]

PENDING = "pending"
_ONE_DAY = timedelta(days=1)


def _short_amount(value: Decimal) -> str:
    """500 -> '500', 1000 -> '1k', 2500 -> '2.5k' (the labels users and the model read)."""
    if value >= 1000:
        return f"{(value / 1000).normalize():f}k"
    return f"{value.normalize():f}"


class BandScheme(BaseModel):
    """Band edges. A value equal to an edge falls in the band that starts at that edge."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    price_edges: tuple[Decimal, ...] = Field(
        default=(Decimal(500), Decimal(1000), Decimal(2500), Decimal(5000), Decimal(10000)),
        min_length=1,
    )
    latency_edges_days: tuple[int, ...] = Field(default=(3, 8, 15, 31), min_length=1)

    @model_validator(mode="after")
    def _edges_ascend(self) -> BandScheme:
        for edges in (self.price_edges, self.latency_edges_days):
            as_decimals = [Decimal(edge) for edge in edges]
            if as_decimals[0] <= 0 or any(b <= a for a, b in pairwise(as_decimals)):
                raise ValueError("band edges must be positive and strictly ascending")
        for label in (*self.price_labels, *self.latency_labels):
            # Checked here, not at run time: a scheme the AgentInput cannot carry must fail
            # when it is configured, never after a source was claimed.
            if len(label) > BAND_LABEL_MAX_LENGTH or not re.match(BAND_LABEL_PATTERN, label):
                raise ValueError(f"band label {label!r} is too long or not a plain range")
        return self

    @property
    def price_labels(self) -> tuple[str, ...]:
        edges = [_short_amount(e) for e in self.price_edges]
        middle = [f"{lo}-{hi}" for lo, hi in pairwise(edges)]
        return (f"<{edges[0]}", *middle, f"{edges[-1]}+")

    @property
    def latency_labels(self) -> tuple[str, ...]:
        """Decided bands in order, then ``pending``."""
        labels, lower = [], 0
        for edge in self.latency_edges_days:
            labels.append(f"{lower}-{edge - 1}d")
            lower = edge
        return (*labels, f"{lower}d+", PENDING)

    def price_band_index(self, amount: Decimal) -> int:
        return bisect_right(self.price_edges, amount)

    def latency_band_index(self, days: int | None) -> int:
        """Index into ``latency_labels``; ``None`` (no decision) is the last, ``pending``."""
        if days is None:
            return len(self.latency_edges_days) + 1
        return bisect_right(self.latency_edges_days, days)


DEFAULT_BAND_SCHEME = BandScheme()


def week_label(iso_year: int, iso_week: int) -> str:
    """The one spelling of a week everywhere (reports, the model's input): ``2026-W07``."""
    return f"{iso_year:04d}-W{iso_week:02d}"


def iso_week_label(moment: datetime) -> str:
    year, week, _ = as_utc(moment).isocalendar()
    return week_label(year, week)


def latency_days(sent_at: datetime, decided_at: datetime | None) -> int | None:
    """Whole days from sending to decision, rounded down; ``None`` while pending."""
    if decided_at is None:
        return None
    return (as_utc(decided_at) - as_utc(sent_at)) // _ONE_DAY


def _week_monday(label: str) -> date:
    year, week = label.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def weeks_spanned(first: str, last: str) -> int:
    """How many ISO weeks ``first`` to ``last`` cover, inclusive, without listing them."""
    return (_week_monday(last) - _week_monday(first)).days // 7 + 1


def weeks_between(first: str, last: str) -> list[str]:
    """Every ISO week label from ``first`` to ``last`` inclusive.

    Counted first and stepped from the first Monday, so the last week of year 9999 never
    asks for a Monday past ``date.max``.
    """
    monday = _week_monday(first)
    labels = []
    for weeks in range(weeks_spanned(first, last)):
        year, week, _ = (monday + timedelta(weeks=weeks)).isocalendar()
        labels.append(week_label(year, week))
    return labels


def confidence_level(estimate_count: int) -> ConfidenceLevel:
    """A share's margin of error is about 1/sqrt(n): >10 % low, 5-10 % medium, <=5 % high."""
    if estimate_count < 100:
        return "low"
    if estimate_count < 400:
        return "medium"
    return "high"


class BucketTallies(BaseModel):
    """Raw counts keyed by label, as a storage backend computes them (no zero rows needed)."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    estimate_count: int = Field(ge=0)
    weeks: Mapping[str, int]
    price_bands: Mapping[str, int]
    latency_bands: Mapping[str, int]
    metrics: MetricTallies | None = Field(
        default=None, description="sums, medians and outcomes; None from an older backend"
    )


def tally_estimates(
    rows: Iterable[EstimateRow], scheme: BandScheme = DEFAULT_BAND_SCHEME
) -> BucketTallies:
    """The reference tally, in plain Python; SQL backends must agree with it exactly."""
    weeks: Counter[str] = Counter()
    prices: Counter[str] = Counter()
    latencies: Counter[str] = Counter()
    price_labels, latency_labels = scheme.price_labels, scheme.latency_labels
    total = 0
    listed = list(rows)
    for row in listed:
        total += 1
        weeks[iso_week_label(row.sent_at)] += 1
        prices[price_labels[scheme.price_band_index(row.amount)]] += 1
        days = latency_days(row.sent_at, row.decided_at)
        latencies[latency_labels[scheme.latency_band_index(days)]] += 1
    metrics = tally_metrics(
        listed,
        week_of=lambda row: iso_week_label(row.sent_at),
        band_of=lambda row: price_labels[scheme.price_band_index(row.amount)],
    )
    return BucketTallies(
        estimate_count=total,
        weeks=weeks,
        price_bands=prices,
        latency_bands=latencies,
        metrics=metrics,
    )


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
