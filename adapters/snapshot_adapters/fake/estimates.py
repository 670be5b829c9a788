"""Synthetic but realistic estimates, for the demo, benchmarks and tests."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from snapshot_core.domain import EstimateRow

__all__ = ["synthetic_estimates"]


def synthetic_estimates(
    count: int,
    *,
    seed: int = 7,
    end: datetime = datetime(2026, 3, 27, 17, 0, tzinfo=UTC),
    weeks: int = 12,
) -> Iterator[EstimateRow]:
    """``count`` estimates over ``weeks`` weeks ending at ``end``: log-normal amounts around
    $2k, weekday-heavy sending, 75 % decided with mostly short latencies, the rest pending."""
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
        yield EstimateRow(
            amount=amount, sent_at=sent, decided_at=decided, estimate_id=f"EST-{number + 1:06d}"
        )
