"""The one task, ``snapshot.make_snapshot``: budget, then claim, call and save (run_snapshot)."""

from __future__ import annotations

import logging
import random
import time
from typing import TYPE_CHECKING, Any

from snapshot_core.domain import JobTiming, LlmApiError, SnapshotError, SourceStatus

from .dispositions import Verdict, judge
from .queue import TASK_NAME
from .states import Begun
from .usage import Preflight, preflight

if TYPE_CHECKING:
    from celery import Celery, Task

    from snapshot_core import Orchestrator

    from .app import Runtime

__all__ = ["register_tasks"]

log = logging.getLogger(__name__)

# A job re-scheduled for the budget comes back at most this much later than the budget
# said, so that workers refused together spread out.
BUDGET_JITTER_SECONDS = 0.25
# Margin kept between a countdown plus the lease and the visibility timeout.
REDELIVERY_MARGIN_SECONDS = 5.0


def _snapshot_of(orchestrator: Orchestrator, source_id: str, user_id: str) -> str | None:
    """The source's snapshot id if it has one (a duplicate job finds it done)."""
    with orchestrator.uow_factory() as uow:
        source = uow.sources.get(source_id, user_id)
    if source is None or source.status is not SourceStatus.SNAPSHOT_GENERATED:
        return None
    runs = orchestrator.list_runs(user_id=user_id, source_id=source_id)
    made = [run.snapshot_id for run in runs if run.snapshot_id]
    return made[-1] if made else None


class _Job:
    """One delivery of a job: its runtime, ids and the steps it takes."""

    def __init__(self, task: Task, runtime: Runtime, kwargs: dict[str, Any]) -> None:
        self.task = task
        self.runtime = runtime
        self.job_id: str = task.request.id
        self.source_id: str = kwargs["source_id"]
        self.user_id: str = kwargs["user_id"]
        self.attempt: int = int(kwargs.get("attempt", 1))
        self.delivery: int = int(kwargs.get("delivery", 0))
        self.states = runtime.states()
        self.started_at = time.time()  # wall clock, as the enqueuer's `due_at` is
        self.state: dict[str, str] = {}
        self.token: str | None = None  # the hold's, while this delivery has it

    def begin(self, *, hold_seconds: float, mark_running: bool) -> Begun:
        """Drop a stale copy, hold the job, and mark it running (one round trip)."""
        begun = self.states.begin(
            self.job_id,
            delivery=self.delivery,
            owner=(self.user_id, self.source_id),
            hold_seconds=hold_seconds,
            mark_running=mark_running,
        )
        state = self.state = begun.state
        if self.delivery == 0 and state.get("enqueued_at"):
            self.runtime.metrics.queue_delay(self.started_at - float(state["enqueued_at"]))
        self.token = begun.token
        return begun

    def _update(self, *, next_delivery: bool = False, **fields: str | float | None) -> int:
        """Update the job's state; the delivery's last update also lets go of its hold."""
        delivery = self.states.update(
            self.job_id,
            next_delivery=next_delivery,
            owner=(self.user_id, self.source_id),
            release=self.token,
            **fields,
        )
        self.token = None  # let go of (an update that raised leaves it to `release`)
        return delivery

    def release(self) -> None:
        """Let go of the hold if no update did (an error left the task before its end)."""
        if self.token is not None:
            token, self.token = self.token, None
            self.states.release(self.job_id, token)

    def timing(self) -> JobTiming:
        """This delivery's queue delay (from when its message was due: enqueued, or its
        countdown over) and the budget waits of this attempt, for its run record."""
        due = self.state.get("due_at") or self.state.get("enqueued_at")
        # Clocks of two machines: a delay is never negative.
        delay = max(0.0, (self.started_at - float(due)) * 1000) if due else None
        return JobTiming(
            queue_delay_ms=delay, limiter_wait_ms=float(self.state.get("limiter_wait_ms") or 0)
        )

    def reschedule(
        self,
        countdown: float,
        *,
        attempt: int,
        state: str | None,
        code: str | None,
        for_budget: bool = False,
    ) -> None:
        """Send the job again in ``countdown`` s; every older copy of it becomes stale.
        ``for_budget``: the wait is for the shared budget, added to this attempt's."""
        limit = (
            self.runtime.settings.visibility_timeout
            - self.runtime.lease_seconds(self.runtime.orchestrator())
            - REDELIVERY_MARGIN_SECONDS
        )
        # Past the limit Redis would hand the waiting message to a second worker; a limit
        # of under a second (a visibility timeout set barely above the lease) is raised to
        # one, so that a job never spins.
        countdown = max(0.0, min(countdown, max(limit, 1.0)))
        fields: dict[str, str | int | float | None] = {
            "attempt": attempt,
            "due_at": time.time() + countdown,
        }
        if attempt != self.attempt:  # a new attempt's budget waits start from nothing
            fields["limiter_wait_ms"] = None
        if for_budget:
            fields["limiter_wait_ms"] = self.timing().limiter_wait_ms + countdown * 1000
        if state is not None:
            fields.update(state=state, error_code=code)
        delivery = self._update(next_delivery=True, **fields)
        self.task.apply_async(
            kwargs={
                "source_id": self.source_id,
                "user_id": self.user_id,
                "attempt": attempt,
                "delivery": max(delivery, 0),
            },
            task_id=self.job_id,
            countdown=countdown,
        )

    def finish(self, verdict: Verdict) -> None:
        if verdict.action == "retry":
            attempt = self.attempt + 1 if verdict.new_attempt else self.attempt
            log.info(
                "job %s: %s, again in %.1f s (attempt %d)",
                self.job_id,
                verdict.error_code,
                verdict.countdown,
                attempt,
            )
            self.reschedule(
                verdict.countdown, attempt=attempt, state="retrying", code=verdict.error_code
            )
            return
        self._update(
            state=verdict.action, snapshot_id=verdict.snapshot_id, error_code=verdict.error_code
        )
        log.info("job %s: %s %s", self.job_id, verdict.action, verdict.error_code or "")

    def run(self) -> None:
        orchestrator = self.runtime.orchestrator()
        settings = self.runtime.settings
        budget = self.runtime.budget()
        lease = self.runtime.lease_seconds(orchestrator)
        # Without a budget there is nothing to size: the claim alone decides.
        before = (
            preflight(
                orchestrator,
                source_id=self.source_id,
                user_id=self.user_id,
                max_tokens=settings.max_tokens,
            )
            if budget.enabled
            else Preflight(False)
        )
        if before.callable:
            wait = budget.take(before.tokens)
            if wait > 0:  # no budget: nothing claimed, nothing called
                countdown = wait + random.uniform(0, BUDGET_JITTER_SECONDS)
                log.info("job %s: waiting %.2f s for the budget", self.job_id, countdown)
                self.runtime.metrics.budget_wait(countdown)
                self.reschedule(
                    countdown,
                    attempt=self.attempt,
                    state="queued",
                    code=None,
                    for_budget=True,
                )
                return
        if budget.enabled:  # else `begin` marked it running
            self.states.update(self.job_id, owner=(self.user_id, self.source_id), state="running")
        self.runtime.observer.take()  # forget any call a previous task left on this thread
        try:
            snapshot_id = orchestrator.run_snapshot(
                source_id=self.source_id,
                user_id=self.user_id,
                job=self.timing(),
            )
        except SnapshotError as error:
            self._settle(budget, before.tokens if before.callable else None)
            if isinstance(error, LlmApiError) and error.retry_after:
                budget.pause(error.retry_after)  # every worker waits, not only this job
            verdict = judge(
                error,
                attempt=self.attempt,
                max_attempts=settings.max_attempts,
                lease_seconds=before.lease_left_seconds or lease,
                snapshot_of_source=lambda: _snapshot_of(orchestrator, self.source_id, self.user_id),
            )
            self.finish(verdict)
            return
        except Exception:
            self._settle(budget, before.tokens if before.callable else None)
            log.exception("job %s failed unexpectedly", self.job_id)
            self.finish(Verdict("failed", error_code="unexpected_error"))
            return
        self._settle(budget, before.tokens if before.callable else None)
        self.finish(Verdict("succeeded", snapshot_id=snapshot_id))

    def _settle(self, budget: Any, taken: int | None) -> None:
        called, facts = self.runtime.observer.take()
        if taken is None:
            return
        used = facts.usage.prompt_tokens + facts.usage.completion_tokens if facts else None
        budget.settle(
            taken_tokens=taken,
            used_tokens=used,
            called=called,
            remaining_requests=facts.ratelimit_remaining_requests if facts else None,
            remaining_tokens=facts.ratelimit_remaining_tokens if facts else None,
        )


