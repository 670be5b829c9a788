"""JobStates: each job's state and its delivery's hold in Redis, one round trip per step."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from snapshot_core.domain import InvalidJobError, Job, JobState

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["FINISHED_JOB_SECONDS", "OPEN_JOB_SECONDS", "Begun", "JobStates"]

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

# KEYS: the job's key, the (user, source) key, the job's hold key. ARGV: job id, ttl, "1" to
# add one to the delivery number, the hold's token to let go of ('' = none), then field/value
# pairs. Frees the source when the job is final, if the source still points at this job.
# Returns the delivery number (-1: no such job). The hold is let go of even then: a task
# ends its delivery with this one round trip.
_UPDATE = """
if ARGV[4] ~= '' and redis.call('GET', KEYS[3]) == ARGV[4] then redis.call('DEL', KEYS[3]) end
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local delivery = tonumber(redis.call('HGET', KEYS[1], 'delivery') or '0')
if ARGV[3] == '1' then delivery = redis.call('HINCRBY', KEYS[1], 'delivery', 1) end
for i = 5, #ARGV, 2 do
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

# KEYS: the job's key, the (user, source) key, the job's hold key. ARGV: the delivery number
# the message carries, a new hold token, the hold in ms, "1" to mark the job running, the
# open job ttl. A task starts with this one round trip: the job's state as it was (a flat
# list), and 0 (a stale copy: the job is finished or was re-scheduled since; nothing held),
# 1 (held: the token is ours) or 2 (a duplicate: another delivery holds it, for the ms
# returned). A job with no state (sent by hand) is held and never marked.
_BEGIN = """
local flat = redis.call('HGETALL', KEYS[1])
if #flat > 0 then
  local state, delivery = nil, '0'
  for i = 1, #flat, 2 do
    if flat[i] == 'state' then state = flat[i + 1] end
    if flat[i] == 'delivery' then delivery = flat[i + 1] end
  end
  if state == 'succeeded' or state == 'failed' or tonumber(delivery) ~= tonumber(ARGV[1]) then
    return {0, 0, flat}
  end
end
if not redis.call('SET', KEYS[3], ARGV[2], 'NX', 'PX', ARGV[3]) then
  return {2, redis.call('PTTL', KEYS[3]), flat}
end
if #flat > 0 and ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], 'state', 'running')
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  redis.call('EXPIRE', KEYS[2], ARGV[5])
end
return {1, 0, flat}
"""

# KEYS: the hold's key. ARGV: the token of the delivery letting go.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class Begun:
    """How a delivery began: ``stale`` (dropped), ``duplicate`` (another delivery holds the
    job for ``held_for`` s more) or ``held`` (by ``token``); ``state``: the job's fields as
    they were before (empty for a job sent without a state)."""

    outcome: Literal["stale", "duplicate", "held"]
    state: dict[str, str] = field(default_factory=dict)
    token: str | None = None
    held_for: float = 0.0


