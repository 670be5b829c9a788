"""The database's metric tally equals the core's reference exactly, on random estimates with
outcomes: fine and huge amounts (the exact Python path), integer-sum overflow on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from snapshot_adapters.sql import SqlStore, median_positions
from snapshot_core.domain import DEFAULT_BAND_SCHEME, BandScheme, EstimateRow, tally_estimates

from .test_sql_pushdown import _tally_in, rows_with_fine_amounts, schemes

OUTCOMES = st.sampled_from([None, "won", "lost", "pending"])
START = datetime(2026, 1, 5, tzinfo=UTC)

with_outcomes = st.builds(
    lambda rows, outcomes: (
        [
            row.model_copy(update={"outcome": outcome})
            for row, outcome in zip(rows, outcomes, strict=False)
        ]
        + rows[len(outcomes) :]
    ),
    rows_with_fine_amounts,
    st.lists(OUTCOMES, max_size=80),
)

# Eleven amounts just under 1e14: each fits a scaled 64-bit integer, their sum does not.
OVERFLOWING = [
    EstimateRow(
        amount=Decimal("99999999999999.99"), sent_at=START + timedelta(days=i), outcome="won"
    )
    for i in range(11)
]
# Eleven stale pending amounts whose sum overflows: the stale sum, made in the same grouped
# scan as the latency histogram, falls back to Python without losing the histogram.
OVERFLOWING_STALE = [
    *(
        EstimateRow(amount=row.amount, sent_at=row.sent_at, outcome="pending")
        for row in OVERFLOWING
    ),
    EstimateRow(
        amount=Decimal(5),
        sent_at=START + timedelta(days=80),
        decided_at=START + timedelta(days=83),
        outcome="won",
    ),
]
STALE = [
    EstimateRow(amount=Decimal(100 + i), sent_at=START + timedelta(days=i), outcome="pending")
    for i in range(0, 70, 7)
]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=with_outcomes, scheme=schemes)
@example(rows=OVERFLOWING, scheme=DEFAULT_BAND_SCHEME)
@example(rows=STALE, scheme=DEFAULT_BAND_SCHEME)
@example(rows=OVERFLOWING_STALE, scheme=DEFAULT_BAND_SCHEME)
def test_metric_tally_equals_the_reference(
    sql_store: SqlStore, rows: list[EstimateRow], scheme: BandScheme
) -> None:
    tallied = _tally_in(sql_store, rows, scheme)
    assert tallied == tally_estimates(rows, scheme)


def test_an_overflowing_stale_sum_is_made_exactly_in_python(sql_store: SqlStore) -> None:
    tallied = _tally_in(sql_store, OVERFLOWING_STALE, DEFAULT_BAND_SCHEME)
    metrics = tallied.metrics
    assert (metrics.stale_pending, metrics.stale_amount) == (11, Decimal("99999999999999.99") * 11)  # type: ignore[attr-defined]
    assert metrics.median_latency_days == 3  # type: ignore[attr-defined]


def test_an_overflowing_sum_is_made_exactly_in_python(sql_store: SqlStore) -> None:
    tallied = _tally_in(sql_store, OVERFLOWING, DEFAULT_BAND_SCHEME)
    assert tallied.metrics.won_amount == Decimal("99999999999999.99") * 11  # type: ignore[attr-defined]


def test_the_stale_pipeline_counts_pending_sent_over_30_days_before_the_latest(
    sql_store: SqlStore,
) -> None:
    metrics = _tally_in(sql_store, STALE, DEFAULT_BAND_SCHEME).metrics  # type: ignore[attr-defined]
    # Sent on days 0, 7, ..., 63; the latest is day 63: days 0 to 28 are over 30 days older.
    assert (metrics.stale_pending, metrics.stale_amount) == (
        5,
        Decimal(100 + 107 + 114 + 121 + 128),
    )


def _sent(amounts: list[str]) -> list[EstimateRow]:
    return [
        EstimateRow(
            amount=Decimal(amount),
            sent_at=START + timedelta(days=i),
            decided_at=START + timedelta(days=i + i % 5) if i % 3 else None,
            outcome=("won", "lost", "pending", None)[i % 4],
        )
        for i, amount in enumerate(amounts)
    ]


# The middle of an even count across two price bands, and within one; an odd count.
MEDIANS = [_sent(["499", "500"]), _sent(["100", "499.5", "500", "3000"]), _sent(["1", "2", "9"])]
# Four decimals are exact in the scaled integer, five are not (trailing zeros do not count).
FRACTIONS = [_sent(["1.0001", "2.10000", "3"]), _sent(["1.0001", "2.00001", "3"])]


@pytest.mark.parametrize("rows", MEDIANS + FRACTIONS)
def test_medians_and_finer_amounts_equal_the_reference(
    sql_store: SqlStore, rows: list[EstimateRow]
) -> None:
    tallied = _tally_in(sql_store, rows, DEFAULT_BAND_SCHEME)
    assert tallied == tally_estimates(rows, DEFAULT_BAND_SCHEME)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=with_outcomes, scheme=schemes)
@example(rows=MEDIANS[1], scheme=DEFAULT_BAND_SCHEME)
@example(rows=_sent([str(10 + i % 7) for i in range(40)]), scheme=DEFAULT_BAND_SCHEME)
def test_the_amount_median_cut_at_pivots_equals_the_reference(
    sql_store: SqlStore, rows: list[EstimateRow], scheme: BandScheme
) -> None:
    """Every band is cut at pivots here (large bands only, in use), read from either end."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(median_positions, "PIVOT_MIN_ROWS", 0)
        tallied = _tally_in(sql_store, rows, scheme)
    assert tallied == tally_estimates(rows, scheme)
