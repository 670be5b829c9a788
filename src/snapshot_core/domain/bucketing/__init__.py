"""The bucketing rules: ISO weeks, price and latency bands, confidence, and the reference tally."""

from .bands import DEFAULT_BAND_SCHEME, PENDING, BandScheme
from .build import build_buckets, confidence_level, summarize_metrics
from .tally import BucketTallies, tally_estimates
from .weeks import iso_week_label, latency_days, week_label, weeks_between, weeks_spanned

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
