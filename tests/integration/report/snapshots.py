"""Snapshots for the report tests, made by the core as a run makes them: v2 with outcomes,
without, suppressed, version 1, and with names planted where user text could appear."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from snapshot_core.domain import (
    EstimateRow,
    SnapshotNarrative,
    SnapshotResult,
    assemble_snapshot,
    build_agent_input,
    build_buckets,
    rank_insights,
    suppress_buckets,
    tally_estimates,
    template_narrative,
)

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
GENERATED = datetime(2026, 5, 1, 12, tzinfo=UTC)


def estimates(
    seed: int = 3, *, weeks: int = 16, per_week: int = 30, outcomes: bool = True
) -> list[EstimateRow]:
    """Seeded estimates over ``weeks`` weeks; the win rate drops in the last five, and some
    early ones are still open (a stale pipeline)."""
    rng = random.Random(seed)
    rows = []
    for week in range(weeks):
        for _ in range(per_week + rng.randrange(-6, 7)):
            sent = START + timedelta(weeks=week, hours=rng.randrange(120))
            decided = sent + timedelta(days=rng.choice([0, 1, 2, 4, 6, 9, 13, 20, 40]))
            roll = rng.random()
            outcome = (
                "pending"
                if roll < 0.2
                else "won"
                if roll < (0.35 if week > 10 else 0.7)
                else "lost"
            )
            rows.append(
                EstimateRow(
                    amount=Decimal(f"{rng.lognormvariate(7.6, 0.9):.2f}"),
                    sent_at=sent,
                    decided_at=None if outcome == "pending" else decided,
                    outcome=outcome if outcomes else None,  # type: ignore[arg-type]
                )
            )
    return rows


def snapshot_of(
    rows: list[EstimateRow],
    *,
    k: int = 0,
    narrative: SnapshotNarrative | None = None,
    currency: str = "USD",
    source_id: str = "source-1",
    snapshot_id: str = "snapshot-1",
) -> SnapshotResult:
    """As ``run_snapshot`` saves it: the shown buckets, and the template narrative of their
    AgentInput unless a narrative is given."""
    shown = suppress_buckets(build_buckets(source_id, tally_estimates(rows), START), k)
    agent_input = build_agent_input(shown, rank_insights(shown, 4), currency)
    written = narrative or template_narrative(agent_input)
    return assemble_snapshot(snapshot_id, shown, written, "fake-narrator-1", GENERATED)


def version_1(snapshot: SnapshotResult) -> SnapshotResult:
    """The snapshot as version 1 wrote it: no outcomes, money, week starts, amounts, win
    rates, median, narrative source or finding facts; read back as the store reads it."""
    document = json.loads(snapshot.model_dump_json())
    document.pop("outcomes"), document.pop("money")
    document["meta"].pop("narrative_source")
    document["meta"]["schema_version"] = "1"
    document["decision_latency"].pop("median_days")
    for week in document["demand"]["weekly_volume"]:
        for key in ("week_start", "won", "lost", "amount_total"):
            week.pop(key)
    for band in document["demand"]["price_distribution"]:
        for key in ("amount_total", "won", "lost", "win_rate_pct"):
            band.pop(key)
    for finding in document["insights"]["findings"]:
        finding.pop("facts")
    return SnapshotResult.model_validate(document)
