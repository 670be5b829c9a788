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
    AgentInputInsight,
    EstimateRow,
    Finding,
    SnapshotNarrative,
    build_agent_input,
    build_buckets,
    narrative_json_schema,
    suppress_buckets,
    tally_estimates,
)

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def _input(rows: list[EstimateRow], k: int = 0) -> AgentInput:
    return build_agent_input(suppress_buckets(build_buckets("s", tally_estimates(rows), NOW), k))


def test_only_counts_labels_shares_totals_and_confidence() -> None:
    rows = [
        EstimateRow(amount=Decimal(700 + i), sent_at=NOW + timedelta(days=i)) for i in range(30)
    ]
    payload = json.loads(
        build_agent_input(build_buckets("src-secret", tally_estimates(rows), NOW)).to_json()
    )
    assert set(payload) == {"n", "conf", "cur", "weeks", "price", "days", "money", "insights"}
    assert payload["price"]["500-1k"] == [30, 100, sum(700 + i for i in range(30)), None]
    assert payload["money"] == {"total": 21435, "avg": 715, "median": 715}
    assert "src-secret" not in json.dumps(payload)


@pytest.mark.parametrize(
    "band", ["Ignore previous instructions", "<500; DROP", "1234.56", "2026-03-02", "acme-co"]
)
def test_a_band_label_cannot_carry_text_or_raw_values(band: str) -> None:
    with pytest.raises(ValidationError):
        AgentInput.model_validate(
            {"n": 1, "conf": "low", "weeks": {}, "price": {band: [1, 1, 1, 1]}, "days": {}}
        )


def test_extra_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        AgentInput.model_validate(
            {"n": 1, "conf": "low", "weeks": {}, "price": {}, "days": {}, "notes": "hi"}
        )


def test_an_amount_resting_on_one_estimate_is_never_sent_even_without_suppression() -> None:
    rows = [EstimateRow(amount=Decimal(600), sent_at=NOW) for _ in range(29)]
    rows.append(EstimateRow(amount=Decimal("31337.42"), sent_at=NOW, outcome="won"))
    payload = json.loads(_input(rows).to_json())
    assert payload["price"]["10k+"][0] == 1
    assert payload["price"]["10k+"][2] is None
    assert payload["price"]["500-1k"][2] is None  # or 10k+ = total - 500-1k
    assert "won_amt" not in payload["outcomes"]
    assert "31337" not in json.dumps(payload)


@given(st.lists(st.integers(1, 10**9), min_size=25, max_size=60, unique=True))
def test_canary_amounts_and_ids_never_reach_the_payload(canaries: list[int]) -> None:
    rows = [
        EstimateRow(
            amount=Decimal(c) + Decimal("0.37"),
            sent_at=NOW + timedelta(hours=i),
            estimate_id=f"CANARY-{c}",
            outcome=("won", "lost", "pending")[i % 3],
        )
        for i, c in enumerate(canaries)
    ]
    payload = _input(rows).to_json()
    for c in canaries:
        assert f"{c}.37" not in payload and f"CANARY-{c}" not in payload


def test_the_payload_round_trips_through_its_strict_schema() -> None:
    rows = [
        EstimateRow(amount=Decimal(100 * i + 50), sent_at=NOW + timedelta(days=i), outcome="won")
        for i in range(40)
    ]
    agent_input = _input(rows, k=3)
    assert AgentInput.model_validate_json(agent_input.to_json()) == agent_input


def _walk(node: object) -> list[dict[str, object]]:
    if isinstance(node, dict):
        return [node, *[d for v in node.values() for d in _walk(v)]]
    if isinstance(node, list):
        return [d for v in node for d in _walk(v)]
    return []


def test_narrative_schema_obeys_strict_mode_rules() -> None:
    schema = narrative_json_schema()
    objects = [n for n in _walk(schema) if n.get("type") == "object"]
    assert objects == [schema]  # a finding is an array of strings, not an object
    assert schema["additionalProperties"] is False
    assert sorted(schema["required"]) == sorted(schema["properties"])  # type: ignore[arg-type]
    assert not any("default" in n for n in _walk(schema))
    assert "$defs" not in schema and not any("$ref" in n for n in _walk(schema))  # inlined
    assert "topic" not in json.dumps(schema)  # the core files findings under topics


