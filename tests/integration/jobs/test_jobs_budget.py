"""The shared budget against a server that enforces 120 requests/minute, and jobs on RabbitMQ."""

from __future__ import annotations

import threading
import time

import pytest

from snapshot_core.domain import RunOutcome

from ..openai.openai_chat_server import ChatServer, Recorded, Reply, grounded_completion
from .world import JobWorld, wait_until

RPM = 120


class RateLimitedChat:
    """Chat Completions limited to ``rpm`` requests a minute, as a token bucket refilled
    continuously (providers enforce per-minute limits over shorter periods): ``burst``
    requests at once at most, 429 with ``retry-after`` above it."""

    def __init__(self, rpm: int, burst: float) -> None:
        self._rate = rpm / 60
        self._burst = burst
        self._tokens = burst
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self.accepted: list[float] = []
        self.refused = 0

    def __call__(self, request: Recorded) -> Reply:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
            self._last = now
            allowed = self._tokens >= 1
            if allowed:
                self._tokens -= 1
                self.accepted.append(now)
            else:
                self.refused += 1
        if not allowed:
            error = {"message": "Rate limit reached for requests", "code": "rate_limit_exceeded"}
            return Reply(status=429, body={"error": error}, headers={"retry-after": "1"})
        return grounded_completion(request)


@pytest.mark.slow
@pytest.mark.serial
def test_workers_sharing_a_budget_of_120_rpm_never_meet_a_429_and_keep_the_pace(
    redis_world: JobWorld,
) -> None:
    limited = RateLimitedChat(RPM, burst=3)
    with ChatServer() as server:
        server.respond(limited)
        ids = redis_world.seed(62)
        env = {
            "SNAPSHOT_LLM": "openai",
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": "sk-test-jobs-0000000000000000",
            "SNAPSHOT_RPM": str(RPM),
            "SNAPSHOT_LLM_TIMEOUT": "5",
            "SNAPSHOT_LEASE_SECONDS": "16",
            "SNAPSHOT_VISIBILITY_TIMEOUT": "20",
        }
        redis_world.start_worker(concurrency=8, **env)
        redis_world.start_worker(concurrency=8, **env)
        queue = redis_world.queue()
        for source_id in ids:
            queue.enqueue(source_id=source_id, user_id="alice")
        wait_until(lambda: redis_world.all_generated(ids), 60, "every source snapshotted")
    assert limited.refused == 0  # no 429 ever reached the provider
    runs = redis_world.runs()
    assert len(runs) == len(ids) and {r.outcome for r in runs} == {RunOutcome.SUCCEEDED}
    first, last = limited.accepted[0], limited.accepted[-1]
    per_minute = (len(limited.accepted) - 1) / (last - first) * 60
    print(f"{len(limited.accepted)} requests in {last - first:.1f} s: {per_minute:.1f}/min")
    assert abs(per_minute - RPM) <= 0.1 * RPM
    # The worker logs its jobs, not the HTTP client's line per call (left to DEBUG).
    assert "HTTP Request:" not in redis_world.log_text()
    # Each run keeps its job's waits: at 2 calls a second, the later jobs were sent back to
    # wait for the budget for seconds (the last one for most of the half minute).
    assert all(r.queue_delay_ms is not None and r.limiter_wait_ms is not None for r in runs)
    assert max(r.limiter_wait_ms or 0 for r in runs) >= 10_000
    stats = redis_world.orchestrator().run_stats(user_id="alice")
    assert stats.job_runs == len(ids) and stats.limiter_wait_total_ms >= 10_000


@pytest.mark.slow
def test_jobs_on_rabbitmq_make_one_call_per_source(rabbitmq_world: JobWorld) -> None:
    ids = rabbitmq_world.seed(30)
    queue = rabbitmq_world.queue()
    job_ids = [queue.enqueue(source_id=i, user_id="alice").job_id for i in ids]
    # No worker yet: every job is queued, and enqueueing a source again gives its job back.
    assert queue.enqueue(source_id=ids[0], user_id="alice").job_id == job_ids[0]
    rabbitmq_world.start_worker(concurrency=8, SNAPSHOT_TEST_FAKE_DELAY="0.2")
    wait_until(lambda: rabbitmq_world.all_generated(ids), 60, "every source snapshotted")
    runs = rabbitmq_world.runs()
    assert sorted(run.source_id for run in runs) == sorted(ids)
    assert {run.outcome for run in runs} == {RunOutcome.SUCCEEDED}
    # Enqueued before any worker had started: every job waited in the queue, none for budget.
    assert min(run.queue_delay_ms or 0 for run in runs) >= 100
    assert {run.limiter_wait_ms for run in runs} == {0.0}
