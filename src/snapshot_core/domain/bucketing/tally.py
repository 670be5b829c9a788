"""The reference tally: raw counts per week and band (and the metric tallies) in plain Python."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field

from ..metrics import MetricTallies, tally_metrics
from ..models import EstimateRow
from .bands import DEFAULT_BAND_SCHEME, BandScheme
from .weeks import iso_week_label, latency_days

__all__ = ["BucketTallies", "tally_estimates"]


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
