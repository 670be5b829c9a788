"""CeleryJobQueue (the JobQueue port on Celery) and JobStates, the jobs' states kept in Redis."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from snapshot_core.domain import InvalidJobError, Job, JobState, QueueUnavailableError

if TYPE_CHECKING:
    from celery import Celery
    from redis import Redis

__all__ = ["OPEN_JOB_SECONDS", "TASK_NAME", "CeleryJobQueue", "JobStates"]

TASK_NAME = "snapshot.make_snapshot"
# How long a source stays tied to its unfinished job when nothing touches it (a message the
# broker lost): after that the source may be enqueued again. The storage claim still allows
# one call at a time whatever the queue does.
OPEN_JOB_SECONDS = 24 * 3600
FINISHED_JOB_SECONDS = 7 * 24 * 3600

# KEYS: the (user, source) key, the new job's key. ARGV: new job id, user, source, ttl.
# Returns the id of the source's unfinished job, which is the new one if it had none.
_OPEN = """
local existing = redis.call('GET', KEYS[1])
if existing and redis.call('EXISTS', ARGV[5] .. existing) == 1 then
  local state = redis.call('HGET', ARGV[5] .. existing, 'state')
  if state ~= 'succeeded' and state ~= 'failed' then return existing end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
redis.call('HSET', KEYS[2], 'user_id', ARGV[2], 'source_id', ARGV[3], 'state', 'queued',
           'attempt', 1, 'delivery', 0, 'enqueued_at', ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return ARGV[1]
"""

# KEYS: the job's key, the (user, source) key. ARGV: job id, ttl, "1" to add one to the
# delivery number, then field/value pairs. Frees the source when the job is final, if the
# source still points at this job. Returns the delivery number (-1: no such job).
_UPDATE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local delivery = tonumber(redis.call('HGET', KEYS[1], 'delivery') or '0')
if ARGV[3] == '1' then delivery = redis.call('HINCRBY', KEYS[1], 'delivery', 1) end
for i = 4, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[1], ARGV[i])
  else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
local state = redis.call('HGET', KEYS[1], 'state')
if (state == 'succeeded' or state == 'failed') and redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
elseif state ~= 'succeeded' and state ~= 'failed' then
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
return delivery
"""

# KEYS: the hold's key. ARGV: the token of the delivery letting go.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class JobStates:
    """Each job's state in a Redis hash; one key per (user, source) names its open job."""

    def __init__(self, redis: Redis, *, prefix: str = "snapshot:jobs") -> None:
        self._redis = redis
        self._prefix = prefix
        self._open = redis.register_script(_OPEN)
        self._update = redis.register_script(_UPDATE)
        self._release = redis.register_script(_RELEASE)

    def _job_key(self, job_id: str) -> str:
        return f"{self._prefix}:job:{job_id}"

    def _source_key(self, user_id: str, source_id: str) -> str:
        # Lengths first: no pair of ids can spell another pair's key.
        return f"{self._prefix}:open:{len(user_id)}:{user_id}:{source_id}"

    def open(self, *, source_id: str, user_id: str) -> tuple[str, bool]:
        """The source's unfinished job id, and whether it was just created."""
        new_id = uuid.uuid4().hex
        keys = [self._source_key(user_id, source_id), self._job_key(new_id)]
        args: list[str | int | float] = [
            new_id,
            user_id,
            source_id,
            OPEN_JOB_SECONDS,
            f"{self._prefix}:job:",
            time.time(),  # enqueued at: the queue delay metric
        ]
        job_id = _text(self._open(keys=keys, args=args))
        return job_id, job_id == new_id

    def forget(self, job_id: str, *, source_id: str, user_id: str) -> None:
        """Undo ``open`` when the job could not be sent to the broker."""
        self._redis.delete(self._job_key(job_id))
        source_key = self._source_key(user_id, source_id)
        if _text(self._redis.get(source_key) or b"") == job_id:
            self._redis.delete(source_key)

    def read(self, job_id: str) -> dict[str, str]:
        raw: dict[Any, Any] = self._redis.hgetall(self._job_key(job_id))
        return {_text(name): _text(value) for name, value in raw.items()}

    def update(
        self,
        job_id: str,
        *,
        next_delivery: bool = False,
        owner: tuple[str, str] | None = None,
        **fields: str | float | None,
    ) -> int:
        """Set fields (``None`` removes one); a final state frees the source. Returns the
        delivery number, one more than before with ``next_delivery`` (a re-scheduled job's
        message carries it, and older copies of the job's messages are then stale).
        ``owner``: the job's (user_id, source_id) when the caller knows them (a task does),
        which spares reading the job first."""
        if owner is None:
            state = self.read(job_id)
            if not state:
                return -1
            owner = (state["user_id"], state["source_id"])
        ttl = FINISHED_JOB_SECONDS if fields.get("state") in ("succeeded", "failed") else None
        keys = [self._job_key(job_id), self._source_key(*owner)]
        pairs: list[str | float] = []
        for name, value in fields.items():
            pairs += [name, "" if value is None else value]
        bump = "1" if next_delivery else "0"
        args = [job_id, ttl or OPEN_JOB_SECONDS, bump, *pairs]
        return int(self._update(keys=keys, args=args))

    def hold(self, job_id: str, seconds: float) -> tuple[str | None, float]:
        """Mark the job as being worked on for ``seconds``: (a token, 0.0), or (``None``, how
        long the delivery that holds it may still run) for a duplicate delivery."""
        token = uuid.uuid4().hex
        key = f"{self._prefix}:held:{job_id}"
        if self._redis.set(key, token, nx=True, px=max(1, int(seconds * 1000))):
            return token, 0.0
        left_ms = int(self._redis.pttl(key))
        return None, max(left_ms, 0) / 1000

    def release(self, job_id: str, token: str) -> None:
        """Let go of the hold if it is still ours (one round trip: compare and delete)."""
        self._release(keys=[f"{self._prefix}:held:{job_id}"], args=[token])

    def job(self, job_id: str, user_id: str) -> Job:
        state = self.read(job_id)
        if not state or state.get("user_id") != user_id:
            raise InvalidJobError()
        return Job(
            job_id=job_id,
            source_id=state["source_id"],
            user_id=user_id,
            state=_job_state(state.get("state", "queued")),
            snapshot_id=state.get("snapshot_id") or None,
            error_code=state.get("error_code") or None,
        )


def _job_state(value: str) -> JobState:
    states: tuple[JobState, ...] = ("queued", "running", "retrying", "succeeded", "failed")
    for state in states:
        if value == state:
            return state
    raise ValueError(f"unknown job state {value!r} in Redis")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class CeleryJobQueue:
    """A ``JobQueue`` whose workers are Celery workers (``snapshot worker``), anywhere.

    ``enqueue`` sends one ``snapshot.make_snapshot`` message; a source whose job is not
    finished gets that job back. States live in Redis (``SNAPSHOT_REDIS_URL``), outcomes in
    storage. Build it with ``CeleryJobQueue.from_settings(settings)``.
    """

    def __init__(self, app: Celery, states: JobStates) -> None:
        self._app = app
        self._states = states

    @classmethod
    def from_settings(cls, settings: Any = None) -> CeleryJobQueue:
        from .app import create_app, runtime_of

        app = create_app(settings)
        return cls(app, runtime_of(app).states())

    def enqueue(self, *, source_id: str, user_id: str) -> Job:
        with _reachable():
            job_id, created = self._states.open(source_id=source_id, user_id=user_id)
            if created:
                try:
                    self._app.send_task(
                        TASK_NAME,
                        kwargs={"source_id": source_id, "user_id": user_id, "attempt": 1},
                        task_id=job_id,
                    )
                except Exception:
                    self._states.forget(job_id, source_id=source_id, user_id=user_id)
                    raise
            return self._states.job(job_id, user_id)

    def get(self, *, job_id: str, user_id: str) -> Job:
        with _reachable():
            return self._states.job(job_id, user_id)


@contextmanager
def _reachable() -> Iterator[None]:
    """Connection failures of Redis or the broker as ``QueueUnavailableError``: its message
    names no URL (a URL may hold a password), only what failed."""
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError, TimeoutError

    try:
        yield
    except (ConnectionError, TimeoutError, OperationalError) as error:
        raise QueueUnavailableError(type(error).__name__) from None
