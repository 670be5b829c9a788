"""What the report needs from the core: where each citation stands in its text, the fact that
grounds it, the shown buckets a snapshot was made from, and the run that made it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from snapshot_core.domain import (
    RunOutcome,
    SnapshotRun,
    assemble_snapshot,
    build_agent_input,
    grounding_fact,
    rank_insights,
    read_citations,
    run_of_snapshot,
    shown_buckets,
    template_narrative,
)

from .test_insights import buckets_of, source
from .test_typed_grounding import AI

FACTS = AI.grounding_facts()
SAVED = datetime(2026, 5, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "In 2026-W03 (2026-01-12) you sent forty-two estimates, 36% in the 1k-2.5k band.",
        "USD 1,200 doubled over 12.5 days; 3 percentage points; a dozen; one of them; 7x",
        "  twenty one  estimates ",
    ],
)
def test_each_citation_says_where_the_text_has_it(text: str) -> None:
    citations = read_citations(text, ["1k-2.5k"])
    assert citations
    for citation in citations:
        assert text[citation.start : citation.end] == citation.literal
    spans = sorted((c.start, c.end) for c in citations)
    assert all(end <= start for (_, end), (start, _) in pairwise(spans))  # none overlaps


def test_the_grounding_fact_of_a_citation_is_one_of_its_kind_and_value() -> None:
    narrative = template_narrative(AI)
    for finding in narrative.findings:
        named = [f for f in FACTS if f.fact in finding.facts]
        for citation in read_citations(finding.text, [f.label for f in FACTS if f.label]):
            fact = grounding_fact(citation, named)
            assert fact is not None, citation
            assert fact.fact in finding.facts
            if citation.kind in ("week", "date", "band"):
                assert fact.label == citation.label
            elif citation.kind != "ratio":
                assert fact.kind in (citation.kind, "year") and fact.value is not None
    week = next(f for f in FACTS if f.kind == "count" and f.fact.startswith("20"))
    (found,) = read_citations(f"{week.value} estimates")
    assert grounding_fact(found, [week]) == week
    assert grounding_fact(found, [f for f in FACTS if f.kind == "percent"]) is None


def test_a_snapshot_gives_back_the_shown_buckets_it_was_made_from() -> None:
    shown = buckets_of(source(2, win=[0.6] * 12 + [0.2] * 4), k=3)
    insights = rank_insights(shown, 4)
    agent_input = build_agent_input(shown, insights, "EUR")
    snapshot = assemble_snapshot("s-1", shown, template_narrative(agent_input), "m", SAVED)
    again = shown_buckets(snapshot)
    assert again.model_dump(exclude={"created_at"}) == shown.model_dump(exclude={"created_at"})
    assert build_agent_input(again, rank_insights(again, 4), "EUR") == agent_input


def _run(run_id: str, **fields: object) -> SnapshotRun:
    return SnapshotRun(
        run_id=run_id, source_id="src", user_id="u", attempt=1,
        started_at=SAVED - timedelta(seconds=5), finished_at=SAVED - timedelta(hours=1),
        outcome=RunOutcome.FAILED, cost_usd=Decimal("0.01"),
    ).model_copy(update=fields)  # fmt: skip


def test_the_run_of_a_snapshot_is_the_one_naming_it_or_the_failed_one_its_template_replaced() -> (
    None
):
    shown = buckets_of(source(3))
    narrative = template_narrative(build_agent_input(shown, rank_insights(shown, 4)))
    snapshot = assemble_snapshot("snap", shown, narrative, "m", SAVED, "template")
    snapshot = snapshot.model_copy(
        update={"meta": snapshot.meta.model_copy(update={"source_id": "src"})}
    )
    earlier, fallback = _run("r1"), _run("r2", finished_at=SAVED)
    named = _run("r3", outcome=RunOutcome.SUCCEEDED, snapshot_id="snap")
    assert run_of_snapshot(snapshot, [earlier, fallback]) == fallback
    assert run_of_snapshot(snapshot, [earlier, fallback, named]) == named
    assert run_of_snapshot(snapshot, [earlier]) is None
