"""run_snapshot: claim, make the one model call outside any transaction, validate, save."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError

from ..domain import (
    AgentInput,
    CallFacts,
    ClaimLostError,
    EstimateBuckets,
    InsufficientEstimatesError,
    InvalidSourceError,
    ModelCallError,
    ModelReply,
    NoBucketsError,
    OutputSchemaViolationError,
    RunOutcome,
    RunPolicy,
    SnapshotError,
    SnapshotInProgressError,
    SnapshotNarrative,
    SnapshotRun,
    Source,
    SourceNotBucketedError,
    SourceSpanTooLongError,
    SourceStatus,
    UngroundedOutputError,
    assemble_snapshot,
    build_agent_input,
    check_findings,
    rank_insights,
    suppress_buckets,
    template_narrative,
)
from ..ports import Clock, IdFactory, LanguageModel, UnitOfWorkFactory

__all__ = ["UNEXPECTED_ERROR", "OneCallGuard", "run_snapshot", "validate_reply"]

UNEXPECTED_ERROR = "unexpected_error"


class OneCallGuard:
    """Lets one model call through and refuses any second one (a bug, never a retry).

    Before the call it re-validates the serialised payload against AgentInput's strict
    schema, so what leaves the core is aggregates only, whatever built the object.
    """

    def __init__(self, model: LanguageModel) -> None:
        self._model = model
        self.calls = 0

    def generate(self, agent_input: AgentInput) -> ModelReply:
        if self.calls:
            raise RuntimeError("a snapshot may make only one model call")
        self.calls += 1
        AgentInput.model_validate_json(agent_input.to_json())
        return self._model.generate(agent_input)


def validate_reply(reply: ModelReply, agent_input: AgentInput) -> SnapshotNarrative:
    """Schema first (pydantic), then typed grounding against the exact input the model was
    given: each number matched to a fact of its kind, each finding to the facts it names."""
    try:
        narrative = SnapshotNarrative.model_validate_json(reply.content)
    except ValidationError as error:
        raise OutputSchemaViolationError(
            f"{error.error_count()} problem(s): {error.errors()[0]['msg']}", reply.facts
        ) from None
    findings = [(finding.text, finding.facts) for finding in narrative.findings]
    problems = check_findings(narrative.headline, findings, agent_input.grounding_facts())
    if problems:
        literals = list(dict.fromkeys(problem.literal for problem in problems))
        raise UngroundedOutputError(literals, reply.facts)
    return narrative


@dataclass(frozen=True)
class _Claim:
    source: Source
    shown: EstimateBuckets
    agent_input: AgentInput
    started_at: datetime


def _refuse(source: Source, now: datetime) -> SnapshotError:
    if source.has_live_claim(now):
        return SnapshotInProgressError()
    return SourceNotBucketedError(source.status.value)


def _claim(
    uow_factory: UnitOfWorkFactory, clock: Clock, policy: RunPolicy, source_id: str, user_id: str
) -> _Claim:
    with uow_factory() as uow:
        now = clock.now()
        source = uow.sources.get(source_id, user_id)
        if source is None:
            raise InvalidSourceError()
        if not source.claimable(now):
            raise _refuse(source, now)
        buckets = uow.buckets.get(source_id)
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
        lease = now + timedelta(seconds=policy.lease_seconds)
        claimed = uow.sources.claim_for_snapshot(source_id, user_id, now, lease)
        if claimed is None:  # another caller won the race since we read the source
            current = uow.sources.get(source_id, user_id)
            raise _refuse(current or source, now)
        uow.commit()
    return _Claim(source=claimed, shown=shown, agent_input=agent_input, started_at=now)


def run_snapshot(
    *,
    uow_factory: UnitOfWorkFactory,
    model: LanguageModel,
    clock: Clock,
    ids: IdFactory,
    policy: RunPolicy,
    source_id: str,
    user_id: str,
) -> str:
    """Make one snapshot of a bucketed source; returns the snapshot id.

    The model is called at most once, with aggregates only, and never inside a database
    transaction. Whatever happens after the claim, the attempt is recorded as a run; on
    failure the source goes back to ``bucketed`` and the typed error is raised.
    """
    model.ensure_ready()
    claim = _claim(uow_factory, clock, policy, source_id, user_id)
    shown, agent_input = claim.shown, claim.agent_input

    guard = OneCallGuard(model)
    started = clock.monotonic()
    facts: CallFacts | None = None
    narrative: SnapshotNarrative | None = None
    failure: BaseException | None = None
    try:
        reply = guard.generate(agent_input)
        facts = reply.facts
        narrative = validate_reply(reply, agent_input)
    except ModelCallError as error:
        failure, facts = error, error.facts
    except Exception as error:
        failure = error
    latency_ms = (clock.monotonic() - started) * 1000

    # Narrative fallback: the failed call stays on record as a failed run, and the snapshot
    # is saved with the core's template narrative instead (no second call is made).
    fallback = isinstance(failure, ModelCallError) and policy.narrative_fallback == "template"
    if fallback:
        narrative = template_narrative(agent_input)
    saved = failure is None or fallback
    snapshot_id = ids.new_id("snapshot") if saved else None
    finished_at = clock.now()
    with uow_factory() as uow:
        released = uow.sources.release_claim(
            source_id,
            claim.source.attempt,
            SourceStatus.SNAPSHOT_GENERATED if saved else SourceStatus.BUCKETED,
        )
        if not released:
            failure, snapshot_id, fallback = ClaimLostError(), None, False
        if snapshot_id is not None and narrative is not None:
            uow.snapshots.add(
                assemble_snapshot(
                    snapshot_id,
                    shown,
                    narrative,
                    facts.model if facts else model.model_name,
                    finished_at,
                    narrative_source="template" if fallback else "model",
                ),
                user_id,
            )
        uow.runs.add(
            SnapshotRun(
                run_id=ids.new_id("run"),
                source_id=source_id,
                user_id=user_id,
                attempt=claim.source.attempt,
                started_at=claim.started_at,
                finished_at=finished_at,
                outcome=RunOutcome.SUCCEEDED if failure is None else RunOutcome.FAILED,
                error_code=_code_of(failure),
                snapshot_id=None if failure is not None else snapshot_id,
                model=facts.model if facts else None,
                prompt_tokens=facts.usage.prompt_tokens if facts else 0,
                completion_tokens=facts.usage.completion_tokens if facts else 0,
                cached_tokens=facts.usage.cached_tokens if facts else 0,
                cost_usd=facts.cost_usd if facts else None,
                latency_ms=latency_ms,
                request_sha256=facts.request_sha256 if facts else None,
            )
        )
        uow.commit()
    if failure is not None and not fallback:
        raise failure
    assert snapshot_id is not None
    return snapshot_id


def _code_of(failure: BaseException | None) -> str | None:
    if failure is None:
        return None
    if isinstance(failure, SnapshotError):
        return failure.code
    return UNEXPECTED_ERROR