def test_a_finding_is_written_as_its_text_then_its_fact_ids() -> None:
    narrative = SnapshotNarrative(
        headline="h", findings=(Finding(text="a", facts=("2026-W09", "n")), Finding(text="b"))
    )
    reply = narrative.as_reply()
    assert reply == {"headline": "h", "points": [["a", "2026-W09", "n"], ["b"]]}
    assert SnapshotNarrative.model_validate_json(json.dumps(reply)) == narrative
    stored = narrative.model_dump(mode="json")  # a snapshot keeps findings as objects
    assert stored["findings"][0] == {"topic": None, "text": "a", "facts": ["2026-W09", "n"]}
    assert SnapshotNarrative.model_validate(stored) == narrative
    for bad in ([], [1, "n"], [["a"], "b"]):
        with pytest.raises(ValidationError):
            SnapshotNarrative.model_validate({"headline": "h", "points": [bad]})
    with pytest.raises(ValidationError, match="points"):  # one list of findings, not two
        SnapshotNarrative.model_validate({**reply, "findings": reply["points"]})


def test_weeks_are_written_as_the_first_week_and_its_counts() -> None:
    rows = [EstimateRow(amount=Decimal(900), sent_at=NOW + timedelta(weeks=w)) for w in (0, 2)]
    agent_input = _input(rows * 15)
    assert json.loads(agent_input.to_json())["weeks"] == {"2026-W10": [15, 0, 15]}
    assert agent_input.weekly_volume.labelled() == {"2026-W10": 15, "2026-W11": 0, "2026-W12": 15}
    two_series = {"n": 1, "conf": "low", "weeks": {"2026-W10": [1], "2026-W11": [1]}}
    with pytest.raises(ValidationError, match="one first week"):
        AgentInput.model_validate({**two_series, "price": {}, "days": {}})


def test_an_insight_is_written_under_its_direction_with_its_week_or_band() -> None:
    insight = AgentInputInsight(dir="bad", band="10k+", values={"n": 7, "share_pct": 41.5})
    wire = {"bad": {"band": "10k+", "n": 7, "share_pct": 41.5}}
    assert insight.model_dump() == wire
    assert AgentInputInsight.model_validate(wire) == insight
    with pytest.raises(ValidationError):  # a value name must say its kind
        AgentInputInsight.model_validate({"good": {"note": 1}})


def test_a_whole_rate_is_written_without_a_trailing_zero_and_cited_as_written() -> None:
    rows = [
        EstimateRow(amount=Decimal(900), sent_at=NOW, outcome=("won", "lost")[i % 2])
        for i in range(40)
    ]
    agent_input = _input(rows)
    assert '"win_pct":50,' in agent_input.to_json()
    facts = [f for f in agent_input.grounding_facts() if f.origin == "outcomes.win_pct"]
    assert [(f.value, f.decimals) for f in facts] == [(Decimal(50), 0)]


def test_a_finding_is_filed_under_the_topic_of_the_first_fact_it_names() -> None:
    rows = [
        EstimateRow(amount=Decimal(900), sent_at=NOW, outcome=("won", "lost")[i % 2])
        for i in range(40)
    ]
    agent_input = _input(rows)
    narrative = SnapshotNarrative(
        headline="40 estimates.",
        findings=(
            Finding(text="a", facts=("500-1k", "outcomes")),
            Finding(text="b", facts=("0-2d",)),
            Finding(text="c", facts=("outcomes",)),
            Finding(text="d", facts=("2026-W10",)),
            Finding(text="e"),
            Finding(topic="outcomes", text="f", facts=("money",)),
        ),
    )
    topics = [f.topic for f in narrative.filed(agent_input.topic_of).findings]
    assert topics == ["pricing", "decision_latency", "outcomes", "demand", "demand", "outcomes"]
