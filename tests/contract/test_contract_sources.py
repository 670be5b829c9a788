"""Contract: sources, their lifecycle, and the claim that makes a model call happen once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from snapshot_core.domain import SourceStatus
from snapshot_core.ports import UnitOfWorkFactory

from .samples import T0, make_source

LEASE = T0 + timedelta(minutes=5)


def add(store: UnitOfWorkFactory, *sources: object) -> None:
    with store() as uow:
        for source in sources:
            uow.sources.add(source)  # type: ignore[arg-type]
        uow.commit()


def test_a_source_round_trips_and_is_only_visible_to_its_user(store: UnitOfWorkFactory) -> None:
    source = make_source(estimate_count=7)
    add(store, source)
    with store() as uow:
        assert uow.sources.get("src-1", "alice") == source
        assert uow.sources.get("src-1", "mallory") is None
        assert uow.sources.get("src-404", "alice") is None


def test_list_for_user_is_oldest_first_and_only_theirs(store: UnitOfWorkFactory) -> None:
    late = make_source("src-b", created_at=T0 + timedelta(days=1))
    early = make_source("src-c", created_at=T0 - timedelta(days=1))
    tie_a, tie_b = make_source("src-a2"), make_source("src-a1")
    other = make_source("src-x", user_id="bob")
    add(store, late, early, tie_a, tie_b, other)
    with store() as uow:
        listed = uow.sources.list_for_user("alice")
        assert [s.source_id for s in listed] == ["src-c", "src-a1", "src-a2", "src-b"]
        assert uow.sources.list_for_user("bob") == [other]
        assert uow.sources.list_for_user("nobody") == []


def test_set_status_changes_status_and_optionally_the_count(store: UnitOfWorkFactory) -> None:
    add(store, make_source(estimate_count=3))
    with store() as uow:
        uow.sources.set_status("src-1", SourceStatus.BUCKETED, estimate_count=40)
        uow.commit()
    with store() as uow:
        uow.sources.set_status("src-1", SourceStatus.UPLOADED)
        uow.commit()
    with store() as uow:
        source = uow.sources.get("src-1", "alice")
    assert source is not None
    assert (source.status, source.estimate_count) == (SourceStatus.UPLOADED, 40)


def test_set_status_of_a_missing_source_raises_key_error(store: UnitOfWorkFactory) -> None:
    with store() as uow, pytest.raises(KeyError):
        uow.sources.set_status("src-404", SourceStatus.BUCKETED)


def test_claiming_a_bucketed_source_starts_a_new_attempt(store: UnitOfWorkFactory) -> None:
    add(store, make_source(status=SourceStatus.BUCKETED))
    with store() as uow:
        claimed = uow.sources.claim_for_snapshot("src-1", "alice", T0, LEASE)
        uow.commit()
    assert claimed is not None
    assert claimed.status is SourceStatus.GENERATING
    assert (claimed.attempt, claimed.lease_expires_at) == (1, LEASE)
    with store() as uow:
        assert uow.sources.get("src-1", "alice") == claimed


@pytest.mark.parametrize(
    "status", [SourceStatus.UPLOADED, SourceStatus.SNAPSHOT_GENERATED], ids=str
)
def test_only_a_bucketed_or_expired_source_can_be_claimed(
    store: UnitOfWorkFactory, status: SourceStatus
) -> None:
    add(store, make_source(status=status))
    with store() as uow:
        assert uow.sources.claim_for_snapshot("src-1", "alice", T0, LEASE) is None
        assert uow.sources.get("src-1", "alice") == make_source(status=status)


def test_another_users_source_cannot_be_claimed(store: UnitOfWorkFactory) -> None:
    add(store, make_source(status=SourceStatus.BUCKETED))
    with store() as uow:
        assert uow.sources.claim_for_snapshot("src-1", "mallory", T0, LEASE) is None
        assert uow.sources.claim_for_snapshot("src-404", "alice", T0, LEASE) is None


def test_a_live_claim_blocks_and_an_expired_one_is_taken_over(store: UnitOfWorkFactory) -> None:
    add(store, make_source(status=SourceStatus.BUCKETED))
    with store() as uow:
        first = uow.sources.claim_for_snapshot("src-1", "alice", T0, LEASE)
        assert first is not None
        just_before = LEASE - timedelta(microseconds=1)
        assert uow.sources.claim_for_snapshot("src-1", "alice", just_before, LEASE) is None
        uow.commit()
    later = LEASE + timedelta(minutes=5)
    with store() as uow:
        # The lease ends at lease_expires_at: a claim at exactly that moment succeeds.
        second = uow.sources.claim_for_snapshot("src-1", "alice", LEASE, later)
        uow.commit()
    assert second is not None
    assert (second.attempt, second.lease_expires_at) == (2, later)


def test_release_ends_the_claim_of_the_holding_attempt_only(store: UnitOfWorkFactory) -> None:
    add(store, make_source(status=SourceStatus.BUCKETED))
    with store() as uow:
        uow.sources.claim_for_snapshot("src-1", "alice", T0, LEASE)
        uow.sources.claim_for_snapshot("src-1", "alice", LEASE, LEASE + timedelta(minutes=5))
        uow.commit()
    with store() as uow:
        # Attempt 1 lost its lease to attempt 2: its release changes nothing.
        assert not uow.sources.release_claim("src-1", 1, SourceStatus.SNAPSHOT_GENERATED)
        assert uow.sources.release_claim("src-1", 2, SourceStatus.BUCKETED)
        uow.commit()
    with store() as uow:
        source = uow.sources.get("src-1", "alice")
        assert source is not None
        assert (source.status, source.attempt, source.lease_expires_at) == (
            SourceStatus.BUCKETED,
            2,
            None,
        )
        # Not generating any more: a second release is refused too.
        assert not uow.sources.release_claim("src-1", 2, SourceStatus.SNAPSHOT_GENERATED)
        assert not uow.sources.release_claim("src-404", 1, SourceStatus.BUCKETED)


def test_mark_bucketed_leaves_a_live_claim_alone_and_clears_an_expired_one(
    store: UnitOfWorkFactory,
) -> None:
    add(store, make_source(status=SourceStatus.BUCKETED, estimate_count=3))
    with store() as uow:
        uow.sources.claim_for_snapshot("src-1", "alice", T0, LEASE)
        uow.commit()
    with store() as uow:
        assert uow.sources.mark_bucketed("src-1", 30, T0) is False
        uow.commit()
    with store() as uow:
        held = uow.sources.get("src-1", "alice")
    assert held is not None and (held.status, held.estimate_count) == (SourceStatus.GENERATING, 3)

    with store() as uow:
        assert uow.sources.mark_bucketed("src-1", 30, LEASE + timedelta(seconds=1)) is True
        uow.commit()
    with store() as uow:
        freed = uow.sources.get("src-1", "alice")
    assert freed is not None
    assert (freed.status, freed.estimate_count, freed.lease_expires_at) == (
        SourceStatus.BUCKETED,
        30,
        None,
    )
    with store() as uow, pytest.raises(KeyError):
        uow.sources.mark_bucketed("src-404", 1, T0)
