"""Synthetic but realistic estimates, for the demo, benchmarks and tests."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from snapshot_core.domain import EstimateRow
from snapshot_core.domain.models import Outcome

__all__ = ["banded_estimates", "synthetic_estimates"]


def synthetic_estimates(
    count: int,
    *,
    seed: int = 7,
    end: datetime = datetime(2026, 3, 27, 17, 0, tzinfo=UTC),
    weeks: int = 12,
    outcomes: bool = False,
) -> Iterator[EstimateRow]:
    """``count`` estimates over ``weeks`` weeks ending at ``end``: log-normal amounts around
    $2k, weekday-heavy sending, 75 % decided with mostly short latencies, the rest pending.

    With ``outcomes``, each decided estimate is won or lost (small jobs are won more often
    than large ones) and the rest are pending; without, the outcome is unknown."""
    rng = random.Random(seed)
    span = timedelta(weeks=weeks)
    for number in range(count):
        sent = end - span * rng.random()
        if sent.weekday() >= 5 and rng.random() < 0.7:  # fewer quotes go out at weekends
            sent -= timedelta(days=2)
        amount = Decimal(f"{rng.lognormvariate(7.6, 0.9):.2f}")  # exact cents, as exports hold
        decided = None
        if rng.random() < 0.75:
            decided = sent + timedelta(hours=rng.expovariate(1 / 130))
            if decided > end:
                decided = None
        outcome: Outcome | None = None
        if outcomes:  # drawn only when asked: the default sequence stays what tests expect
            chance = 0.6 if amount < 1000 else 0.45 if amount < 5000 else 0.3
            won = rng.random() < chance
            outcome = "pending" if decided is None else "won" if won else "lost"
        yield EstimateRow(
            amount=amount,
            sent_at=sent,
            decided_at=decided,
            estimate_id=f"EST-{number + 1:06d}",
            outcome=outcome,
        )


_PRICE_RANGES = [(50, 499), (500, 999), (1000, 2499), (2500, 4999), (5000, 9999), (10000, 40000)]
_LATENCY_DAYS: list[tuple[int, int] | None] = [(0, 2), (3, 7), (8, 14), (15, 30), (31, 60), None]


def banded_estimates(count: int = 400, *, seed: int = 7) -> list[EstimateRow]:
    """``count`` estimates over 12 ISO weeks (2026-W02..W13) with every price and latency band
    populated: the realistic source the token budget is measured on, and tested against."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    rows = []
    for number in range(count):
        low, high = rng.choices(_PRICE_RANGES, [12, 20, 30, 20, 12, 6])[0]
        sent = start + timedelta(days=rng.randrange(84), hours=rng.randrange(10))
        latency = rng.choices(_LATENCY_DAYS, [20, 30, 20, 12, 6, 12])[0]
        decided = None if latency is None else sent + timedelta(days=rng.randint(*latency), hours=1)
        rows.append(
            EstimateRow(
                amount=Decimal(f"{rng.uniform(low, high):.2f}"),
                sent_at=sent,
                decided_at=decided,
                estimate_id=f"EST-{number:05d}",
            )
        )
    return rows
