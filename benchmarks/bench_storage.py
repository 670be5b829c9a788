"""Storage benchmark: bulk ingest, pushed-down bucketing, and run_snapshot overhead.

    .venv/bin/python benchmarks/bench_storage.py --backend postgres
    .venv/bin/python benchmarks/bench_storage.py --backend sqlite
    .venv/bin/python benchmarks/bench_storage.py --backend postgres --rows 1000000 --snapshots 1000

1. ingest: ``add_many`` of N pre-built ``EstimateRow`` objects (file parsing excluded) in one
   unit of work, commit included; before that, the same ingest streamed from a generator,
   with the growth of peak RSS (memory stays flat: rows are consumed in batches).
2. bucketing: the ``bucket_source`` use case on that N-row source (tally in the database,
   buckets saved, status set): first right after the ingest, then the median of 5.
3. run_snapshot overhead: the median, over M snapshots, of ``run_snapshot`` time minus the
   time spent inside the model (``FakeModel``, no delay); the source is re-bucketed
   (untimed) between snapshots.

PostgreSQL: a database ``snapshot_bench_storage_<random>`` is created from
SNAPSHOT_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test),
migrated, and dropped at the end. SQLite: a file in a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from snapshot_adapters.fake import FakeModel, FixedClock, SequentialIds, synthetic_estimates
from snapshot_adapters.sql import SqlStore, create_sql_store, upgrade_database
from snapshot_core import Orchestrator
from snapshot_core.domain import AgentInput, ModelReply, RunPolicy, Source

USER = "bench-user"
DEFAULT_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class TimedModel(FakeModel):
    """The fake model, keeping the time spent inside it (subtracted from the overhead)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds = 0.0

    def generate(self, agent_input: AgentInput) -> ModelReply:
        started = time.perf_counter()
        try:
            return super().generate(agent_input)
        finally:
            self.seconds += time.perf_counter() - started


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{Path(directory) / 'bench.db'}"
        return
    admin_url = make_url(os.environ.get("SNAPSHOT_TEST_POSTGRES_URL") or DEFAULT_ADMIN)
    name = f"snapshot_bench_storage_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ingest(store: SqlStore, source_id: str, rows: object) -> float:
    started = time.perf_counter()
    with store() as uow:
        uow.sources.add(Source(source_id=source_id, user_id=USER, created_at=datetime.now(UTC)))
        uow.estimates.add_many(source_id, rows)  # type: ignore[arg-type]
        uow.commit()
    return time.perf_counter() - started


def bench_ingest_and_bucket(store: SqlStore, rows: int) -> None:
    before = max_rss_mb()
    streamed = ingest(store, str(uuid.uuid4()), synthetic_estimates(rows, seed=1))
    print(
        f"ingest streamed from a generator (making the rows included): {streamed:.2f} s, "
        f"peak RSS grew {max_rss_mb() - before:.0f} MB"
    )
    prebuilt = list(synthetic_estimates(rows, seed=2))
    source_id = str(uuid.uuid4())  # realistic width: ids are UUIDs in production
    seconds = ingest(store, source_id, prebuilt)
    print(f"ingest {rows:,} pre-built rows: {seconds:.2f} s ({rows / seconds:,.0f} rows/s)")
    del prebuilt

    app = Orchestrator(
        uow_factory=store, model=FakeModel(), clock=FixedClock(), ids=SequentialIds()
    )
    timings = []
    for _ in range(6):
        started = time.perf_counter()
        buckets = app.bucket_source(source_id=source_id, user_id=USER)
        timings.append(time.perf_counter() - started)
    assert buckets.estimate_count == rows
    print(f"bucket_source on {rows:,} estimates: first (right after ingest) {timings[0]:.3f} s,")
    print(f"  then median of 5 {statistics.median(timings[1:]):.3f} s (min {min(timings[1:]):.3f})")


def bench_run_overhead(store: SqlStore, snapshots: int) -> None:
    model = TimedModel()
    app = Orchestrator(
        uow_factory=store,
        model=model,
        clock=FixedClock(),
        ids=SequentialIds(),
        policy=RunPolicy(),
    )
    source_id = app.ingest_estimates(user_id=USER, rows=synthetic_estimates(300, seed=3))
    overheads = []
    for _ in range(snapshots + 20):
        app.bucket_source(source_id=source_id, user_id=USER)
        in_model = model.seconds
        started = time.perf_counter()
        app.run_snapshot(source_id=source_id, user_id=USER)
        elapsed = time.perf_counter() - started
        overheads.append(elapsed - (model.seconds - in_model))
    measured = sorted(overheads[20:])  # the first 20 warm caches and the pool up
    p95 = measured[int(len(measured) * 0.95)]
    print(
        f"run_snapshot overhead over {snapshots} snapshots: median "
        f"{statistics.median(measured) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"
    )


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    pages = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    memory = f"{pages / 1024**3:.0f} GiB RAM"
    return f"{os.cpu_count()} CPUs ({model}), {memory}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--snapshots", type=int, default=1000)
    args = parser.parse_args()
    print(f"{args.backend} on {machine()}")
    with database(args.backend) as url:
        store = create_sql_store(url)
        try:
            if args.backend == "postgres":
                with store.engine.connect() as connection:
                    print(connection.execute(text("SELECT version()")).scalar_one().split(",")[0])
            bench_ingest_and_bucket(store, args.rows)
            bench_run_overhead(store, args.snapshots)
        finally:
            store.dispose()


if __name__ == "__main__":
    main()
