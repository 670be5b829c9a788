"""Contract: a unit of work is one transaction; and the whole flow runs on every backend."""

from __future__ import annotations

import pytest

from snapshot_adapters.fake import FakeModel, FixedClock, SequentialIds
from snapshot_core import Orchestrator
from snapshot_core.domain import (
    DEFAULT_BAND_SCHEME,
    InvalidInputError,
    InvalidSnapshotError,
    InvalidSourceError,
    SnapshotInProgressError,
    SourceNotBucketedError,
    SourceStatus,
    tally_estimates,
)
from snapshot_core.ports import UnitOfWorkFactory

from .samples import failing_rows, make_source, rows


def test_leaving_without_commit_rolls_everything_back(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        uow.sources.add(make_source())
        uow.estimates.add_many("src-1", rows(10))
    with store() as uow:
        assert uow.sources.get("src-1", "alice") is None
        assert uow.estimates.tally("src-1", DEFAULT_BAND_SCHEME).estimate_count == 0


def test_an_exception_rolls_back_and_propagates(store: UnitOfWorkFactory) -> None:
    with pytest.raises(RuntimeError, match="boom"), store() as uow:
        uow.sources.add(make_source())
        raise RuntimeError("boom")
    with store() as uow:
        assert uow.sources.list_for_user("alice") == []


def test_a_unit_of_work_keeps_working_after_a_commit(store: UnitOfWorkFactory) -> None:
    with store() as uow:
        uow.sources.add(make_source("src-1"))
        uow.commit()
        uow.sources.add(make_source("src-2"))
        # src-2 is not committed: it is rolled back when the block ends.
    with store() as uow:
        assert [s.source_id for s in uow.sources.list_for_user("alice")] == ["src-1"]


def test_a_unit_of_work_sees_its_own_writes(store: UnitOfWorkFactory) -> None:
    sample = rows(25)
    with store() as uow:
        uow.sources.add(make_source())
        uow.estimates.add_many("src-1", sample)
        uow.sources.set_status("src-1", SourceStatus.BUCKETED, estimate_count=25)
        assert uow.estimates.tally("src-1", DEFAULT_BAND_SCHEME) == tally_estimates(sample)
        source = uow.sources.get("src-1", "alice")
        assert source is not None
        assert source.status is SourceStatus.BUCKETED


def test_an_ingest_whose_rows_fail_half_way_leaves_nothing(store: UnitOfWorkFactory) -> None:
    ids, clock = SequentialIds(), FixedClock()
    orchestrator = Orchestrator(uow_factory=store, model=FakeModel(), clock=clock, ids=ids)
    with pytest.raises(OSError, match="disk read error"):
        orchestrator.ingest_estimates(
            user_id="alice", rows=failing_rows(7_000, OSError("disk read error"))
        )
    bad = [*({"amount": "12", "sent_at": "2026-01-05"} for _ in range(30)), {"amount": "-1"}]
    with pytest.raises(InvalidInputError):
        orchestrator.ingest_estimates(user_id="alice", rows=bad)
    with store() as uow:
        assert uow.sources.list_for_user("alice") == []
        for number in (1, 2):
            tallied = uow.estimates.tally(f"source-{number:06d}", DEFAULT_BAND_SCHEME)
            assert tallied.estimate_count == 0


def test_the_whole_flow_runs_on_every_backend(store: UnitOfWorkFactory) -> None:
    model = FakeModel()
    orchestrator = Orchestrator(
        uow_factory=store, model=model, clock=FixedClock(), ids=SequentialIds()
    )
    source_id = orchestrator.ingest_estimates(user_id="alice", rows=rows(120), name="Q1")
    with pytest.raises(SourceNotBucketedError):
        orchestrator.run_snapshot(source_id=source_id, user_id="alice")
    buckets = orchestrator.bucket_source(source_id=source_id, user_id="alice")
    assert buckets.estimate_count == 120
    snapshot_id = orchestrator.run_snapshot(source_id=source_id, user_id="alice")
    with pytest.raises(SourceNotBucketedError):
        orchestrator.run_snapshot(source_id=source_id, user_id="alice")
    with pytest.raises(InvalidSourceError):
        orchestrator.run_snapshot(source_id=source_id, user_id="mallory")
    with pytest.raises(InvalidSnapshotError):
        orchestrator.get_snapshot(snapshot_id=snapshot_id, user_id="mallory")

    snapshot = orchestrator.get_snapshot(snapshot_id=snapshot_id, user_id="alice")
    assert snapshot.meta.estimate_count == 120
    assert snapshot.demand.price_distribution == buckets.price_distribution
    (source,) = orchestrator.list_sources(user_id="alice")
    assert (source.status, source.estimate_count, source.name) == (
        SourceStatus.SNAPSHOT_GENERATED,
        120,
        "Q1",
    )
    stats = orchestrator.run_stats(user_id="alice")
    assert (stats.runs, stats.succeeded) == (1, 1)
    assert len(model.calls) == 1


def test_a_live_claim_makes_bucketing_and_running_wait(store: UnitOfWorkFactory) -> None:
    clock = FixedClock()
    orchestrator = Orchestrator(
        uow_factory=store, model=FakeModel(), clock=clock, ids=SequentialIds()
    )
    source_id = orchestrator.ingest_estimates(user_id="alice", rows=rows(40))
    orchestrator.bucket_source(source_id=source_id, user_id="alice")
    with store() as uow:
        lease = clock.now().replace(hour=10)
        assert uow.sources.claim_for_snapshot(source_id, "alice", clock.now(), lease)
        uow.commit()
    with pytest.raises(SnapshotInProgressError):
        orchestrator.bucket_source(source_id=source_id, user_id="alice")
    with pytest.raises(SnapshotInProgressError):
        orchestrator.run_snapshot(source_id=source_id, user_id="alice")
    clock.advance(hours=1)  # the claimant died; its lease has run out
    assert orchestrator.run_snapshot(source_id=source_id, user_id="alice")
