"""The JSON bodies the routes answer with, as pydantic models (they make /openapi.json)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from snapshot_core.domain import JobState, SnapshotRun

__all__ = [
    "Health",
    "JobCreated",
    "JobOut",
    "ProblemOut",
    "RunOut",
    "SnapshotCreated",
    "SourceCreated",
    "run_out",
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceCreated(_Out):
    source_id: str
    format: str
    stored_rows: int
    bad_rows: int = Field(description="left out with on_bad_rows=skip (listed in problems)")
    problems: list[dict[str, int | str]]
    ignored_columns: list[str]


class SnapshotCreated(_Out):
    snapshot_id: str


class JobCreated(_Out):
    """202: the snapshot is being made by a worker; follow it at GET /v1/jobs/{job_id}."""

    job_id: str


class JobOut(_Out):
    job_id: str
    source_id: str
    state: JobState
    snapshot_id: str | None = None
    error_code: str | None = None


class RunOut(_Out):
    """A run (attempt) as an API client sees it: the provider's own text is left out."""

    run_id: str
    source_id: str
    attempt: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    error_code: str | None
    snapshot_id: str | None
    model: str | None
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    cost_usd: Decimal | None
    latency_ms: float
    request_sha256: str | None


def run_out(run: SnapshotRun) -> RunOut:
    return RunOut.model_validate(run.model_dump(include=set(RunOut.model_fields)))


class Health(_Out):
    status: Literal["ok"] = "ok"


class ProblemOut(BaseModel):
    """RFC 9457 problem details (application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    code: str | None = None
    solution: str | None = None
    errors: list[dict[str, int | str]] | None = None
    total: int | None = None
