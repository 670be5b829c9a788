"""The insight catalogue: each kind's gate claims nothing from noise (flat random sources: no
trend and no unusual week in >= 95 % of seeds) and finds the effect when one is planted;
codes are unique and documented; ranking and the top N."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from snapshot_core.domain import (
    INSIGHT_CATALOGUE,
    EstimateRow,
    build_buckets,
    rank_insights,
    suppress_buckets,
    tally_estimates,
)
from snapshot_core.domain.models import EstimateBuckets

START = datetime(2026, 1, 5, 9, tzinfo=UTC)  # a Monday: 2026-W02
DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the weekly means used here."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def source(
    seed: int,
    *,
    weeks: int = 16,
    mean: float | list[float] = 25.0,
    win: float | list[float] = 0.4,
    amount: float | list[float] = 2000.0,
    decided: float = 0.8,
) -> list[EstimateRow]:
    """Weekly Poisson counts; each estimate won with ``win`` (per week if a list) once decided."""
    rng = random.Random(seed)
    rows = []
    for week in range(weeks):
        week_mean = mean[week] if isinstance(mean, list) else mean
        for _ in range(_poisson(rng, week_mean)):
            p_win = win[week] if isinstance(win, list) else win
            size = amount[week] if isinstance(amount, list) else amount
            outcome = "pending"
            if rng.random() < decided:
                outcome = "won" if rng.random() < p_win else "lost"
            rows.append(
                EstimateRow(
                    amount=Decimal(f"{rng.lognormvariate(math.log(size), 0.5):.2f}"),
                    sent_at=START + timedelta(weeks=week, hours=rng.randrange(120)),
                    outcome=outcome,  # type: ignore[arg-type]
                )
            )
    return rows


def buckets_of(rows: list[EstimateRow], k: int = 0) -> EstimateBuckets:
    return suppress_buckets(build_buckets("s", tally_estimates(rows), START), k)


def codes(rows: list[EstimateRow], k: int = 0) -> set[str]:
    return {insight.code for insight in rank_insights(buckets_of(rows, k))}


def test_flat_random_sources_claim_no_trend_or_unusual_week_in_95_percent_of_seeds() -> None:
    seeds = range(200)
    claimed = {"volume_trend": 0, "unusual_week": 0, "volume_4w": 0, "win_rate_4w": 0}
    for seed in seeds:
        found = codes(source(seed))
        for code in claimed:
            claimed[code] += code in found
    for code, count in claimed.items():
        assert count / len(seeds) <= 0.05, (code, count)


@pytest.mark.parametrize(
    ("code", "planted"),
    [
        ("volume_trend", {"mean": [10 + 3 * w for w in range(16)]}),
        ("unusual_week", {"mean": [25.0] * 7 + [90.0] + [25.0] * 8}),
        ("volume_4w", {"mean": [20.0] * 11 + [45.0] * 4 + [20.0]}),
        ("win_rate_4w", {"mean": 40.0, "win": [0.25] * 11 + [0.65] * 5}),
        ("avg_amount_4w", {"amount": [2000.0] * 11 + [4500.0] * 5}),
    ],
)
def test_a_planted_effect_is_found_in_most_seeds(code: str, planted: dict[str, object]) -> None:
    found = sum(code in codes(source(seed, **planted)) for seed in range(20))  # type: ignore[arg-type]
    assert found >= 18, (code, found)


def _row(amount: str, outcome: str, days: int) -> EstimateRow:
    return EstimateRow(
        amount=Decimal(amount),
        sent_at=START + timedelta(days=days),
        outcome=outcome,  # type: ignore[arg-type]
    )


def test_a_price_band_whose_win_rate_drops_is_named() -> None:
    cheap = [_row("300", "won" if i % 2 else "lost", i % 80) for i in range(120)]
    dear = [_row("12000", "won" if i % 10 == 0 else "lost", i % 80) for i in range(60)]
    [insight] = [i for i in rank_insights(buckets_of(cheap + dear)) if i.code == "band_win_rate"]
    assert insight.band == "10k+" and insight.values["band_win_pct"] == Decimal("10.0")


def test_a_stale_pipeline_is_found_and_a_fresh_one_is_not() -> None:
    old = [_row("800", "pending", d) for d in range(0, 20)]
    recent = [_row("900", "won", d) for d in range(40, 90)]
    assert "stale_pipeline" in codes(old + recent)
    assert "stale_pipeline" not in codes([_row("800", "pending", 85), *recent])


def test_money_concentrated_in_one_band_is_found_and_spread_money_is_not() -> None:
    spread = [_row(a, "won", d) for d in range(60) for a in ("300", "700", "1500", "3000")]
    assert "price_concentration" not in codes(spread)
    big = [_row("30000", "won", d) for d in range(0, 60, 2)]
    [insight] = [
        i for i in rank_insights(buckets_of(spread + big)) if i.code == "price_concentration"
    ]
    assert insight.band == "10k+"


def test_nothing_is_claimed_from_hidden_cells() -> None:
    rows = source(3, mean=[10 + 3 * w for w in range(16)])
    assert "volume_trend" in codes(rows)
    assert "volume_trend" not in codes(rows, k=500)  # every week hidden


def test_insights_rank_by_magnitude_and_the_top_n_is_kept() -> None:
    rows = source(1, mean=[10 + 3 * w for w in range(16)], win=[0.2] * 11 + [0.7] * 5)
    ranked = rank_insights(buckets_of(rows))
    assert len(ranked) >= 2
    assert [i.magnitude for i in ranked] == sorted((i.magnitude for i in ranked), reverse=True)
    assert rank_insights(buckets_of(rows), top=1) == ranked[:1]


def test_every_insight_code_is_unique_and_documented() -> None:
    codes_ = [kind.code for kind in INSIGHT_CATALOGUE]
    assert len(codes_) == len(set(codes_))
    docs = DOCS.read_text(encoding="utf-8")
    for kind in INSIGHT_CATALOGUE:
        assert f"| `{kind.code}` |" in docs, kind.code
        assert kind.meaning
