"""One attempt's storage steps: opened (claim + a `calling` run) before the call, closed after.

Both entry points, ``run_snapshot`` and ``arun_snapshot``, call these; only the model call
between them differs. Each step is one short transaction, never held across the call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..domain import (
    RUN_DETAIL_MAX_CHARS,
    AgentInput,
    CallFacts,
    ClaimLostError,
    DatabaseUnavailableError,
    EstimateBuckets,
    InsufficientEstimatesError,
    InvalidSourceError,
    JobTiming,
    ModelCallError,
    NoBucketsError,
    RunOutcome,
    RunPolicy,
    SnapshotError,
    SnapshotInProgressError,
    SnapshotNarrative,
    SnapshotNotSavedError,
    SnapshotRun,
    Source,
    SourceNotBucketedError,
    SourceSpanTooLongError,
    SourceStatus,
    assemble_snapshot,
    build_agent_input,
    rank_insights,
    suppress_buckets,
    template_narrative,
)
from ..ports import NO_OBSERVER, Clock, IdFactory, RunObserver, UnitOfWorkFactory
from .observe import report_finished

__all__ = ["UNEXPECTED_ERROR", "Attempt", "CallResult", "close_attempt", "open_attempt"]

UNEXPECTED_ERROR = "unexpected_error"


@dataclass(frozen=True)
class Attempt:
    """A claimed source and its `calling` run, committed before the model call."""

    source: Source
    shown: EstimateBuckets
    agent_input: AgentInput
    run: SnapshotRun


@dataclass(frozen=True)
class CallResult:
    """What the one call gave: a validated narrative, or the failure; and what it cost."""

    latency_ms: float
    facts: CallFacts | None = None
    narrative: SnapshotNarrative | None = None
    failure: BaseException | None = None
    reply_json: str | None = None
    """The raw reply when one arrived, kept on the run if it cannot become a snapshot."""
    fallback: bool = False
    """The call failed and the snapshot is saved with the template narrative."""


def _refuse(source: Source, now: datetime) -> SnapshotError:
    if source.has_live_claim(now):
        return SnapshotInProgressError()
    return SourceNotBucketedError(source.status.value)


def open_attempt(
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ids: IdFactory,
    policy: RunPolicy,
    deadline_seconds: float,
    model_name: str,
    source_id: str,
    user_id: str,
    observer: RunObserver = NO_OBSERVER,
    job: JobTiming | None = None,
) -> Attempt:
    """Check the data, claim the source and record the attempt as `calling`, in one commit.

    ``job``: how long the job running this attempt waited for it (queue, budget), kept on
    the run; ``None`` outside jobs.

    Runs of this source still `calling` from earlier attempts are marked `abandoned`: their
    holder's lease expired, so it died or could not save (its call may have been billed).
    The observer is told of them after the commit.
    """
    run_id = ids.new_id("run")
    with uow_factory() as uow:
        now = clock.now()
        found = uow.sources.get_with_buckets(source_id, user_id)  # one read for both
        if found is None:
            raise InvalidSourceError()
        source, buckets = found
        if not source.claimable(now):
            raise _refuse(source, now)
        if buckets is None:
            raise NoBucketsError()
        if buckets.estimate_count < policy.min_estimates:
            raise InsufficientEstimatesError(policy.min_estimates, buckets.estimate_count)
        if len(buckets.weekly_volume) > policy.max_weeks:
            raise SourceSpanTooLongError(len(buckets.weekly_volume), policy.max_weeks)
        # Everything that can fail on the data is done before the claim, so that after it
        # only the model call and the save remain.
        shown = suppress_buckets(buckets, policy.min_cell_count)
        insights = rank_insights(shown, policy.max_insights)
        agent_input = build_agent_input(shown, insights, policy.currency)
        lease = now + timedelta(seconds=policy.lease_for(deadline_seconds))
        run = SnapshotRun(
            run_id=run_id,
            source_id=source_id,
            user_id=user_id,
            attempt=source.attempt + 1,  # the claim's, which claim_with_run writes
            started_at=now,
            outcome=RunOutcome.CALLING,
            model=model_name,
            queue_delay_ms=job.queue_delay_ms if job else None,
            limiter_wait_ms=job.limiter_wait_ms if job else None,
        )
        # The claim and its `calling` run in one write.
        claimed = uow.sources.claim_with_run(run, now, lease)
        if claimed is None:  # another caller won the race since we read the source
            current = uow.sources.get(source_id, user_id)
            raise _refuse(current or source, now)
        abandoned: list[SnapshotRun] = []
        # A first attempt has no earlier one to abandon: attempts count up from 1 with each
        # claim, and only a claim writes a run. Read back only when someone listens: it is
        # rare (a holder died) but lists runs.
        if (
            claimed.attempt > 1
            and uow.runs.abandon_unfinished(source_id, claimed.attempt, now)
            and (observer is not NO_OBSERVER)
        ):
            abandoned = [
                earlier
                for earlier in uow.runs.list(user_id)
                if earlier.source_id == source_id
                and earlier.attempt < claimed.attempt
                and earlier.outcome is RunOutcome.ABANDONED
                and earlier.finished_at == now
            ]
        if run.attempt != claimed.attempt:
            run = run.model_copy(update={"attempt": claimed.attempt})
        uow.commit()
    for gone in abandoned:
        report_finished(observer, gone, gone.model)
    return Attempt(source=claimed, shown=shown, agent_input=agent_input, run=run)


def close_attempt(
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    ids: IdFactory,
    policy: RunPolicy,
    attempt: Attempt,
    result: CallResult,
    observer: RunObserver = NO_OBSERVER,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> str:
    """Save the snapshot (on success), release the claim and finish the run, in one commit.

    A transient storage failure (a lock, a lost connection) is retried for up to
    ``policy.save_wait_seconds``: the call is paid for, so its reply is worth waiting for.
    If the save still fails, the reply is kept on the run record (a smaller write) and
    ``SnapshotNotSavedError`` says where it is. Returns the snapshot id, or raises the
    failure of the call. The observer is told of the finished run after its commit.
    """
    if isinstance(result.failure, ModelCallError) and policy.narrative_fallback == "template":
        # The failed call stays on record as a failed run, and the snapshot is saved with the
        # core's template narrative instead: no second call is made.
        result = replace(result, narrative=template_narrative(attempt.agent_input), fallback=True)
    saved = result.failure is None or result.fallback
    snapshot_id = ids.new_id("snapshot") if saved else None
    # Real time, not ``clock``: this is a real wait (a fixed test clock must not stall it).
    give_up_at = monotonic() + policy.save_wait_seconds
    delay = 0.05
    while True:
        try:
            return _save(uow_factory, clock, attempt, result, snapshot_id, observer)
        except DatabaseUnavailableError as error:
            if monotonic() + delay > give_up_at:
                kept = _keep_reply(uow_factory, clock, attempt, result, error, observer)
                raise kept from error
        sleep(delay)
        delay = min(delay * 2, 1.0)


def _save(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    attempt: Attempt,
    result: CallResult,
    snapshot_id: str | None,
    observer: RunObserver,
) -> str:
    failure, fallback = result.failure, result.fallback
    with uow_factory() as uow:
        finished_at = clock.now()
        snapshot = None
        if snapshot_id is not None and result.narrative is not None:
            facts = result.facts
            snapshot = assemble_snapshot(
                snapshot_id,
                attempt.shown,
                result.narrative,
                facts.model if facts else attempt.run.model or "",
                finished_at,
                narrative_source="template" if fallback else "model",
            )
        run_snapshot_id = snapshot_id if failure is None else None  # the run failed all the same
        finished = _finished_run(attempt, result, failure, run_snapshot_id, finished_at)
        # Release, snapshot and run in one write; only if the claim is still ours.
        status = SourceStatus.SNAPSHOT_GENERATED if snapshot_id else SourceStatus.BUCKETED
        if not uow.sources.settle_claim(finished, attempt.source.attempt, status, snapshot):
            failure, snapshot_id, fallback = ClaimLostError(), None, False
            finished = _finished_run(attempt, result, failure, None, finished_at)
            uow.runs.finish(finished)
        uow.commit()
    report_finished(observer, finished, attempt.run.model)
    if failure is not None and not fallback:
        raise failure
    assert snapshot_id is not None
    return snapshot_id


def _keep_reply(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    attempt: Attempt,
    result: CallResult,
    cause: SnapshotError,
    observer: RunObserver,
) -> SnapshotError:
    """Last resort after a failed save: record the run (with the reply) and give the source
    back, without the snapshot write that kept failing."""
    failure = SnapshotNotSavedError(attempt.run.run_id, result.reply_json, cause.code)
    try:
        with uow_factory() as uow:
            uow.sources.release_claim(
                attempt.run.source_id, attempt.source.attempt, SourceStatus.BUCKETED
            )
            finished = _finished_run(attempt, result, failure, None, clock.now())
            uow.runs.finish(finished)
            uow.commit()
    except SnapshotError:
        failure.run_kept = False  # the run stays `calling`: counted as possibly billed
    else:
        report_finished(observer, finished, attempt.run.model)
    return failure


def _finished_run(
    attempt: Attempt,
    result: CallResult,
    failure: BaseException | None,
    snapshot_id: str | None,
    finished_at: datetime,
) -> SnapshotRun:
    facts = result.facts
    usage = facts.usage if facts else None
    return attempt.run.model_copy(
        update={
            "finished_at": finished_at,
            "outcome": RunOutcome.SUCCEEDED if failure is None else RunOutcome.FAILED,
            "error_code": error_code(failure),
            "snapshot_id": snapshot_id,
            "model": facts.model if facts else attempt.run.model,
            "prompt_tokens": usage.prompt_tokens if usage else 0,
            "completion_tokens": usage.completion_tokens if usage else 0,
            "cached_tokens": usage.cached_tokens if usage else 0,
            "cost_usd": facts.cost_usd if facts else None,
            "cost_reported": facts.cost_reported if facts else False,
            "latency_ms": result.latency_ms,
            "request_sha256": facts.request_sha256 if facts else None,
            "detail": _detail(result.failure),
            "retry_after_seconds": _retry_after(result.failure, facts),
            # A paid reply that did not become a snapshot is kept, whatever stopped it.
            "reply_json": result.reply_json if snapshot_id is None else None,
        }
    )


def _detail(failure: BaseException | None) -> str | None:
    text = getattr(failure, "detail", None) or getattr(failure, "refusal", None)
    return text[:RUN_DETAIL_MAX_CHARS] if isinstance(text, str) and text else None


def _retry_after(failure: BaseException | None, facts: CallFacts | None) -> float | None:
    value = getattr(failure, "retry_after", None)
    if isinstance(value, int | float) and value >= 0:
        return float(value)
    return facts.retry_after_seconds if facts else None


def error_code(failure: BaseException | None) -> str | None:
    if failure is None:
        return None
    if isinstance(failure, SnapshotError):
        return failure.code
    return UNEXPECTED_ERROR
