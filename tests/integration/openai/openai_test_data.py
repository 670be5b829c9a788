"""Test data for the OpenAI adapter tests: a realistic source with canaries, the test key."""

from __future__ import annotations

from typing import Any

from snapshot_adapters.fake import banded_estimates

__all__ = ["API_KEY", "CANARY_AMOUNTS", "CANARY_IDS", "SOURCE_NAME", "USER", "realistic_rows"]

API_KEY = "sk-test-CANARYkey0must0never0leak-7f3a"
USER = "user-1"
SOURCE_NAME = "Smith & Sons private client list"  # user free text: must never reach the model
# Canary values: amounts with distinctive integer parts and cents, ids, and dates. None may
# appear in anything sent (weeks are sent as 2026-Wnn labels, never as dates).
CANARY_AMOUNTS = ("7345.18", "23817.64", "613.07")
CANARY_IDS = ("EST-canary-0001", "EST-canary-0002", "EST-canary-0003")


def realistic_rows(n: int = 400, seed: int = 7) -> list[dict[str, Any]]:
    """12 ISO weeks (2026-W02..W13), every price and latency band populated, ``n`` rows."""
    rows = [row.model_dump() for row in banded_estimates(n, seed=seed)]
    for row, amount, estimate_id in zip(rows, CANARY_AMOUNTS, CANARY_IDS, strict=False):
        row["amount"], row["estimate_id"] = amount, estimate_id
    return rows
