"""run_snapshot and arun_snapshot: claim, make the one model call outside any transaction,
validate, save. One use case with two entry points: only the call itself is awaited or not."""

from __future__ import annotations

import asyncio
from typing import cast

from pydantic import ValidationError

from ..domain import (
    AgentInput,
    JobTiming,
    ModelCallError,
    ModelReply,
    OutputSchemaViolationError,
    RunPolicy,
    SnapshotNarrative,
    UngroundedOutputError,
    check_findings,
    check_user_id,
)
from ..ports import (
    NO_OBSERVER,
    AsyncLanguageModel,
    Clock,
    IdFactory,
    LanguageModel,
    RunObserver,
    UnitOfWorkFactory,
)
from .attempt import UNEXPECTED_ERROR, Attempt, CallResult, close_attempt, open_attempt

__all__ = ["UNEXPECTED_ERROR", "OneCallGuard", "arun_snapshot", "run_snapshot", "validate_reply"]


class OneCallGuard:
    """Lets one model call through and refuses any second one (a bug, never a retry).

    Before the call it re-validates the serialised payload against AgentInput's strict
    schema, so what leaves the core is aggregates only, whatever built the object.
    """

    def __init__(self, model: LanguageModel | AsyncLanguageModel) -> None:
        self._model = model
        self.calls = 0

    def _admit(self, agent_input: AgentInput) -> None:
        if self.calls:
            raise RuntimeError("a snapshot may make only one model call")
        self.calls += 1
        AgentInput.model_validate_json(agent_input.to_json())

    def generate(self, agent_input: AgentInput) -> ModelReply:
        self._admit(agent_input)
        return cast(LanguageModel, self._model).generate(agent_input)

    async def agenerate(self, agent_input: AgentInput) -> ModelReply:
        self._admit(agent_input)
        return await cast(AsyncLanguageModel, self._model).agenerate(agent_input)


def validate_reply(reply: ModelReply, agent_input: AgentInput) -> SnapshotNarrative:
    """Schema first (pydantic), then typed grounding against the exact input the model was
    given: each number matched to a fact of its kind, each finding to the facts it names.
    Each finding is then filed under the topic of its first fact."""
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
    return narrative.filed(agent_input.topic_of)


def _judge(reply: ModelReply, attempt: Attempt, latency_ms: float) -> CallResult:
    try:
        narrative = validate_reply(reply, attempt.agent_input)
    except ModelCallError as error:
        return CallResult(latency_ms, reply.facts, failure=error, reply_json=reply.content)
    return CallResult(latency_ms, reply.facts, narrative=narrative, reply_json=reply.content)


def _failed(error: Exception, latency_ms: float) -> CallResult:
    facts = error.facts if isinstance(error, ModelCallError) else None
    return CallResult(latency_ms, facts, failure=error)


def run_snapshot(
    *,
    uow_factory: UnitOfWorkFactory,
    model: LanguageModel,
    clock: Clock,
    ids: IdFactory,
    policy: RunPolicy,
    source_id: str,
    user_id: str,
    observer: RunObserver = NO_OBSERVER,
    job: JobTiming | None = None,
) -> str:
    """Make one snapshot of a bucketed source; returns the snapshot id.

    The model is called at most once, with aggregates only, and never inside a database
    transaction. The attempt is on record (`calling`) before the call and finished after
    it; on failure the source goes back to ``bucketed`` and the typed error is raised.
    ``observer`` is told of each run this finishes (or finds abandoned). ``job``: the waits
    of the job that runs it (queue delay, limiter waits), kept on its run.
    """
    check_user_id(user_id)
    model.ensure_ready()
    attempt = open_attempt(
        uow_factory=uow_factory,
        clock=clock,
        ids=ids,
        policy=policy,
        deadline_seconds=model.deadline_seconds,
        model_name=model.model_name,
        source_id=source_id,
        user_id=user_id,
        observer=observer,
        job=job,
    )
    guard = OneCallGuard(model)
    started = clock.monotonic()
    try:
        reply = guard.generate(attempt.agent_input)
    except Exception as error:  # recorded on the run, then raised
        result = _failed(error, (clock.monotonic() - started) * 1000)
    else:
        result = _judge(reply, attempt, (clock.monotonic() - started) * 1000)
    return close_attempt(
        uow_factory=uow_factory,
        clock=clock,
        ids=ids,
        policy=policy,
        attempt=attempt,
        result=result,
        observer=observer,
    )


async def arun_snapshot(
    *,
    uow_factory: UnitOfWorkFactory,
    model: AsyncLanguageModel,
    clock: Clock,
    ids: IdFactory,
    policy: RunPolicy,
    source_id: str,
    user_id: str,
    observer: RunObserver = NO_OBSERVER,
    job: JobTiming | None = None,
) -> str:
    """``run_snapshot`` for an event loop: the one model call is awaited (no thread is held
    while the model thinks) and the short storage steps run in a worker thread."""
    check_user_id(user_id)
    model.ensure_ready()
    attempt = await asyncio.to_thread(
        lambda: open_attempt(
            uow_factory=uow_factory,
            clock=clock,
            ids=ids,
            policy=policy,
            deadline_seconds=model.deadline_seconds,
            model_name=model.model_name,
            source_id=source_id,
            user_id=user_id,
            observer=observer,
            job=job,
        )
    )
    guard = OneCallGuard(model)
    started = clock.monotonic()
    try:
        reply = await guard.agenerate(attempt.agent_input)
    except Exception as error:  # recorded on the run, then raised
        result = _failed(error, (clock.monotonic() - started) * 1000)
    else:
        result = _judge(reply, attempt, (clock.monotonic() - started) * 1000)
    return await asyncio.to_thread(
        lambda: close_attempt(
            uow_factory=uow_factory,
            clock=clock,
            ids=ids,
            policy=policy,
            attempt=attempt,
            result=result,
            observer=observer,
        )
    )
