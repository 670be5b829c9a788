"""SharedBudget on a real Redis: taken before the call, corrected after, following the provider."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from snapshot_adapters.jobs import SharedBudget

from .servers import require_redis
from .world import _redis_database


@pytest.fixture
def redis() -> Iterator[Redis]:
    require_redis()
    with _redis_database() as url:
        yield Redis.from_url(url)


def test_requests_are_spaced_by_the_budget_after_a_burst_of_one_second(redis: Redis) -> None:
    budget = SharedBudget(redis, rpm=120, tpm=None)  # one request each 0.5 s
    assert budget.take(100) == 0.0
    assert budget.take(100) == 0.0  # the one-second burst: two at once
    wait = budget.take(100)
    assert 0.4 < wait <= 0.5
    assert budget.take(100) == pytest.approx(wait, abs=0.05)  # refused: nothing was taken


def test_two_budgets_on_one_redis_share_it(redis: Redis) -> None:
    first = SharedBudget(redis, rpm=60, tpm=None)
    second = SharedBudget(redis, rpm=60, tpm=None)  # another worker, another machine
    assert first.take(1) == 0.0
    assert second.take(1) > 0.9


def test_a_request_larger_than_what_is_left_of_the_tokens_waits(redis: Redis) -> None:
    budget = SharedBudget(redis, rpm=None, tpm=6000)  # 100 tokens a second
    assert budget.take(3000) == 0.0  # an idle budget lets one large request through
    assert budget.take(200) == pytest.approx(30.0, abs=0.2)  # until those 3000 are paid off


def test_usage_below_the_estimate_gives_the_difference_back(redis: Redis) -> None:
    budget = SharedBudget(redis, rpm=None, tpm=6000)
    budget.take(3000)
    budget.settle(taken_tokens=3000, used_tokens=700)
    assert budget.take(200) == pytest.approx(7.0, abs=0.2)  # 700 tokens: 7 s of budget


def test_a_refused_claim_gives_the_request_and_its_tokens_back(redis: Redis) -> None:
    budget = SharedBudget(redis, rpm=60, tpm=None, burst_seconds=1.0)
    budget.take(10)
    assert budget.take(10) > 0.9
    budget.settle(taken_tokens=10, used_tokens=None, called=False)
    assert budget.take(10) == 0.0


def test_the_budget_follows_the_provider_when_it_says_less_is_left(redis: Redis) -> None:
    budget = SharedBudget(redis, rpm=600, tpm=None, burst_seconds=1.0)  # 10 a second
    budget.take(1)
    budget.settle(taken_tokens=1, used_tokens=1, remaining_requests=0)
    assert budget.take(1) > 0.05  # the provider has none left: wait, though ours had 9
    fresh = SharedBudget(redis, rpm=600, tpm=None, prefix="other")
    fresh.settle(taken_tokens=1, used_tokens=1, remaining_requests=500)
    assert fresh.take(1) == 0.0  # a provider with more left changes nothing


def test_a_provider_retry_after_holds_every_worker_back(redis: Redis) -> None:
    budget = SharedBudget(redis, rpm=6000, tpm=None)
    budget.pause(5.0)
    assert SharedBudget(redis, rpm=6000, tpm=None).take(1) == pytest.approx(5.0, abs=0.2)


def test_no_budget_set_takes_nothing_and_touches_nothing(redis: Redis) -> None:
    budget = SharedBudget(redis, rpm=None, tpm=None)
    assert budget.take(10**9) == 0.0
    assert redis.keys("snapshot:budget*") == []
