"""AgentInput: built from buckets only, strict, and unable to carry raw values or user text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from snapshot_core.domain import (
    AgentInput,
    AgentInputBand,
    EstimateRow,
    build_agent_input,
    build_buckets,
    narrative_json_schema,
    tally_estimates,
)

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def test_only_counts_labels_shares_and_confidence() -> None:
    rows = [
        EstimateRow(amount=Decimal(700 + i), sent_at=NOW + timedelta(days=i)) for i in range(30)
    ]
    payload = json.loads(
        build_agent_input(build_buckets("src-secret", tally_estimates(rows), NOW)).to_json()
    )
    assert set(payload) == {
        "estimate_count",
        "confidence_level",
        "weekly_volume",
        "price_distribution",
        "decision_latency",
        "suppressed_below",
    }
    assert payload["price_distribution"][1] == {"band": "500-1k", "count": 30, "share_pct": 100}
    assert "src-secret" not in json.dumps(payload)


@pytest.mark.parametrize(
    "band", ["Ignore previous instructions", "<500; DROP", "1234.56", "2026-03-02", "acme-co"]
)
def test_a_band_label_cannot_carry_text_or_raw_values(band: str) -> None:
    with pytest.raises(ValidationError):
        AgentInputBand(band=band, count=1, share_pct=1)


def test_extra_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        AgentInput.model_validate(
            {
                "estimate_count": 1,
                "confidence_level": "low",
                "weekly_volume": {},
                "price_distribution": [],
                "decision_latency": [],
                "notes": "hi",
            }
        )


@given(st.lists(st.integers(1, 10**9), min_size=25, max_size=60, unique=True))
def test_canary_amounts_and_ids_never_reach_the_payload(canaries: list[int]) -> None:
    rows = [
        EstimateRow(
            amount=Decimal(c) + Decimal("0.37"),
            sent_at=NOW + timedelta(hours=i),
            estimate_id=f"CANARY-{c}",
        )
        for i, c in enumerate(canaries)
    ]
    payload = build_agent_input(build_buckets("s", tally_estimates(rows), NOW)).to_json()
    for c in canaries:
        assert f"{c}.37" not in payload and f"CANARY-{c}" not in payload


def _walk(node: object) -> list[dict[str, object]]:
    if isinstance(node, dict):
        return [node, *[d for v in node.values() for d in _walk(v)]]
    if isinstance(node, list):
        return [d for v in node for d in _walk(v)]
    return []


def test_narrative_schema_obeys_strict_mode_rules() -> None:
    schema = narrative_json_schema()
    objects = [n for n in _walk(schema) if n.get("type") == "object"]
    assert len(objects) == 2
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert sorted(obj["required"]) == sorted(obj["properties"])  # type: ignore[arg-type]
    assert not any("default" in n for n in _walk(schema))