def register_tasks(app: Celery) -> None:
    from .app import runtime_of

    @app.task(  # type: ignore[untyped-decorator]
        bind=True,
        name=TASK_NAME,
        acks_late=True,
        reject_on_worker_lost=True,
        ignore_result=True,
        max_retries=None,
    )
    def make_snapshot(
        self: Task, source_id: str, user_id: str, attempt: int = 1, delivery: int = 0
    ) -> None:
        """Make one snapshot: JSON arguments, outcome in storage, state in JobStates."""
        runtime = runtime_of(self.app)
        job = _Job(
            self,
            runtime,
            {"source_id": source_id, "user_id": user_id, "attempt": attempt, "delivery": delivery},
        )
        budget_set = runtime.budget().enabled
        begun = job.begin(
            hold_seconds=runtime.lease_seconds(runtime.orchestrator()),
            # Without a budget nothing comes between the hold and the call: one round trip.
            mark_running=not budget_set,
        )
        if begun.outcome == "stale":
            log.info("job %s: stale delivery %d dropped", job.job_id, delivery)
            return
        if begun.outcome == "duplicate":
            # Another delivery runs it (a redelivery while it works), or did until it died
            # (RabbitMQ redelivers at once): look again when that one's hold has run out.
            log.info(
                "job %s: delivery %d is a duplicate, again in %.1f s",
                job.job_id,
                delivery,
                begun.held_for,
            )
            job.reschedule(
                begun.held_for + random.uniform(0, 1), attempt=attempt, state=None, code=None
            )
            return
        try:
            job.run()
        finally:
            job.release()