class JobStates:
    """Each job's state in a Redis hash; one key per (user, source) names its open job."""

    def __init__(self, redis: Redis, *, prefix: str = "snapshot:jobs") -> None:
        self._redis = redis
        self._prefix = prefix
        self._open = redis.register_script(_OPEN)
        self._update = redis.register_script(_UPDATE)
        self._release = redis.register_script(_RELEASE)
        self._begin = redis.register_script(_BEGIN)

    def _job_key(self, job_id: str) -> str:
        return f"{self._prefix}:job:{job_id}"

    def _hold_key(self, job_id: str) -> str:
        return f"{self._prefix}:held:{job_id}"

    def _source_key(self, user_id: str, source_id: str) -> str:
        # Lengths first: no pair of ids can spell another pair's key.
        return f"{self._prefix}:open:{len(user_id)}:{user_id}:{source_id}"

    def open(self, *, source_id: str, user_id: str) -> tuple[str, bool]:
        """The source's unfinished job id, and whether it was just created."""
        return self.open_many([(source_id, user_id)])[0]

    def open_many(self, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, bool]]:
        """``open`` for each (source_id, user_id), in one round trip: a source named twice
        gets the job its first mention made."""
        if not pairs:
            return []
        pipe = self._redis.pipeline(transaction=False)
        new_ids = []
        for source_id, user_id in pairs:
            new_id = uuid.uuid4().hex
            new_ids.append(new_id)
            keys = [self._source_key(user_id, source_id), self._job_key(new_id)]
            args: list[str | int | float] = [
                new_id,
                user_id,
                source_id,
                OPEN_JOB_SECONDS,
                f"{self._prefix}:job:",
                time.time(),  # enqueued at: the queue delay metric
            ]
            self._open(keys=keys, args=args, client=pipe)
        try:
            opened = [_text(job_id) for job_id in pipe.execute()]
        except BaseException:
            # Some of the scripts may have run: none of their jobs will be sent.
            self.forget_all(pairs, [(new_id, True) for new_id in new_ids])
            raise
        return [(job_id, job_id == new_id) for job_id, new_id in zip(opened, new_ids, strict=True)]

    def forget_all(
        self, pairs: Sequence[tuple[str, str]], opened: Sequence[tuple[str, bool]]
    ) -> None:
        """``forget`` each job ``open_many`` made for (source_id, user_id), as far as Redis
        can be reached: called on the way out of a failure, it never raises itself."""
        for (source_id, user_id), (job_id, created) in zip(pairs, opened, strict=True):
            if created:
                with contextlib.suppress(Exception):
                    self.forget(job_id, source_id=source_id, user_id=user_id)

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
        release: str | None = None,
        **fields: str | float | None,
    ) -> int:
        """Set fields (``None`` removes one); a final state frees the source. Returns the
        delivery number, one more than before with ``next_delivery`` (a re-scheduled job's
        message carries it, and older copies of the job's messages are then stale).
        ``owner``: the job's (user_id, source_id) when the caller knows them (a task does),
        which spares reading the job first. ``release``: the token of a hold to let go of in
        the same round trip."""
        if owner is None:
            state = self.read(job_id)
            if not state:
                return -1
            owner = (state["user_id"], state["source_id"])
        ttl = FINISHED_JOB_SECONDS if fields.get("state") in ("succeeded", "failed") else None
        keys = [self._job_key(job_id), self._source_key(*owner), self._hold_key(job_id)]
        pairs: list[str | float] = []
        for name, value in fields.items():
            pairs += [name, "" if value is None else value]
        bump = "1" if next_delivery else "0"
        args = [job_id, ttl or OPEN_JOB_SECONDS, bump, release or "", *pairs]
        return int(self._update(keys=keys, args=args))

    def hold(self, job_id: str, seconds: float) -> tuple[str | None, float]:
        """Mark the job as being worked on for ``seconds``: (a token, 0.0), or (``None``, how
        long the delivery that holds it may still run) for a duplicate delivery."""
        token = uuid.uuid4().hex
        key = self._hold_key(job_id)
        if self._redis.set(key, token, nx=True, px=max(1, int(seconds * 1000))):
            return token, 0.0
        left_ms = int(self._redis.pttl(key))
        return None, max(left_ms, 0) / 1000

    def release(self, job_id: str, token: str) -> None:
        """Let go of the hold if it is still ours (one round trip: compare and delete)."""
        self._release(keys=[self._hold_key(job_id)], args=[token])

    def begin(
        self,
        job_id: str,
        *,
        delivery: int,
        owner: tuple[str, str],
        hold_seconds: float,
        mark_running: bool,
    ) -> Begun:
        """A delivery's first step, in one round trip: drop it if stale, else hold the job
        for ``hold_seconds`` and, with ``mark_running``, set its state to running."""
        token = uuid.uuid4().hex
        keys = [self._job_key(job_id), self._source_key(*owner), self._hold_key(job_id)]
        args: list[str | int] = [
            delivery,
            token,
            max(1, int(hold_seconds * 1000)),
            "1" if mark_running else "0",
            OPEN_JOB_SECONDS,
        ]
        outcome, left_ms, flat = self._begin(keys=keys, args=args)
        state = {_text(flat[i]): _text(flat[i + 1]) for i in range(0, len(flat), 2)}
        if outcome == 0:
            return Begun("stale", state)
        if outcome == 2:
            return Begun("duplicate", state, held_for=max(int(left_ms), 0) / 1000)
        return Begun("held", state, token=token)

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
