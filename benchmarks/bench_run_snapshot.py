"""Median overhead of run_snapshot with the fake model (everything but the model's own latency).

    .venv/bin/python benchmarks/bench_run_snapshot.py --backend memory --snapshots 2000
    .venv/bin/python benchmarks/bench_run_snapshot.py --backend sqlite --snapshots 1000
    .venv/bin/python benchmarks/bench_run_snapshot.py --backend postgres --snapshots 1000

Each snapshot gets its own source (ingested and bucketed beforehand, not timed), so the
timed call is exactly one claim -> model call -> validation -> save, as in production.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from snapshot_adapters.fake import FakeModel, synthetic_estimates
from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.system import SystemClock, UuidIds
from snapshot_core import Orchestrator

USER = "bench-user"


class _TimedFakeModel(FakeModel):
    """The fake model, timing its own calls: its CPU (writing the template narrative) is the
    model's latency, which the promise leaves out; the total above still includes it."""

    def __init__(self) -> None:
        super().__init__()
        self.call_ms: list[float] = []

    def generate(self, agent_input):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return super().generate(agent_input)
        finally:
            self.call_ms.append((time.perf_counter() - started) * 1000)


def _store(backend: str, workdir: Path):  # type: ignore[no-untyped-def]
    if backend == "memory":
        return MemoryStore()
    from snapshot_adapters.sql import create_sql_store

    if backend == "sqlite":
        return create_sql_store(f"sqlite:///{workdir / 'bench.db'}")
    url = os.environ.get(
        "SNAPSHOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    from snapshot_adapters.sql import upgrade_database

    upgrade_database(url)
    return create_sql_store(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["memory", "sqlite", "postgres"], default="memory")
    parser.add_argument("--snapshots", type=int, default=1000)
    parser.add_argument("--estimates", type=int, default=400)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = _store(args.backend, Path(tmp))
        model = _TimedFakeModel()
        orchestrator = Orchestrator(
            uow_factory=store, model=model, clock=SystemClock(), ids=UuidIds()
        )
        rows = list(synthetic_estimates(args.estimates))
        sources = []
        for _ in range(args.snapshots):
            source_id = orchestrator.ingest_estimates(user_id=USER, rows=rows)
            orchestrator.bucket_source(source_id=source_id, user_id=USER)
            sources.append(source_id)

        timings = []
        for source_id in sources:
            started = time.perf_counter()
            orchestrator.run_snapshot(source_id=source_id, user_id=USER)
            timings.append((time.perf_counter() - started) * 1000)
        if hasattr(store, "dispose"):
            store.dispose()

    timings_in_order = list(timings)
    timings.sort()
    print(f"backend={args.backend} snapshots={args.snapshots} estimates/source={args.estimates}")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    median, p95 = statistics.median(timings), timings[int(0.95 * len(timings))]
    print(f"median {median:.3f} ms  p95 {p95:.3f} ms  min {timings[0]:.3f} ms")
    # Per snapshot, the total less that snapshot's fake-model call, then the median.
    net = sorted(t - m for t, m in zip(timings_in_order, model.call_ms, strict=True))
    print(
        f"of which the fake model's call: median {statistics.median(model.call_ms):.3f} ms; "
        f"without it: median {statistics.median(net):.3f} ms"
    )


if __name__ == "__main__":
    main()
