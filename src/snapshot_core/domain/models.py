"""Domain records: estimates as given, sources and their lifecycle, the buckets made from them."""

# No ``from __future__ import annotations`` here: pydantic would evaluate every field's
# annotation from its text when each class is made (about 2 ms of every command that loads
# these models); given the types themselves, it has nothing to evaluate.
import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from .user_text import EstimateId

__all__ = [
    "BAND_LABEL_PATTERN",
    "Amount",
    "BandCount",
    "ConfidenceLevel",
    "EstimateBuckets",
    "EstimateRow",
    "FrozenModel",
    "MoneySummary",
    "Outcome",
    "OutcomeSummary",
    "PriceBandCount",
    "Source",
    "SourceStatus",
    "UtcDatetime",
    "WeekCount",
    "as_utc",
]

ConfidenceLevel = Literal["low", "medium", "high"]


def _json_number(value: Decimal) -> float:
    """``float(value)``; a function of our own because pydantic reads the serializer's
    signature for each field that uses it, and the built-in ``float``'s costs ten times as
    much to read (a tenth of `snapshot bucket`'s model building)."""
    return float(value)


# Written as a JSON number (exact for the amounts a snapshot holds: a float's shortest repr
# reproduces any value of up to 15 significant digits) and read back as a Decimal.
Amount = Annotated[Decimal, PlainSerializer(_json_number, return_type=float, when_used="json")]

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

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")


class EstimateRow(FrozenModel):
    """One estimate a contractor sent: amount in the source's currency units, UTC timestamps."""

    amount: Decimal = Field(ge=0, allow_inf_nan=False)
    sent_at: UtcDatetime
    decided_at: UtcDatetime | None = None
    estimate_id: EstimateId | None = None
    outcome: Outcome | None = None

    @model_validator(mode="after")
    def _decided_after_sent(self) -> "EstimateRow":
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
    """One ISO week of the weekly series; the outcome fields are ``None`` without outcomes."""

    week: str = Field(pattern=r"^\d{4}-W\d{2}$")
    count: int | None = Field(ge=0, description="None when suppressed as a small cell")
    week_start: date | None = Field(default=None, description="the ISO week's Monday")
    won: int | None = Field(default=None, ge=0, description="estimates sent that week, won")
    lost: int | None = Field(default=None, ge=0, description="estimates sent that week, lost")
    amount_total: Amount | None = Field(default=None, description="sum of that week's amounts")

    @model_validator(mode="before")
    @classmethod
    def _monday(cls, data: Any) -> Any:
        # Version-1 documents carry no week_start: it follows from the label.
        if isinstance(data, dict) and data.get("week_start") is None and "week" in data:
            year, week = str(data["week"]).split("-W")
            data = {**data, "week_start": date.fromisocalendar(int(year), int(week), 1)}
        return data


class BandCount(FrozenModel):
    band: str
    count: int | None = Field(ge=0, description="None when suppressed as a small cell")


class PriceBandCount(BandCount):
    """A price band with its money and win rate (``None``: unknown, or hidden as too small)."""

    amount_total: Amount | None = Field(default=None, description="sum of the band's amounts")
    won: int | None = Field(default=None, ge=0, description="the band's won estimates")
    lost: int | None = Field(default=None, ge=0, description="the band's lost estimates")
    win_rate_pct: Decimal | None = Field(default=None, description="100*won/(won+lost), 1 dp")


class OutcomeSummary(FrozenModel):
    """Won, lost and open work. Every field is ``None`` when the source has no outcomes, a
    rate is ``None`` with nothing decided, and any field is ``None`` when hidden as too small."""

    won: int | None = Field(default=None, ge=0, description="estimates won")
    lost: int | None = Field(default=None, ge=0, description="estimates lost")
    pending: int | None = Field(default=None, ge=0, description="estimates still open")
    win_rate_pct: Decimal | None = Field(default=None, description="100*won/(won+lost), 1 dp")
    close_rate_pct: Decimal | None = Field(
        default=None, description="100*(won+lost)/estimate_count, 1 dp"
    )
    won_amount: Amount | None = Field(default=None, description="money won, 2 dp")
    lost_amount: Amount | None = Field(default=None, description="money lost, 2 dp")
    open_amount: Amount | None = Field(default=None, description="money still open, 2 dp")
    dollar_win_rate_pct: Decimal | None = Field(
        default=None, description="100*won_amount/(won_amount+lost_amount), 1 dp"
    )
    stale_pending: int | None = Field(
        default=None, ge=0, description="open estimates sent over 30 days before the latest"
    )
    stale_amount: Amount | None = Field(default=None, description="their money, 2 dp")


class MoneySummary(FrozenModel):
    """Sizes of the jobs quoted, to cents (``None`` when unknown or hidden as too small)."""

    total_amount: Amount | None = Field(default=None, description="sum of every amount")
    average_amount: Amount | None = Field(default=None, description="total / estimate_count")
    median_amount: Amount | None = Field(default=None, description="statistics.median")


class EstimateBuckets(FrozenModel):
    """The aggregates of one source: all the model may ever learn about it.

    Buckets saved before the metrics existed read with empty summaries (re-bucket to fill them).
    """

    source_id: str
    estimate_count: int = Field(ge=0)
    confidence_level: ConfidenceLevel
    weekly_volume: tuple[WeekCount, ...]
    price_distribution: tuple[PriceBandCount, ...]
    decision_latency: tuple[BandCount, ...]
    outcomes: OutcomeSummary = Field(default_factory=OutcomeSummary)
    money: MoneySummary = Field(default_factory=MoneySummary)
    median_latency_days: Decimal | None = Field(
        default=None, description="median whole days to decision, over decided estimates"
    )
    min_cell_count: int = Field(default=0, ge=0)
    created_at: UtcDatetime
