"""Test data for the OpenAI adapter tests: a realistic source with canaries, the test key."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["API_KEY", "CANARY_AMOUNTS", "CANARY_IDS", "SOURCE_NAME", "USER", "realistic_rows"]

API_KEY = "sk-test-CANARYkey0must0never0leak-7f3a"
USER = "user-1"
SOURCE_NAME = "Smith & Sons private client list"  # user free text: must never reach the model
# Canary values: amounts with distinctive integer parts and cents, ids, and dates. None may
# appear in anything sent (weeks are sent as 2026-Wnn labels, never as dates).
CANARY_AMOUNTS = ("7345.18", "23817.64", "613.07")
CANARY_IDS = ("EST-canary-0001", "EST-canary-0002", "EST-canary-0003")

_BANDS = [(50, 499), (500, 999), (1000, 2499), (2500, 4999), (5000, 9999), (10000, 40000)]
_LATENCY = [(0, 2), (3, 7), (8, 14), (15, 30), (31, 60), None]


def realistic_rows(n: int = 400, seed: int = 7) -> list[dict[str, Any]]:
    """12 ISO weeks (2026-W02..W13), every price and latency band populated, ``n`` rows."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    for i in range(n):
        low, high = rng.choices(_BANDS, [12, 20, 30, 20, 12, 6])[0]
        sent = start + timedelta(days=rng.randrange(84), hours=rng.randrange(10))
        latency = rng.choices(_LATENCY, [20, 30, 20, 12, 6, 12])[0]
        decided = None if latency is None else sent + timedelta(days=rng.randint(*latency), hours=1)
        rows.append(
            {
                "amount": f"{rng.uniform(low, high):.2f}",
                "sent_at": sent.isoformat(),
                "decided_at": decided.isoformat() if decided else None,
                "estimate_id": f"EST-{i:05d}",
            }
        )
    for row, amount, estimate_id in zip(rows, CANARY_AMOUNTS, CANARY_IDS, strict=False):
        row["amount"], row["estimate_id"] = amount, estimate_id
    return rows
