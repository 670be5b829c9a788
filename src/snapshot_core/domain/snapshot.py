"""SnapshotResult: the saved snapshot, data filled by the core and the narrative by the model."""

from __future__ import annotations

from pydantic import Field

from .models import (
    BandCount,
    ConfidenceLevel,
    EstimateBuckets,
    FrozenModel,
    UtcDatetime,
    WeekCount,
)
from .narrative import SnapshotNarrative

__all__ = [
    "SCHEMA_VERSION",
    "DecisionLatency",
    "Demand",
    "SnapshotMeta",
    "SnapshotResult",
    "assemble_snapshot",
]

SCHEMA_VERSION = "2"


class SnapshotMeta(FrozenModel):
    snapshot_id: str
    source_id: str
    generated_at: UtcDatetime
    estimate_count: int = Field(ge=0)
    confidence_level: ConfidenceLevel
    model: str
    schema_version: str = SCHEMA_VERSION
    min_cell_count: int = Field(default=0, ge=0)


class Demand(FrozenModel):
    weekly_volume: tuple[WeekCount, ...]
    price_distribution: tuple[BandCount, ...]


class DecisionLatency(FrozenModel):
    distribution: tuple[BandCount, ...]


class SnapshotResult(FrozenModel):
    meta: SnapshotMeta
    demand: Demand
    decision_latency: DecisionLatency
    insights: SnapshotNarrative


def assemble_snapshot(
    snapshot_id: str,
    buckets: EstimateBuckets,
    narrative: SnapshotNarrative,
    model: str,
    generated_at: UtcDatetime,
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
        ),
        demand=Demand(
            weekly_volume=buckets.weekly_volume, price_distribution=buckets.price_distribution
        ),
        decision_latency=DecisionLatency(distribution=buckets.decision_latency),
        insights=narrative,
    )
