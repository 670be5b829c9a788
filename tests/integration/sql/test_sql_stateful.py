"""Stateful model test: the in-memory store is the model; a SQL store must agree with it
after every step of random ingest / bucket / claim / fail / save / expire-lease / run
sequences (results, errors and everything observable)."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from snapshot_adapters.fake import FakeModel, FixedClock
from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.sql import SqlStore, create_sql_store
from snapshot_core.domain import (
    DEFAULT_BAND_SCHEME,
    EstimateRow,
    RunPolicy,
    SnapshotError,
    Source,
    SourceStatus,
)
from snapshot_core.ports import UnitOfWork, UnitOfWorkFactory
from snapshot_core.use_cases import bucket_source, run_snapshot

from ...contract.samples import make_run, make_snapshot
from ...strategies import estimate_rows

T = TypeVar("T")
LEASE_SECONDS = 60.0


class NamespacedIds:
    """Sequential ids under a per-example prefix: equal for both stores, unique per database."""

    def __init__(self, prefix: str) -> None:
        self._prefix, self._counter = prefix, itertools.count(1)

    def new_id(self, kind: str) -> str:
        return f"{self._prefix}-{kind}-{next(self._counter)}"


def _rows(rows: list[EstimateRow], fail: bool) -> Iterator[EstimateRow]:
    yield from rows
    if fail:
        raise OSError("the upload was cut off")


class StoreAgreement(RuleBasedStateMachine):
    sql_url = ""  # set by the test before the machine runs

    sources = Bundle("sources")

    def __init__(self) -> None:
        super().__init__()
        self.ns = secrets.token_hex(4)
        self.memory = MemoryStore()
        self.sql = create_sql_store(self.sql_url)
        self.clock = FixedClock()
        self.policy = RunPolicy(min_estimates=1, lease_seconds=LEASE_SECONDS)
        self.users = [f"{self.ns}-alice", f"{self.ns}-bob"]
        self.ids = {id(store): NamespacedIds(self.ns) for store in self.stores}
        self.counter = itertools.count(1)
        self.added = 0
        self.snapshot_ids: list[str] = []

    @property
    def stores(self) -> tuple[UnitOfWorkFactory, SqlStore]:
        return (self.memory, self.sql)

    def teardown(self) -> None:
        self.sql.dispose()

    def both(self, action: Callable[[UnitOfWorkFactory], T]) -> T | type[BaseException]:
        """Do the same thing to both stores; they must return or raise the same."""
        outcomes: list[Any] = []
        for store in self.stores:
            try:
                outcomes.append(action(store))
            except (SnapshotError, OSError, KeyError) as error:
                outcomes.append(type(error))
        assert outcomes[0] == outcomes[1]
        result: T | type[BaseException] = outcomes[0]
        return result

    def in_uow(self, action: Callable[[UnitOfWork], T], commit: bool = True) -> T | Any:
        def run(store: UnitOfWorkFactory) -> T:
            with store() as uow:
                value = action(uow)
                if commit:
                    uow.commit()
                return value

        return self.both(run)

    @initialize(target=sources, rows=st.lists(estimate_rows(), min_size=1, max_size=30))
    def first_source(self, rows: list[EstimateRow]) -> tuple[str, str]:
        added: tuple[str, str] = self._add_source(self.users[0], rows, fail=False)
        return added

    # Few sources, so that claims, expiries and stale releases meet on the same one.
    @precondition(lambda self: self.added < 3)
    @rule(
        target=sources,
        user=st.integers(0, 1),
        rows=st.lists(estimate_rows(), max_size=30),
        fail=st.booleans(),
    )
    def ingest(self, user: int, rows: list[EstimateRow], fail: bool) -> tuple[str, str]:
        return self._add_source(self.users[user], rows, fail) or ("none", self.users[user])

    def _add_source(self, user_id: str, rows: list[EstimateRow], fail: bool) -> Any:
        source_id = f"{self.ns}-src-{next(self.counter)}"
        self.added += 1

        def add(uow: UnitOfWork) -> int:
            uow.sources.add(
                Source(source_id=source_id, user_id=user_id, created_at=self.clock.now())
            )
            stored = uow.estimates.add_many(source_id, _rows(rows, fail))
            uow.sources.set_status(source_id, SourceStatus.UPLOADED, estimate_count=stored)
            return stored

        self.in_uow(add)
        return None if fail else (source_id, user_id)

    @rule(source=sources)
    def bucket(self, source: tuple[str, str]) -> None:
        source_id, user_id = source
        self.both(
            lambda store: bucket_source(
                uow_factory=store,
                clock=self.clock,
                policy=self.policy,
                source_id=source_id,
                user_id=user_id,
            )
        )

    @rule(source=sources, as_owner=st.booleans())
    def claim(self, source: tuple[str, str], as_owner: bool) -> None:
        source_id, owner = source
        user_id = owner if as_owner else self.users[1 - self.users.index(owner)]
        now = self.clock.now()
        lease = now + timedelta(seconds=LEASE_SECONDS)
        self.in_uow(lambda uow: uow.sources.claim_for_snapshot(source_id, user_id, now, lease))

    def _attempt(self, source: tuple[str, str], stale: bool) -> int:
        with self.memory() as uow:
            current = uow.sources.get(*source)
        return (current.attempt if current else 0) - (1 if stale else 0)

    @rule(source=sources, stale=st.booleans())
    def fail(self, source: tuple[str, str], stale: bool) -> None:
        source_id, user_id = source
        attempt = self._attempt(source, stale)

        def release(uow: UnitOfWork) -> bool:
            released = uow.sources.release_claim(source_id, attempt, SourceStatus.BUCKETED)
            if released:
                uow.runs.add(
                    make_run(
                        f"{source_id}-run-{attempt}",
                        source_id,
                        user_id,
                        attempt,
                        snapshot_id=None,
                    )
                )
            return released

        self.in_uow(release)

    @rule(source=sources, stale=st.booleans())
    def save(self, source: tuple[str, str], stale: bool) -> None:
        source_id, user_id = source
        attempt = self._attempt(source, stale)
        snapshot_id = f"{source_id}-snap-{attempt}"

        def release(uow: UnitOfWork) -> bool:
            done = SourceStatus.SNAPSHOT_GENERATED
            released = uow.sources.release_claim(source_id, attempt, done)
            if released:
                uow.snapshots.add(make_snapshot(snapshot_id, source_id), user_id)
                uow.runs.add(
                    make_run(f"{source_id}-run-{attempt}", source_id, user_id, attempt, snapshot_id)
                )
            return released

        if self.in_uow(release) is True:
            self.snapshot_ids.append(snapshot_id)

    @rule(seconds=st.sampled_from([1, LEASE_SECONDS - 1, LEASE_SECONDS, 600]))
    def expire_lease(self, seconds: float) -> None:
        self.clock.advance(seconds=seconds)

    @rule(source=sources)
    def run(self, source: tuple[str, str]) -> None:
        source_id, user_id = source
        outcome = self.both(
            lambda store: run_snapshot(
                uow_factory=store,
                model=FakeModel(),
                clock=self.clock,
                ids=self.ids[id(store)],
                policy=self.policy,
                source_id=source_id,
                user_id=user_id,
            )
        )
        if isinstance(outcome, str):
            self.snapshot_ids.append(outcome)

    @invariant()
    def stores_agree(self) -> None:
        def observe(uow: UnitOfWork) -> Any:
            listed = {user: list(uow.sources.list_for_user(user)) for user in self.users}
            owned = [(s.source_id, s.user_id) for sources in listed.values() for s in sources]
            return (
                listed,
                {user: list(uow.runs.list(user)) for user in self.users},
                {sid: uow.buckets.get(sid) for sid, _ in owned},
                {sid: uow.estimates.tally(sid, DEFAULT_BAND_SCHEME) for sid, _ in owned},
                {
                    (snap, user): uow.snapshots.get(snap, user)
                    for snap in self.snapshot_ids
                    for user in self.users
                },
            )

        self.in_uow(observe, commit=False)


@pytest.mark.slow
def test_sql_stores_behave_like_the_memory_model(sql_url: str) -> None:
    postgres = sql_url.startswith("postgresql")
    StoreAgreement.sql_url = sql_url
    run_state_machine_as_test(
        StoreAgreement,
        settings=settings(
            max_examples=25 if postgres else 40,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
