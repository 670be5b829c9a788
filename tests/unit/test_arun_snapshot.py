"""arun_snapshot: the same use case awaited — same records, one call, no thread held."""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal

import pytest

from snapshot_adapters.fake import MISBEHAVING_MODELS, FakeModel
from snapshot_core import EstimateRow, ModelReply, Orchestrator, SnapshotError
from snapshot_core.domain import AgentInput, SnapshotInProgressError

from .test_run_snapshot import USER, World, rows, world


def _runs(w: World) -> list[tuple[int, str, str | None, int]]:
    return [(r.attempt, r.outcome.value, r.error_code, r.prompt_tokens) for r in w.store.runs]


def _both_ways(model_factory: type[FakeModel]) -> tuple[World, World]:
    sync_world, async_world = world(model_factory()), world(model_factory())
    for w in (sync_world, async_world):
        w.bucketed_source(rows())
    return sync_world, async_world


def _only_source(w: World) -> str:
    [source_id] = w.store.sources
    return source_id


@pytest.mark.parametrize(
    "model_factory",
    [FakeModel, *(model for model, _ in MISBEHAVING_MODELS.values())],
    ids=["well_behaved", *MISBEHAVING_MODELS],
)
def test_the_async_path_leaves_the_same_records_as_the_sync_path(
    model_factory: type[FakeModel],
) -> None:
    sync_world, async_world = _both_ways(model_factory)
    outcomes = []
    for w, run in (
        (sync_world, lambda o, s: o.run_snapshot(source_id=s, user_id=USER)),
        (async_world, lambda o, s: asyncio.run(o.arun_snapshot(source_id=s, user_id=USER))),
    ):
        try:
            outcomes.append(("ok", run(w.orchestrator, _only_source(w))))
        except SnapshotError as error:
            outcomes.append(("error", error.code))
    assert outcomes[0] == outcomes[1]
    assert _runs(sync_world) == _runs(async_world)
    assert len(sync_world.model.calls) == len(async_world.model.calls) == 1
    assert sync_world.status(_only_source(sync_world)) is async_world.status(
        _only_source(async_world)
    )


def test_twenty_slow_async_calls_are_in_flight_at_once_on_one_thread() -> None:
    in_flight, peak, threads = 0, 0, set()

    class Slow(FakeModel):
        async def agenerate(self, agent_input: AgentInput) -> ModelReply:
            nonlocal in_flight, peak
            threads.add(threading.get_ident())
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(1.0)
            in_flight -= 1
            return await super().agenerate(agent_input)

    w = world(Slow())
    sources = [w.bucketed_source(rows()) for _ in range(20)]

    async def all_at_once() -> list[str]:
        return await asyncio.gather(
            *(w.orchestrator.arun_snapshot(source_id=s, user_id=USER) for s in sources)
        )

    snapshot_ids = asyncio.run(all_at_once())
    assert len(set(snapshot_ids)) == 20 and len(w.model.calls) == 20
    assert peak == 20  # every call awaited together: none waited for a free thread
    assert len(threads) == 1  # the calls ran on the event loop's thread


def test_racing_async_runs_of_one_source_make_one_call() -> None:
    w = world(FakeModel(delay=0.2))
    source_id = w.bucketed_source(rows())

    async def race() -> list[object]:
        return await asyncio.gather(
            *(w.orchestrator.arun_snapshot(source_id=source_id, user_id=USER) for _ in range(10)),
            return_exceptions=True,
        )

    results = asyncio.run(race())
    assert len(w.model.calls) == 1
    assert sum(isinstance(r, str) for r in results) == 1
    assert all(isinstance(r, SnapshotInProgressError) for r in results if not isinstance(r, str))


def test_a_model_without_agenerate_runs_in_a_worker_thread_with_the_same_rules() -> None:
    class SyncOnly:
        """A third-party backend that only has the sync method."""

        model_name, deadline_seconds = "sync-only", 0.0

        def __init__(self) -> None:
            self.inner = FakeModel()

        def ensure_ready(self) -> None: ...

        def generate(self, agent_input: AgentInput) -> ModelReply:
            return self.inner.generate(agent_input)

    model = SyncOnly()
    w = world()
    app = Orchestrator(
        uow_factory=w.store,
        model=model,
        clock=w.clock,
        ids=w.orchestrator.ids,
        policy=w.orchestrator.policy,
    )
    estimates = [EstimateRow(amount=Decimal(900), sent_at=w.clock.now()) for _ in range(30)]
    source_id = app.ingest_estimates(user_id=USER, rows=estimates)
    asyncio.run(app.abucket_source(source_id=source_id, user_id=USER))
    snapshot_id = asyncio.run(app.arun_snapshot(source_id=source_id, user_id=USER))
    snapshot = asyncio.run(app.aget_snapshot(snapshot_id=snapshot_id, user_id=USER))
    assert snapshot.meta.estimate_count == 30 and len(model.inner.calls) == 1
