"""Contract: a snapshot's two combined steps, the read of a source with its buckets and the
save (release + snapshot + finished run), behave as the separate calls they replace."""

from __future__ import annotations

from datetime import timedelta

import pytest

from snapshot_core.domain import RunOutcome, SnapshotRun, SourceStatus
from snapshot_core.ports import UnitOfWorkFactory

from .samples import T0, make_buckets, make_run, make_snapshot, make_source

LEASE = T0 + timedelta(minutes=5)


def _claimed_with_calling_run(store: UnitOfWorkFactory) -> SnapshotRun:
    """src-1 of alice, bucketed, claimed as attempt 1, with its `calling` run recorded."""
    calling = make_run(
        "run-1", snapshot_id=None, outcome=RunOutcome.CALLING, error_code=None, finished_at=None
    )
    with store() as uow:
        uow.sources.add(make_source(status=SourceStatus.BUCKETED))
        uow.buckets.save(make_buckets())
        uow.commit()
    with store() as uow:
        assert uow.sources.claim_for_snapshot("src-1", "alice", T0, LEASE) is not None
        uow.runs.add(calling)
        uow.commit()
    return calling


def test_a_source_is_read_with_its_buckets_only_by_its_user(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        uow.sources.add(make_source(status=SourceStatus.BUCKETED))
        uow.sources.add(make_source("src-2", status=SourceStatus.UPLOADED))
        uow.buckets.save(make_buckets())
        uow.commit()
    with store() as uow:
        assert uow.sources.get_with_buckets("src-1", "alice") == (
            uow.sources.get("src-1", "alice"),
            uow.buckets.get("src-1"),
        )
        assert uow.sources.get_with_buckets("src-2", "alice") == (
            uow.sources.get("src-2", "alice"),
            None,
        )
        assert uow.sources.get_with_buckets("src-1", "mallory") is None
        assert uow.sources.get_with_buckets("src-404", "alice") is None


def test_settling_the_holding_attempt_writes_all_three(store: UnitOfWorkFactory) -> None:
    _claimed_with_calling_run(store)
    snapshot, finished = make_snapshot(), make_run("run-1")
    with store() as uow:
        assert uow.sources.settle_claim(finished, 1, SourceStatus.SNAPSHOT_GENERATED, snapshot)
        uow.commit()
    with store() as uow:
        source = uow.sources.get("src-1", "alice")
        assert source is not None
        assert (source.status, source.lease_expires_at) == (SourceStatus.SNAPSHOT_GENERATED, None)
        assert uow.snapshots.get("snap-1", "alice") == snapshot
        assert list(uow.runs.list("alice")) == [finished]


def test_settling_without_a_snapshot_finishes_the_run_only(store: UnitOfWorkFactory) -> None:
    _claimed_with_calling_run(store)
    failed = make_run("run-1", snapshot_id=None, error_code="llm_refusal", detail="no")
    with store() as uow:
        assert uow.sources.settle_claim(failed, 1, SourceStatus.BUCKETED, None)
        uow.commit()
    with store() as uow:
        source = uow.sources.get("src-1", "alice")
        assert source is not None and source.status is SourceStatus.BUCKETED
        assert uow.snapshots.latest_ids("alice") == {}
        assert list(uow.runs.list("alice")) == [failed]


def test_settling_a_claim_taken_over_writes_nothing(store: UnitOfWorkFactory) -> None:
    calling = _claimed_with_calling_run(store)
    with store() as uow:  # the lease ran out and attempt 2 claimed the source
        later = LEASE + timedelta(seconds=1)
        assert uow.sources.claim_for_snapshot("src-1", "alice", later, later + timedelta(1))
        uow.commit()
    with store() as uow:
        assert not uow.sources.settle_claim(
            make_run(), 1, SourceStatus.SNAPSHOT_GENERATED, make_snapshot()
        )
        uow.commit()
    with store() as uow:
        source = uow.sources.get("src-1", "alice")
        assert source is not None
        assert (source.status, source.attempt) == (SourceStatus.GENERATING, 2)
        assert uow.snapshots.latest_ids("alice") == {}
        assert list(uow.runs.list("alice")) == [calling]


def test_settling_with_a_run_never_recorded_fails_and_rolls_back(
    store: UnitOfWorkFactory,
) -> None:
    _claimed_with_calling_run(store)
    with store() as uow, pytest.raises(KeyError):
        uow.sources.settle_claim(make_run("run-never-added"), 1, SourceStatus.BUCKETED, None)
    with store() as uow:
        source = uow.sources.get("src-1", "alice")
        assert source is not None and source.status is SourceStatus.GENERATING


def _calling(run_id: str = "run-1", attempt: int = 1) -> SnapshotRun:
    return make_run(
        run_id,
        attempt=attempt,
        snapshot_id=None,
        outcome=RunOutcome.CALLING,
        error_code=None,
        finished_at=None,
        cost_usd=None,  # as a `calling` run is recorded: nothing known yet
        request_sha256=None,
        queue_delay_ms=12.5,
    )


def test_claiming_with_a_run_records_it_under_the_claim_s_attempt(
    store: UnitOfWorkFactory,
) -> None:
    with store() as uow:
        uow.sources.add(make_source(status=SourceStatus.BUCKETED))
        uow.commit()
    with store() as uow:
        claimed = uow.sources.claim_with_run(_calling(attempt=9), T0, LEASE)
        uow.commit()
    assert claimed is not None and claimed.attempt == 1
    assert (claimed.status, claimed.lease_expires_at) == (SourceStatus.GENERATING, LEASE)
    with store() as uow:
        assert uow.sources.get("src-1", "alice") == claimed
        assert list(uow.runs.list("alice")) == [_calling(attempt=1)]


def test_a_claim_refused_records_no_run(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        uow.sources.add(make_source(status=SourceStatus.BUCKETED))
        uow.sources.add(make_source("src-2", user_id="bob", status=SourceStatus.UPLOADED))
        uow.commit()
    with store() as uow:
        assert uow.sources.claim_with_run(_calling("run-1"), T0, LEASE)
        uow.commit()
    with store() as uow:  # a live claim, another user's source, an unbucketed one, none
        for run_id, source_id, user_id in [
            ("run-2", "src-1", "alice"),
            ("run-3", "src-1", "bob"),
            ("run-4", "src-2", "bob"),
            ("run-5", "src-9", "alice"),
        ]:
            run = _calling(run_id).model_copy(update={"source_id": source_id, "user_id": user_id})
            assert uow.sources.claim_with_run(run, T0, LEASE) is None
        uow.commit()
    with store() as uow:
        assert [run.run_id for run in uow.runs.list()] == ["run-1"]
