"""SnapshotResult: the saved snapshot, data filled by the core and the narrative by the model."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Literal

from pydantic import Field

from .models import (
    BandCount,
    ConfidenceLevel,
    EstimateBuckets,
    FrozenModel,
    MoneySummary,
    OutcomeSummary,
    PriceBandCount,
    UtcDatetime,
    WeekCount,
)
from .narrative import SnapshotNarrative
from .runs import SnapshotRun

__all__ = [
    "SCHEMA_VERSION",
    "DecisionLatency",
    "Demand",
    "NarrativeSource",
    "SnapshotMeta",
    "SnapshotResult",
    "assemble_snapshot",
    "run_of_snapshot",
    "shown_buckets",
]

# Version 2 adds outcomes, money, median_days, week_start, band amounts and win rates,
# narrative_source and each finding's facts; a document without them reads with them empty.
SCHEMA_VERSION = "2"

NarrativeSource = Literal["model", "template"]


class SnapshotMeta(FrozenModel):
    snapshot_id: str
    source_id: str
    generated_at: UtcDatetime
    estimate_count: int = Field(ge=0)
    confidence_level: ConfidenceLevel
    model: str
    schema_version: str = SCHEMA_VERSION
    min_cell_count: int = Field(default=0, ge=0)
    narrative_source: NarrativeSource = Field(
        default="model", description="who wrote the narrative: the model, or the core's template"
    )


class Demand(FrozenModel):
    weekly_volume: tuple[WeekCount, ...]
    price_distribution: tuple[PriceBandCount, ...]


class DecisionLatency(FrozenModel):
    distribution: tuple[BandCount, ...]
    median_days: Decimal | None = Field(
        default=None, description="median whole days to a decision, over decided estimates"
    )


class SnapshotResult(FrozenModel):
    meta: SnapshotMeta
    demand: Demand
    decision_latency: DecisionLatency
    outcomes: OutcomeSummary = Field(default_factory=OutcomeSummary)
    money: MoneySummary = Field(default_factory=MoneySummary)
    insights: SnapshotNarrative


def assemble_snapshot(
    snapshot_id: str,
    buckets: EstimateBuckets,
    narrative: SnapshotNarrative,
    model: str,
    generated_at: UtcDatetime,
    narrative_source: NarrativeSource = "model",
) -> SnapshotResult:
    """Copy the data from the buckets, so the numbers in a snapshot are exact by construction."""
    return SnapshotResult(
        meta=SnapshotMeta(
            snapshot_id=snapshot_id,
            source_id=buckets.source_id,
            generated_at=generated_at,
            estimate_count=buckets.estimate_count,
            confidence_level=buckets.confidence_level,
            model=model,
            min_cell_count=buckets.min_cell_count,
            narrative_source=narrative_source,
        ),
        demand=Demand(
            weekly_volume=buckets.weekly_volume, price_distribution=buckets.price_distribution
        ),
        decision_latency=DecisionLatency(
            distribution=buckets.decision_latency, median_days=buckets.median_latency_days
        ),
        outcomes=buckets.outcomes,
        money=buckets.money,
        insights=narrative,
    )


def shown_buckets(snapshot: SnapshotResult) -> EstimateBuckets:
    """The buckets, as shown, that the snapshot was made from (``assemble_snapshot`` copied
    them), so the insights and facts the model was given can be made again from it alone."""
    meta = snapshot.meta
    return EstimateBuckets(
        source_id=meta.source_id,
        estimate_count=meta.estimate_count,
        confidence_level=meta.confidence_level,
        weekly_volume=snapshot.demand.weekly_volume,
        price_distribution=snapshot.demand.price_distribution,
        decision_latency=snapshot.decision_latency.distribution,
        outcomes=snapshot.outcomes,
        money=snapshot.money,
        median_latency_days=snapshot.decision_latency.median_days,
        min_cell_count=meta.min_cell_count,
        created_at=meta.generated_at,
    )


def run_of_snapshot(snapshot: SnapshotResult, runs: Iterable[SnapshotRun]) -> SnapshotRun | None:
    """The run that made the snapshot: the one naming it, or, for a snapshot saved with the
    template narrative after a failed call (its run names no snapshot), the run of its source
    that finished when it was saved (both are stamped in one transaction)."""
    meta, candidates = snapshot.meta, list(runs)
    for run in candidates:
        if run.snapshot_id == meta.snapshot_id:
            return run
    for run in candidates:
        if run.source_id == meta.source_id and run.finished_at == meta.generated_at:
            return run
    return None
