"""Job: one snapshot made in the background, as a queue reports it (outcomes live in storage)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Job", "JobState"]

JobState = Literal["queued", "running", "retrying", "succeeded", "failed"]


@dataclass(frozen=True, kw_only=True)
class Job:
    """What a queue knows of one enqueued snapshot.

    The storage claim, not the queue, guarantees one model call per snapshot: a job is only a
    handle to follow. Its ids are the caller's to keep; everything else can be re-read.
    """

    job_id: str
    """Stable id given by the queue (a Celery task id, say); safe to show to the user."""
    source_id: str
    user_id: str
    state: JobState
    """``queued`` (waiting), ``running`` (a worker has it), ``retrying`` (a new attempt is
    scheduled), ``succeeded`` or ``failed`` (final)."""
    snapshot_id: str | None = None
    """Set when ``succeeded``."""
    error_code: str | None = None
    """The catalogue code (``llm_quota_exhausted``, ...) when ``failed`` or ``retrying``."""

    @property
    def finished(self) -> bool:
        return self.state in ("succeeded", "failed")
