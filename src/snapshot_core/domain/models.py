"""Domain records: estimates as given, sources and their lifecycle, the buckets made from them."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .user_text import EstimateId

__all__ = [
    "BAND_LABEL_PATTERN",
    "BandCount",
    "ConfidenceLevel",
    "EstimateBuckets",
    "EstimateRow",
    "FrozenModel",
    "Outcome",
    "Source",
    "SourceStatus",
    "UtcDatetime",
    "WeekCount",
    "as_utc",
]

ConfidenceLevel = Literal["low", "medium", "high"]

# What became of an estimate; None on an estimate means "not known" (older sources, no status).
Outcome = Literal["won", "lost", "pending"]


def as_utc(value: datetime) -> datetime:
    """Read a naive datetime as UTC and convert an aware one to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]


# Band labels are made by the core from a BandScheme; this is every shape it makes, and no
# user string, raw amount with cents, or date fits it.
BAND_LABEL_PATTERN = (
    r"^(pending|<\d+(\.\d+)?k?|\d+(\.\d+)?k?\+|\d+(\.\d+)?k?-\d+(\.\d+)?k?|\d+-\d+d|\d+d\+)$"
)
BAND_LABEL_MAX_LENGTH = 24


class FrozenModel(BaseModel):
    """Immutable, and refuses fields it does not know."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class EstimateRow(FrozenModel):
    """One estimate a contractor sent: amount in the source's currency units, UTC timestamps."""

    amount: Decimal = Field(ge=0, allow_inf_nan=False)
    sent_at: UtcDatetime
    decided_at: UtcDatetime | None = None
    estimate_id: EstimateId | None = None
    outcome: Outcome | None = None

    @model_validator(mode="after")
    def _decided_after_sent(self) -> EstimateRow:
        if self.decided_at is not None and self.decided_at < self.sent_at:
            raise ValueError("decided_at is before sent_at")
        return self


class SourceStatus(enum.StrEnum):
    UPLOADED = "uploaded"
    BUCKETED = "bucketed"
    GENERATING = "generating"
    SNAPSHOT_GENERATED = "snapshot_generated"


class Source(FrozenModel):
    """A user's uploaded set of estimates and where it is in the flow.

    ``attempt`` counts claims; together with ``lease_expires_at`` it lets a claim that
    outlived its lease be taken over, and stops the stale holder from saving.
    """

    source_id: str
    user_id: str
    name: str = ""
    status: SourceStatus = SourceStatus.UPLOADED
    estimate_count: int = Field(default=0, ge=0)
    created_at: UtcDatetime
    attempt: int = Field(default=0, ge=0)
    lease_expires_at: UtcDatetime | None = None

    def has_live_claim(self, now: datetime) -> bool:
        """A run holds this source and its lease has not expired: leave it alone."""
        return (
            self.status is SourceStatus.GENERATING
            and self.lease_expires_at is not None
            and self.lease_expires_at > now
        )

    def claimable(self, now: datetime) -> bool:
        """Bucketed, or held by a run whose lease expired (its holder is presumed dead)."""
        return self.status is SourceStatus.BUCKETED or (
            self.status is SourceStatus.GENERATING and not self.has_live_claim(now)
        )


class WeekCount(FrozenModel):
    week: str = Field(pattern=r"^\d{4}-W\d{2}$")
    count: int | None = Field(ge=0, description="None when suppressed as a small cell")


class BandCount(FrozenModel):
    band: str
    count: int | None = Field(ge=0, description="None when suppressed as a small cell")


class EstimateBuckets(FrozenModel):
    """The aggregates of one source: all the model may ever learn about it."""

    source_id: str
    estimate_count: int = Field(ge=0)
    confidence_level: ConfidenceLevel
    weekly_volume: tuple[WeekCount, ...]
    price_distribution: tuple[BandCount, ...]
    decision_latency: tuple[BandCount, ...]
    min_cell_count: int = Field(default=0, ge=0)
    created_at: UtcDatetime
