"""The RunObserver port: told of every finished run, sync and async, and never breaks one."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import pytest

from snapshot_adapters.fake import MISBEHAVING_MODELS, FakeModel
from snapshot_core import (
    AgentInput,
    DatabaseUnavailableError,
    ModelReply,
    RunOutcome,
    SnapshotError,
    SnapshotNotSavedError,
    SnapshotRun,
    UnitOfWork,
)

from .test_run_snapshot import USER, World, rows, world


class RecordingObserver:
    """Keeps what it was told, in order."""

    def __init__(self) -> None:
        self.seen: list[tuple[SnapshotRun, str | None]] = []

    def run_finished(self, run: SnapshotRun, *, requested_model: str | None) -> None:
        self.seen.append((run, requested_model))


class FailingObserver:
    def __init__(self) -> None:
        self.calls = 0

    def run_finished(self, run: SnapshotRun, *, requested_model: str | None) -> None:
        self.calls += 1
        raise RuntimeError("exporter down")


def _observed(w: World, observer: object) -> World:
    return replace(w, orchestrator=replace(w.orchestrator, observer=observer))


def _run(w: World, source_id: str, *, awaited: bool) -> str:
    if awaited:
        return asyncio.run(w.orchestrator.arun_snapshot(source_id=source_id, user_id=USER))
    return w.orchestrator.run_snapshot(source_id=source_id, user_id=USER)


@pytest.mark.parametrize("awaited", [False, True], ids=["sync", "async"])
def test_the_observer_is_told_of_a_successful_run_as_it_was_stored(awaited: bool) -> None:
    observer = RecordingObserver()
    w = _observed(world(), observer)
    snapshot_id = _run(w, w.bucketed_source(rows()), awaited=awaited)
    [stored] = w.store.runs
    assert observer.seen == [(stored, FakeModel.model_name)]
    assert stored.outcome is RunOutcome.SUCCEEDED and stored.snapshot_id == snapshot_id


@pytest.mark.parametrize("awaited", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(
    ("model_class", "code"), MISBEHAVING_MODELS.values(), ids=list(MISBEHAVING_MODELS)
)
def test_the_observer_is_told_of_each_kind_of_failed_run(
    model_class: type[FakeModel], code: str, awaited: bool
) -> None:
    observer = RecordingObserver()
    w = _observed(world(model_class()), observer)
    with pytest.raises(SnapshotError) as raised:
        _run(w, w.bucketed_source(rows()), awaited=awaited)
    assert raised.value.code == code
    [stored] = w.store.runs
    assert observer.seen == [(stored, FakeModel.model_name)]
    assert (stored.outcome, stored.error_code) == (RunOutcome.FAILED, code)


@pytest.mark.parametrize("awaited", [False, True], ids=["sync", "async"])
def test_an_observer_that_raises_is_logged_and_the_run_goes_on(
    awaited: bool, caplog: pytest.LogCaptureFixture
) -> None:
    observer = FailingObserver()
    w = _observed(world(), observer)
    with caplog.at_level(logging.ERROR, logger="snapshot_core"):
        snapshot_id = _run(w, w.bucketed_source(rows()), awaited=awaited)
    assert observer.calls == 1
    assert w.orchestrator.get_snapshot(snapshot_id=snapshot_id, user_id=USER)
    assert [r.outcome for r in w.store.runs] == [RunOutcome.SUCCEEDED]
    [record] = caplog.records
    assert "run observer FailingObserver failed on run" in record.getMessage()
    assert record.exc_info and "exporter down" in str(record.exc_info[1])


def test_a_failed_run_raises_its_own_error_even_when_the_observer_raises() -> None:
    refusing, code = MISBEHAVING_MODELS["refusal"]
    w = _observed(world(refusing()), FailingObserver())
    with pytest.raises(SnapshotError) as raised:
        _run(w, w.bucketed_source(rows()), awaited=False)
    assert raised.value.code == code


class HolderDied(BaseException):
    """Stands for a process killed mid-call: nothing after the call runs."""


class DiesOnce(FakeModel):
    """Its first caller dies during the call (the run stays `calling`); later calls answer."""

    def generate(self, agent_input: AgentInput) -> ModelReply:
        reply = super().generate(agent_input)
        if len(self.calls) == 1:
            raise HolderDied
        return reply


def test_a_run_found_abandoned_is_reported_by_the_attempt_that_takes_over() -> None:
    observer = RecordingObserver()
    w = _observed(world(DiesOnce(), lease_seconds=300), observer)
    source_id = w.bucketed_source(rows())
    with pytest.raises(HolderDied):
        _run(w, source_id, awaited=False)
    assert observer.seen == []  # still `calling`: nothing is known yet
    w.clock.advance(seconds=301)
    _run(w, source_id, awaited=False)
    told = [(run.attempt, run.outcome) for run, _ in observer.seen]
    assert told == [(1, RunOutcome.ABANDONED), (2, RunOutcome.SUCCEEDED)]
    assert [run for run, _ in observer.seen] == sorted(w.store.runs, key=lambda r: r.attempt)


def test_a_run_whose_snapshot_could_not_be_saved_is_reported_with_its_reply_kept() -> None:
    observer = RecordingObserver()
    w = _observed(world(save_wait_seconds=0), observer)
    source_id = w.bucketed_source(rows())

    def snapshot_writes_fail() -> UnitOfWork:
        uow = w.store()

        def unavailable(*args: object) -> None:
            raise DatabaseUnavailableError("disk full")

        uow.snapshots.add = unavailable  # type: ignore[method-assign]
        return uow

    w = replace(w, orchestrator=replace(w.orchestrator, uow_factory=snapshot_writes_fail))
    with pytest.raises(SnapshotNotSavedError):
        _run(w, source_id, awaited=False)
    [stored] = w.store.runs
    assert stored.error_code == "snapshot_not_saved" and stored.reply_json
    assert observer.seen == [(stored, FakeModel.model_name)]
