"""Bucketing rules: exact edges, ISO weeks in UTC, zero-fill, sums, agreement with a reference."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import example, given

from snapshot_core.domain import (
    DEFAULT_BAND_SCHEME,
    BandScheme,
    EstimateRow,
    MoneySummary,
    RunPolicy,
    build_buckets,
    confidence_level,
    iso_week_label,
    latency_days,
    tally_estimates,
    weeks_between,
)

from ..strategies import estimate_sets
from .reference import reference_buckets

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def row(amount: str = "100", sent: datetime = NOW, decided: datetime | None = None) -> EstimateRow:
    return EstimateRow(amount=Decimal(amount), sent_at=sent, decided_at=decided)


def buckets_of(rows: list[EstimateRow]):  # type: ignore[no-untyped-def]
    return build_buckets("s", tally_estimates(rows), NOW)


@pytest.mark.parametrize(
    ("amount", "band"),
    [
        ("0", "<500"),
        ("499.99", "<500"),
        ("500", "500-1k"),
        ("999.99", "500-1k"),
        ("1000", "1k-2.5k"),
        ("2500", "2.5k-5k"),
        ("5000", "5k-10k"),
        ("9999.99", "5k-10k"),
        ("10000", "10k+"),
    ],
)
def test_price_band_edges_belong_to_the_band_they_start(amount: str, band: str) -> None:
    price = {b.band: b.count for b in buckets_of([row(amount)]).price_distribution}
    assert price[band] == 1
    assert sum(c or 0 for c in price.values()) == 1


@pytest.mark.parametrize(
    ("delta", "band"),
    [
        (timedelta(0), "0-2d"),
        (timedelta(days=3) - timedelta(seconds=1), "0-2d"),
        (timedelta(days=3), "3-7d"),
        (timedelta(days=8), "8-14d"),
        (timedelta(days=15), "15-30d"),
        (timedelta(days=30, hours=23), "15-30d"),
        (timedelta(days=31), "31d+"),
        (None, "pending"),
    ],
)
def test_latency_is_whole_days_rounded_down(delta: timedelta | None, band: str) -> None:
    decided = None if delta is None else NOW + delta
    latency = {b.band: b.count for b in buckets_of([row(decided=decided)]).decision_latency}
    assert latency[band] == 1


def test_iso_weeks_are_taken_in_utc_across_year_boundaries() -> None:
    # Sunday 2026-01-04 23:30 in New York is Monday 2026-01-05 04:30 UTC: week 2.
    new_york = timezone(timedelta(hours=-5))
    assert iso_week_label(datetime(2026, 1, 4, 23, 30, tzinfo=new_york)) == "2026-W02"
    assert iso_week_label(datetime(2024, 12, 30, tzinfo=UTC)) == "2025-W01"
    assert iso_week_label(datetime(2021, 1, 3, tzinfo=UTC)) == "2020-W53"
    assert iso_week_label(datetime(2026, 1, 1)) == "2026-W01"  # naive is read as UTC


def test_weeks_are_zero_filled_between_first_and_last() -> None:
    rows = [
        row(sent=datetime(2020, 12, 20, tzinfo=UTC)),
        row(sent=datetime(2021, 1, 12, tzinfo=UTC)),
    ]
    weekly = [(w.week, w.count) for w in buckets_of(rows).weekly_volume]
    assert weekly == [
        ("2020-W51", 1),
        ("2020-W52", 0),
        ("2020-W53", 0),
        ("2021-W01", 0),
        ("2021-W02", 1),
    ]
    assert weeks_between("2026-W01", "2026-W01") == ["2026-W01"]


def test_decision_before_sending_is_rejected() -> None:
    with pytest.raises(ValueError, match="decided_at is before sent_at"):
        row(decided=NOW - timedelta(seconds=1))
    assert latency_days(NOW, None) is None


@pytest.mark.parametrize(
    ("n", "level"), [(0, "low"), (99, "low"), (100, "medium"), (399, "medium"), (400, "high")]
)
def test_confidence_levels(n: int, level: str) -> None:
    assert confidence_level(n) == level


def test_band_scheme_labels_follow_the_edges() -> None:
    scheme = BandScheme(price_edges=(Decimal(250), Decimal(1500)), latency_edges_days=(1, 10))
    assert scheme.price_labels == ("<250", "250-1.5k", "1.5k+")
    assert scheme.latency_labels == ("0-0d", "1-9d", "10d+", "pending")
    with pytest.raises(ValueError, match="ascending"):
        BandScheme(price_edges=(Decimal(5), Decimal(5)))


def test_the_default_scheme_is_the_validated_one() -> None:
    """DEFAULT_BAND_SCHEME is made without validation (start-up): it is exactly what
    validating the defaults gives, and what validating it again gives."""
    validated = BandScheme()
    for again in (validated, BandScheme.model_validate(DEFAULT_BAND_SCHEME.model_dump())):
        assert again == DEFAULT_BAND_SCHEME
        assert hash(again) == hash(DEFAULT_BAND_SCHEME)
        assert repr(again) == repr(DEFAULT_BAND_SCHEME)
        assert again.model_dump_json() == DEFAULT_BAND_SCHEME.model_dump_json()
    assert DEFAULT_BAND_SCHEME.model_fields_set == validated.model_fields_set == set()
    assert RunPolicy().band_scheme is DEFAULT_BAND_SCHEME


def test_amounts_are_written_to_json_as_their_float() -> None:
    values = [Decimal("0"), Decimal("0.1"), Decimal("1234.5"), Decimal("99999999999.99")]
    values += [Decimal("1e-7"), Decimal("123456789012345.6")]
    for value in values:
        summary = MoneySummary(total_amount=value, median_amount=value)
        dumped = summary.model_dump(mode="json")
        assert dumped["total_amount"] == float(value) and type(dumped["total_amount"]) is float
        assert json.loads(summary.model_dump_json())["median_amount"] == float(value)
        assert summary.model_dump()["total_amount"] == value  # Python mode keeps the Decimal


def test_tallies_must_add_up() -> None:
    tallies = tally_estimates([row()])
    broken = tallies.model_copy(update={"estimate_count": 2})
    with pytest.raises(ValueError, match="sum to"):
        build_buckets("s", broken, NOW)


@given(estimate_sets())
@example([row(sent=datetime(2020, 12, 31, 23, 59, tzinfo=UTC))] * 25)
def test_every_distribution_sums_to_the_count_and_matches_the_reference(
    rows: list[EstimateRow],
) -> None:
    buckets = buckets_of(rows)
    n = len(rows)
    assert buckets.estimate_count == n
    for distribution in (
        buckets.weekly_volume,
        buckets.price_distribution,
        buckets.decision_latency,
    ):
        assert sum(cell.count or 0 for cell in distribution) == n
    expected = reference_buckets(rows)
    assert [(w.week, w.count) for w in buckets.weekly_volume] == expected["weekly_volume"]
    assert [(b.band, b.count) for b in buckets.price_distribution] == expected["price_distribution"]
    assert [(b.band, b.count) for b in buckets.decision_latency] == expected["decision_latency"]
    assert buckets.confidence_level == confidence_level(n)
