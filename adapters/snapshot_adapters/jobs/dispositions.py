"""What a job does after each catalogue error: retry (when, and whether it counts), or stop."""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from snapshot_core.domain import LlmApiError, SnapshotError

__all__ = ["DISPOSITIONS", "Disposition", "Verdict", "judge"]


class Disposition(enum.Enum):
    RETRY_AFTER_LEASE = "the same attempt again once the other claim's lease has run out"
    DONE_IF_GENERATED = "succeeded if the source already has its snapshot, else failed"
    RETRY_AFTER_PROVIDER = (
        "a new attempt after the provider's retry_after, with jitter (429 and 5xx only; "
        "other statuses fail), at most SNAPSHOT_MAX_ATTEMPTS"
    )
    RETRY_TRANSIENT = "a new attempt after a short wait, at most SNAPSHOT_MAX_ATTEMPTS"
    NEVER_RETRY = "failed; a new attempt would fail the same way or pay twice"


D = Disposition
DISPOSITIONS: dict[str, Disposition] = {
    "invalid_source": D.NEVER_RETRY,
    "source_not_bucketed": D.DONE_IF_GENERATED,
    "no_buckets": D.NEVER_RETRY,
    "insufficient_estimates": D.NEVER_RETRY,
    "source_span_too_long": D.NEVER_RETRY,
    "missing_api_key": D.NEVER_RETRY,
    "llm_api_error": D.RETRY_AFTER_PROVIDER,
    "llm_quota_exhausted": D.NEVER_RETRY,  # waiting does not bring credit back
    "snapshot_in_progress": D.RETRY_AFTER_LEASE,
    "claim_lost": D.NEVER_RETRY,  # another attempt took over and finishes the source
    "snapshot_not_saved": D.NEVER_RETRY,  # paid for; the reply is on the run
    # A timeout may have been billed (its run says so): a new call could pay twice.
    "llm_timeout": D.NEVER_RETRY,
    "llm_refusal": D.NEVER_RETRY,
    "llm_truncated": D.NEVER_RETRY,
    "llm_content_filtered": D.NEVER_RETRY,
    "output_schema_violation": D.NEVER_RETRY,
    "ungrounded_output": D.NEVER_RETRY,
    "invalid_input": D.NEVER_RETRY,
    "file_not_written": D.NEVER_RETRY,
    "invalid_user": D.NEVER_RETRY,
    "invalid_snapshot": D.NEVER_RETRY,
    "invalid_job": D.NEVER_RETRY,
    "queue_unavailable": D.NEVER_RETRY,  # raised to callers of the queue, not inside a job
    # Raised by the web service's requests, never inside a job.
    "invalid_api_key": D.NEVER_RETRY,
    "invalid_key_id": D.NEVER_RETRY,
    "upload_too_large": D.NEVER_RETRY,
    "invalid_request": D.NEVER_RETRY,
    "invalid_settings": D.NEVER_RETRY,
    # Storage errors are raised before the claim (no call made) or become snapshot_not_saved.
    "database_unavailable": D.RETRY_TRANSIENT,
    "database_locked": D.RETRY_TRANSIENT,
    "database_read_only": D.NEVER_RETRY,
    "database_disk_full": D.NEVER_RETRY,
    "database_io_error": D.NEVER_RETRY,
    "database_outdated": D.NEVER_RETRY,
    "no_database": D.NEVER_RETRY,
}

# Without a retry_after from the provider: 10 s, 20 s, 40 s ... before attempt 2, 3, 4 ...
BACKOFF_SECONDS = 10.0
TRANSIENT_WAIT_SECONDS = 5.0
JITTER = 0.25  # up to +25 %, so that workers refused together do not come back together


@dataclass(frozen=True)
class Verdict:
    """``retry`` (after ``countdown`` s; ``new_attempt`` when it may make a new model call),
    ``succeeded`` (the source has its snapshot) or ``failed`` (with ``error_code``)."""

    action: Literal["retry", "succeeded", "failed"]
    error_code: str | None = None
    countdown: float = 0.0
    new_attempt: bool = False
    snapshot_id: str | None = None


def _jittered(seconds: float, rng: random.Random) -> float:
    return seconds * (1 + rng.uniform(0, JITTER))


def _provider_retryable(error: SnapshotError) -> bool:
    return (
        isinstance(error, LlmApiError)
        and error.waiting_helps
        and (error.status == 429 or error.status >= 500)
    )


def judge(
    error: SnapshotError,
    *,
    attempt: int,
    max_attempts: int,
    lease_seconds: float,
    snapshot_of_source: Callable[[], str | None],
    rng: random.Random | None = None,
) -> Verdict:
    """The verdict on ``error`` raised by attempt number ``attempt`` (1-based).

    ``snapshot_of_source`` says whether the source already has its snapshot (its id), asked
    only when that decides. An unknown code is never retried.
    """
    rng = rng or random.Random()
    code = error.code
    disposition = DISPOSITIONS.get(code, Disposition.NEVER_RETRY)
    failed = Verdict("failed", error_code=code)
    if disposition is Disposition.RETRY_AFTER_LEASE:
        return Verdict("retry", error_code=code, countdown=_jittered(lease_seconds, rng))
    if disposition is Disposition.DONE_IF_GENERATED:
        snapshot_id = snapshot_of_source()
        return Verdict("succeeded", snapshot_id=snapshot_id) if snapshot_id else failed
    if attempt >= max_attempts:
        return failed
    if disposition is Disposition.RETRY_AFTER_PROVIDER and _provider_retryable(error):
        retry_after = getattr(error, "retry_after", None)
        wait = retry_after if retry_after is not None else BACKOFF_SECONDS * 2 ** (attempt - 1)
        return Verdict("retry", error_code=code, countdown=_jittered(wait, rng), new_attempt=True)
    if disposition is Disposition.RETRY_TRANSIENT:
        wait = _jittered(TRANSIENT_WAIT_SECONDS, rng)
        return Verdict("retry", error_code=code, countdown=wait, new_attempt=True)
    return failed
