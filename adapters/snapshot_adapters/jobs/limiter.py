"""SharedBudget: requests and tokens per minute, shared by every worker on every machine.

One Redis Lua script per step keeps it atomic across processes, with Redis' own clock (so
machines with skewed clocks agree). The algorithm is GCRA, a token bucket kept as one
"theoretical arrival time" per budget: requests are spaced ``60/rpm`` s apart on average,
with a burst of ``burst_seconds`` worth at most, so the sustained rate never exceeds the
budget over any window, however long. A budget that is not set is not checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["SharedBudget"]

# KEYS: request TAT, token TAT. ARGV: seconds per request, per token (0 = no budget),
# burst seconds, requests, tokens. Returns the wait in seconds (as a string) or "0" when
# taken; nothing is taken unless both budgets allow it.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local burst = tonumber(ARGV[3])
local wait, news = 0, {}
for i, key in ipairs(KEYS) do
  local per, cost = tonumber(ARGV[i]), tonumber(ARGV[3 + i])
  if per > 0 then
    local tat = tonumber(redis.call('GET', key) or '0')
    if tat < now then tat = now end
    local new = tat + cost * per
    local allow_at = new - math.max(burst, cost * per)
    if allow_at - now > wait then wait = allow_at - now end
    news[i] = new
  end
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  if news[i] then
    redis.call('SET', key, tostring(news[i]), 'PX', math.ceil((news[i] - now + 120) * 1000))
  end
end
return '0'
"""

# KEYS: request TAT, token TAT. ARGV: seconds per request, per token, burst seconds,
# request change, token change (a refund is negative), pause until (seconds from now, 0 =
# none), requests left and tokens left by the provider's count (-1 = not said).
_ADJUST = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local burst, pause = tonumber(ARGV[3]), tonumber(ARGV[6])
for i, key in ipairs(KEYS) do
  local per, change, left = tonumber(ARGV[i]), tonumber(ARGV[3 + i]), tonumber(ARGV[6 + i])
  if per > 0 then
    local tat = tonumber(redis.call('GET', key) or '0')
    if change > 0 and tat < now then tat = now end
    tat = tat + change * per
    -- Paused: the next request is allowed `pause` seconds from now, not before.
    if pause > 0 and tat < now + pause + burst - per then tat = now + pause + burst - per end
    -- The provider says only `left` remain: never believe more remain than that.
    if left >= 0 and tat < now + burst - left * per then tat = now + burst - left * per end
    if tat > now then
      redis.call('SET', key, tostring(tat), 'PX', math.ceil((tat - now + 120) * 1000))
    else
      redis.call('DEL', key)
    end
  end
end
return 1
"""


@dataclass(frozen=True)
class _Rates:
    per_request: float
    per_token: float


class SharedBudget:
    """``take(tokens)`` before the claim: 0.0 when taken, else how many seconds to wait
    (nothing is taken then). ``settle`` after the call corrects the estimate from the usage
    the provider reported and follows its ``x-ratelimit-remaining-*``; ``pause`` holds every
    worker back when the provider said ``retry_after``."""

    def __init__(
        self,
        redis: Redis,
        *,
        rpm: int | None,
        tpm: int | None,
        burst_seconds: float = 1.0,
        prefix: str = "snapshot:budget",
    ) -> None:
        self._redis = redis
        self._rates = _Rates(60.0 / rpm if rpm else 0.0, 60.0 / tpm if tpm else 0.0)
        self._burst = burst_seconds
        self._keys = [f"{prefix}:requests", f"{prefix}:tokens"]
        self._take = redis.register_script(_TAKE)
        self._adjust = redis.register_script(_ADJUST)

    @property
    def enabled(self) -> bool:
        return bool(self._rates.per_request or self._rates.per_token)

    def _rate_args(self) -> list[float]:
        return [self._rates.per_request, self._rates.per_token, self._burst]

    def take(self, tokens: int) -> float:
        if not self.enabled:
            return 0.0
        wait = float(self._take(keys=self._keys, args=[*self._rate_args(), 1, tokens]))
        return wait

    def settle(
        self,
        *,
        taken_tokens: int,
        used_tokens: int | None,
        called: bool = True,
        remaining_requests: int | None = None,
        remaining_tokens: int | None = None,
    ) -> None:
        """After the attempt: ``called=False`` gives the request and its tokens back (the
        claim was refused, no call left); ``used_tokens`` replaces the estimate."""
        if not self.enabled:
            return
        used = used_tokens if called and used_tokens is not None else taken_tokens
        token_change = (used if called else 0) - taken_tokens
        self._call_adjust(
            request_change=0 if called else -1,
            token_change=token_change,
            remaining_requests=remaining_requests,
            remaining_tokens=remaining_tokens,
        )

    def pause(self, seconds: float) -> None:
        """No request from any worker for ``seconds`` (the provider's ``retry_after``)."""
        if self.enabled and seconds > 0:
            self._call_adjust(pause=seconds)

    def _call_adjust(
        self,
        *,
        request_change: int = 0,
        token_change: int = 0,
        pause: float = 0.0,
        remaining_requests: int | None = None,
        remaining_tokens: int | None = None,
    ) -> None:
        left = [-1 if value is None else value for value in (remaining_requests, remaining_tokens)]
        args = [*self._rate_args(), request_change, token_change, pause, *left]
        self._adjust(keys=self._keys, args=args)
