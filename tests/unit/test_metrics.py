"""Every metric of a snapshot equals a plain re-statement of its formula (tests/unit/reference.py):
outcomes and rates, money, medians, per-week and per-band figures; then suppression of sums,
rates and medians."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from snapshot_core.domain import (
    EstimateRow,
    build_buckets,
    suppress_buckets,
    tally_estimates,
)

from ..strategies import estimate_rows
from .reference import reference_metrics

NOW = datetime(2026, 4, 1, tzinfo=UTC)
OUTCOMES = st.sampled_from([None, "won", "lost", "pending"])


@st.composite
def rows_with_outcomes(draw: st.DrawFn, max_size: int = 60) -> list[EstimateRow]:
    """Sources of every shape: no outcomes, all one outcome, or mixed."""
    rows = draw(st.lists(estimate_rows(), min_size=0, max_size=max_size))
    shape = draw(st.sampled_from(["none", "all_pending", "all_won", "mixed"]))
    if shape == "mixed":
        return [r.model_copy(update={"outcome": draw(OUTCOMES)}) for r in rows]
    outcome = {"none": None, "all_pending": "pending", "all_won": "won"}[shape]
    return [r.model_copy(update={"outcome": outcome}) for r in rows]


def _row(amount: str, outcome: str | None, days_ago: int = 0) -> EstimateRow:
    return EstimateRow(
        amount=Decimal(amount), sent_at=NOW - timedelta(days=days_ago), outcome=outcome
    )


ONE_WEEK = [_row("100.005", "won"), _row("200", "lost"), _row("300.01", "won")]
ONE_ESTIMATE_BANDS = [_row("10", "won"), _row("600", "lost"), _row("20000", "pending", 40)]


@settings(max_examples=150)
@given(rows=rows_with_outcomes())
@example(rows=[])
@example(rows=ONE_WEEK)
@example(rows=ONE_ESTIMATE_BANDS)
@example(rows=[_row("0", "won"), _row("0", "lost")])  # decided, but no money: $ rate undefined
def test_every_metric_equals_the_plain_restatement(rows: list[EstimateRow]) -> None:
    buckets = build_buckets("s", tally_estimates(rows), NOW)
    expected = reference_metrics(rows)
    assert buckets.outcomes.model_dump() == expected["outcomes"]
    assert buckets.money.model_dump() == expected["money"]
    median = expected["median_days"]
    assert buckets.median_latency_days == (None if median is None else Decimal(str(median)))
    bands: dict[str, dict[str, object]] = expected["bands"]  # type: ignore[assignment]
    for band in buckets.price_distribution:
        assert band.amount_total == bands[band.band]["amount_total"]
        assert band.win_rate_pct == bands[band.band]["win_rate_pct"]
    weeks: dict[str, tuple[object, object]] = expected["weeks"]  # type: ignore[assignment]
    empty_week = (0, 0) if buckets.outcomes.won is not None else (None, None)
    for week in buckets.weekly_volume:
        assert (week.won, week.lost) == weeks.get(week.week, empty_week)
        year, number = week.week.split("-W")
        assert week.week_start == date.fromisocalendar(int(year), int(number), 1)


def test_a_source_without_outcomes_has_every_outcome_figure_null() -> None:
    rows = [_row("100", None, d) for d in range(30)]
    buckets = build_buckets("s", tally_estimates(rows), NOW)
    assert set(buckets.outcomes.model_dump().values()) == {None}
    assert buckets.money.total_amount == Decimal(3000)


def test_win_rate_and_close_rate_differ_as_documented() -> None:
    rows = [_row("100", "won")] * 3 + [_row("100", "lost")] + [_row("100", "pending")] * 4
    o = build_buckets("s", tally_estimates(rows), NOW).outcomes
    assert (o.win_rate_pct, o.close_rate_pct) == (Decimal("75.0"), Decimal("50.0"))


@settings(max_examples=150)
@given(rows=rows_with_outcomes(max_size=80), k=st.integers(2, 12))
@example(rows=ONE_ESTIMATE_BANDS * 4, k=5)
def test_no_shown_figure_rests_on_fewer_than_k_estimates(rows: list[EstimateRow], k: int) -> None:
    exact = build_buckets("s", tally_estimates(rows), NOW)
    shown = suppress_buckets(exact, k)
    n = exact.estimate_count
    for band, real in zip(shown.price_distribution, exact.price_distribution, strict=True):
        if band.amount_total is not None:
            assert band.count == real.count and (real.count == 0 or real.count >= k)
        if band.win_rate_pct is not None:
            assert (real.won or 0) + (real.lost or 0) >= k
    o, real_o = shown.outcomes, exact.outcomes
    for count, amount in (
        (o.won, o.won_amount),
        (o.lost, o.lost_amount),
        (o.pending, o.open_amount),
        (o.stale_pending, o.stale_amount),
    ):
        assert count is None or count == 0 or count >= k
        assert amount is None or count is not None
    if o.win_rate_pct is not None:
        assert (real_o.won or 0) + (real_o.lost or 0) >= k
        assert o.won is not None and o.lost is not None  # a rate never reveals a hidden count
    if shown.money.median_amount is not None:
        assert n >= k
    # No hidden amount is the total minus the shown ones: hidden amounts come two or more.
    hidden = [b for b in shown.price_distribution if b.amount_total is None and b.count != 0]
    assert len([b for b in exact.price_distribution if b.count]) <= 1 or len(hidden) != 1
