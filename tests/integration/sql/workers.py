"""Code that runs in spawned worker processes (importable by name, as spawn requires)."""

from __future__ import annotations

import time
from typing import Any

from snapshot_adapters.fake import FakeModel
from snapshot_adapters.sql import create_sql_store
from snapshot_adapters.system import SystemClock, UuidIds
from snapshot_core import Orchestrator
from snapshot_core.domain import AgentInput, ModelReply, RunPolicy, SnapshotError

__all__ = ["claim_and_hang", "race_once"]


def race_once(url: str, source_id: str, user_id: str, start: Any, results: Any) -> None:
    """Wait for the start signal, run one snapshot, report (kind, detail, model calls)."""
    store = create_sql_store(url)
    model = FakeModel(delay=0.3)
    app = Orchestrator(uow_factory=store, model=model, clock=SystemClock(), ids=UuidIds())
    store.ensure_schema()  # connect and check before the start line, not after it
    start.wait(60)
    try:
        results.put(
            ("ok", app.run_snapshot(source_id=source_id, user_id=user_id), len(model.calls))
        )
    except SnapshotError as error:
        results.put(("error", error.code, len(model.calls)))
    except Exception as error:  # reported to the parent, which fails the test
        results.put(("crash", repr(error), len(model.calls)))
    finally:
        store.dispose()


class _HangingModel(FakeModel):
    """Tells the parent it has been called (so the claim is committed), then never returns."""

    def __init__(self, called: Any) -> None:
        super().__init__()
        self._called = called

    def generate(self, agent_input: AgentInput) -> ModelReply:
        self._record(agent_input)
        self._called.set()
        time.sleep(600)
        raise AssertionError("the parent kills this process long before")


def claim_and_hang(
    url: str, source_id: str, user_id: str, lease_seconds: float, called: Any
) -> None:
    store = create_sql_store(url)
    app = Orchestrator(
        uow_factory=store,
        model=_HangingModel(called),
        clock=SystemClock(),
        ids=UuidIds(),
        policy=RunPolicy(lease_seconds=lease_seconds),
    )
    app.run_snapshot(source_id=source_id, user_id=user_id)
