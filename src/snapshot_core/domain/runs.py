"""Run records: one per attempt, so what the model saw and what it cost is answerable later."""

from __future__ import annotations

import enum
from decimal import Decimal

from pydantic import Field

from .models import FrozenModel, UtcDatetime

__all__ = [
    "RUN_DETAIL_MAX_CHARS",
    "CallFacts",
    "JobTiming",
    "ModelReply",
    "RunOutcome",
    "SnapshotRun",
    "TokenUsage",
]


class TokenUsage(FrozenModel):
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    cached_tokens: int = Field(default=0, ge=0)


class CallFacts(FrozenModel):
    """What a model adapter knows about one call it sent (also attached to its errors)."""

    model: str
    usage: TokenUsage = Field(default_factory=TokenUsage)
    cost_usd: Decimal | None = None
    request_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    cost_reported: bool = False
    """True when ``cost_usd`` is the cost the server reported, not one from the price table."""
    retry_after_seconds: float | None = Field(default=None, ge=0)
    """How long the provider asked us to wait before the next request, when it said."""
    ratelimit_remaining_requests: int | None = Field(default=None, ge=0)
    """The provider's ``x-ratelimit-remaining-requests`` after this call, when sent."""
    ratelimit_remaining_tokens: int | None = Field(default=None, ge=0)
    """The provider's ``x-ratelimit-remaining-tokens`` after this call, when sent."""


class ModelReply(FrozenModel):
    """The raw reply content (validated by the core, not the adapter) and the call's facts."""

    content: str
    facts: CallFacts


class RunOutcome(enum.StrEnum):
    """Where an attempt is. ``calling`` is written, in the claim's transaction, before the
    request leaves; ``abandoned`` is what a later attempt finds of one that never finished
    (its process died or could not save): its call may have been billed."""

    CALLING = "calling"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ABANDONED = "abandoned"


# Provider text kept on a run is cut to this many characters.
RUN_DETAIL_MAX_CHARS = 500


class JobTiming(FrozenModel):
    """How long a job waited before the attempt it runs: kept on that attempt's run."""

    queue_delay_ms: float | None = Field(default=None, ge=0)
    """``None`` when the queue kept no record of when the job was due."""
    limiter_wait_ms: float = Field(default=0.0, ge=0)


class SnapshotRun(FrozenModel):
    """One attempt at a snapshot: written before the model call, finished after it."""

    run_id: str
    source_id: str
    user_id: str
    attempt: int = Field(ge=0)
    started_at: UtcDatetime
    finished_at: UtcDatetime | None = None
    """None while the run is ``calling``."""
    outcome: RunOutcome
    error_code: str | None = None
    snapshot_id: str | None = None
    model: str | None = None
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    cached_tokens: int = Field(default=0, ge=0)
    cost_usd: Decimal | None = None
    latency_ms: float = Field(default=0.0, ge=0)
    request_sha256: str | None = None
    detail: str | None = Field(default=None, max_length=RUN_DETAIL_MAX_CHARS)
    """What the provider said beyond the error code (refusal text, server message)."""
    retry_after_seconds: float | None = Field(default=None, ge=0)
    """How long the provider asked to wait before the next request, when it said."""
    cost_reported: bool = False
    """True when ``cost_usd`` is what the server reported rather than the price table's."""
    reply_json: str | None = None
    """The model's reply, kept when it was paid for but could not become a snapshot
    (the save failed or the claim was lost), so nothing paid is thrown away."""
    queue_delay_ms: float | None = Field(default=None, ge=0)
    """Made by a job: ms from when its message was due (enqueued, or its countdown over) to
    a worker starting it. ``None`` outside jobs (``snapshot run``) and for older runs."""
    limiter_wait_ms: float | None = Field(default=None, ge=0)
    """Made by a job: ms it was sent back to wait for the shared budget since its previous
    attempt (or since enqueue for the first). ``None`` outside jobs and for older runs."""

    @property
    def possibly_billed(self) -> bool:
        """A call may have been billed without a finished record saying what it cost."""
        return self.outcome in (RunOutcome.CALLING, RunOutcome.ABANDONED)
