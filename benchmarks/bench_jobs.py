"""Snapshots per second through Celery workers, against the ideal for the model's latency.

    .venv/bin/python benchmarks/bench_jobs.py

Real Redis broker, real worker processes (threads pool), PostgreSQL storage (a throw-away
database), and the model: by default the OpenAI backend (the ``openai`` SDK through
``OpenAIChatModel``, configured by settings only) against the local Chat Completions test
server, in a process of its own, answering every call after LATENCY seconds; with
``--model fake`` the in-process fake model sleeping LATENCY seconds instead (``server,fake``
measures both, side by side, each setup in turn). Every run checks one model call per source:
one run stored per source, and, with the server, one chat completion received per source.

For each workers x threads, the sources are enqueued once the workers are ready; the time is
from the first enqueue to the last run finished in storage (its ``finished_at``, so the
polling interval adds nothing). The ideal is concurrent calls / latency snapshots per second;
the ratio measured / ideal is what the figures in docs/benchmarks.md state. The benchmark
shares the machine with the workers, so it polls cheaply: one COUNT query every 0.5 s on one
connection.

A run with a 0 s model gives the cost of each snapshot beside the call, one at a time: wall
ms, and CPU ms of the process that makes it (this process for ``run_snapshot`` called
directly; the worker process, from /proc, through Celery), of the PostgreSQL server processes
serving the benchmark's database, and of the test server.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the job tests' harness: workers, a private Redis database

from tests.contract.databases import temporary_postgres_database  # noqa: E402
from tests.integration.jobs.slow_chat import SlowChatProcess  # noqa: E402
from tests.integration.jobs.world import JobWorld, job_world, wait_until  # noqa: E402

from snapshot_adapters import build_orchestrator  # noqa: E402
from snapshot_adapters.sql.schema import runs, sources  # noqa: E402

LATENCY = 1.0
SETUPS = [(1, 8), (2, 8), (2, 16), (4, 16)]
# workers x threads: 8 to 64 concurrent calls
ROUNDS = 4  # sources = ROUNDS x concurrent calls: each slot makes ROUNDS calls
POLL_SECONDS = 0.5
ENV = {
    "SNAPSHOT_LLM_TIMEOUT": "2",
    "SNAPSHOT_LEASE_SECONDS": "13",
    "SNAPSHOT_VISIBILITY_TIMEOUT": "15",
}
MODELS = ("server", "fake")
TEST_KEY = "sk-test-bench-0000000000000000"
_TICKS = os.sysconf("SC_CLK_TCK")


class Storage:
    """The benchmark's own reads: one pooled connection, two small queries."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url, pool_size=1)

    def generated(self, user_id: str) -> int:
        query = select(func.count()).where(
            sources.c.user_id == user_id, sources.c.status == "snapshot_generated"
        )
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def last_finished(self, user_id: str) -> datetime:
        query = select(func.max(runs.c.finished_at)).where(runs.c.user_id == user_id)
        with self.engine.connect() as connection:
            value: datetime = connection.execute(query).scalar_one()
        return value

    def finish_times(self, user_id: str) -> list[datetime]:
        query = select(runs.c.finished_at).where(runs.c.user_id == user_id)
        with self.engine.connect() as connection:
            return sorted(connection.execute(query).scalars())

    def runs(self, user_id: str) -> int:
        query = select(func.count()).where(runs.c.user_id == user_id)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def database_cpu_seconds(self) -> float:
        """CPU of the PostgreSQL processes serving this database, this process's excepted."""
        query = text(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        with self.engine.connect() as connection:
            pids = [row[0] for row in connection.execute(query)]
        return sum(_cpu_seconds(pid) for pid in pids)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _ready(world: JobWorld, workers: int) -> bool:
    return world.log_text().count(" ready.") >= workers


def _wait_generated(storage: Storage, user_id: str, count: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while storage.generated(user_id) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:g} s: {count} sources of {user_id}")
        time.sleep(POLL_SECONDS)


def steady_rate(finished: list[datetime], slots: int) -> float | None:
    """Snapshots per second between the end of the first round and the end of the last but
    one (the sustained rate, without the start, where every slot begins at once, and the
    end); ``None`` with fewer than three rounds."""
    rounds = len(finished) // slots
    if rounds < 3:
        return None
    first, last = finished[slots - 1], finished[(rounds - 1) * slots - 1]
    return (rounds - 2) * slots / (last - first).total_seconds()


@dataclass(frozen=True)
class Model:
    """The workers' model: the OpenAI backend against ``server``, or the fake (``server`` None)."""

    name: str
    latency: float
    server: SlowChatProcess | None = None

    def settings(self) -> dict[str, str]:
        """The workers' environment for this model (settings only for the OpenAI backend)."""
        if self.server is None:
            return {"SNAPSHOT_TEST_FAKE_DELAY": str(self.latency)}
        base_url, key = self.server.base_url, TEST_KEY
        return {"SNAPSHOT_LLM": "openai", "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": key}

    def received(self) -> int | None:
        """Chat completions the server has received (``None`` for the fake)."""
        return None if self.server is None else self.server.chat_requests()

    def cpu_seconds(self) -> float:
        return 0.0 if self.server is None else _cpu_seconds(self.server.pid)


@contextmanager
def model_for(name: str, latency: float) -> Iterator[Model]:
    if name == "fake":
        yield Model(name, latency)
        return
    with SlowChatProcess(latency) as server:
        yield Model(name, latency, server)


@dataclass(frozen=True)
class Measured:
    """One timed run: seconds, and CPU seconds of the workers, PostgreSQL and the server."""

    seconds: float
    worker_cpu: float
    database_cpu: float
    server_cpu: float


def measure(
    world: JobWorld, storage: Storage, workers: int, threads: int, model: Model, rounds: int
) -> Measured:
    """From the first enqueue to the last run finished, with the CPU spent over that time;
    checks that each source made one model call."""
    for _ in range(workers):
        world.start_worker(concurrency=threads, **model.settings(), **ENV)
    wait_until(lambda: _ready(world, workers), 60, "workers ready")
    queue = world.queue()
    # Warm-up, not timed: each worker process builds its orchestrator (engine, migration
    # check, model) at its first task, a fixed cost that is not throughput.
    warm = world.seed(workers * threads, user_id="warm-up")
    queue.enqueue_many((source_id, "warm-up") for source_id in warm)
    _wait_generated(storage, "warm-up", len(warm), 120)
    ids = world.seed(workers * threads * rounds)
    pids = [process.pid for process in world.workers[-workers:]]
    cpu_before = sum(_cpu_seconds(pid) for pid in pids)
    server_before, received_before = model.cpu_seconds(), model.received()
    database_before = storage.database_cpu_seconds()
    started = datetime.now(UTC)
    queue.enqueue_many((source_id, "alice") for source_id in ids)  # as `snapshot run-all` does
    _wait_generated(storage, "alice", len(ids), 600)
    cpu = sum(_cpu_seconds(pid) for pid in pids) - cpu_before
    server = model.cpu_seconds() - server_before
    database = storage.database_cpu_seconds() - database_before
    elapsed = (storage.last_finished("alice") - started).total_seconds()
    calls = storage.runs("alice")  # the timed sources only
    assert calls == len(ids), f"{calls} runs stored for {len(ids)} sources"
    received = model.received()
    if received is not None and received_before is not None:
        sent = received - received_before
        assert sent == len(ids), f"the server received {sent} calls for {len(ids)} sources"
    return Measured(elapsed, cpu, database, server)


@contextmanager
def bench_world() -> Iterator[tuple[JobWorld, Storage]]:
    """A throw-away database, Redis database and queue, and the benchmark's reader."""
    with (
        temporary_postgres_database("snapshot_bench") as url,
        tempfile.TemporaryDirectory() as tmp,
        job_world(url.render_as_string(hide_password=False), None, Path(tmp)) as world,
    ):
        storage = Storage(url.render_as_string(hide_password=False))
        try:
            yield world, storage
        finally:
            storage.engine.dispose()


def overhead(count: int, name: str) -> None:
    """The cost of a snapshot beside a 0 s call, one at a time: direct, then through Celery."""
    with model_for(name, 0.0) as model, bench_world() as (world, storage):
        direct_ids = world.seed(count, user_id="direct")
        settings = {k.removeprefix("SNAPSHOT_").lower(): v for k, v in model.settings().items()}
        settings.pop("test_fake_delay", None)  # the direct fake answers at once already
        orchestrator = build_orchestrator(world.settings(**settings))
        for source_id in world.seed(20, user_id="direct-warm-up"):
            orchestrator.run_snapshot(source_id=source_id, user_id="direct-warm-up")
        server_before, database_before = model.cpu_seconds(), storage.database_cpu_seconds()
        cpu_before, started = time.process_time(), time.monotonic()
        for source_id in direct_ids:
            orchestrator.run_snapshot(source_id=source_id, user_id="direct")
        direct = (time.monotonic() - started) / count
        direct_cpu = (time.process_time() - cpu_before) / count
        direct_database = (storage.database_cpu_seconds() - database_before) / count
        direct_server = (model.cpu_seconds() - server_before) / count
        orchestrator.uow_factory.dispose()  # type: ignore[attr-defined]
        queued = measure(world, storage, 1, 1, model, count)
    print(f"overhead, {name} model, 0 s, {count} snapshots one at a time (ms each):")
    print("| path | wall | CPU of the process | CPU of PostgreSQL | CPU of the server |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| run_snapshot called directly | {direct * 1000:.1f} | {direct_cpu * 1000:.1f} "
        f"| {direct_database * 1000:.1f} | {direct_server * 1000:.1f} |"
    )
    print(
        f"| through Celery, 1 worker x 1 thread | {queued.seconds / count * 1000:.1f} "
        f"| {queued.worker_cpu / count * 1000:.1f} | {queued.database_cpu / count * 1000:.1f} "
        f"| {queued.server_cpu / count * 1000:.1f} |"
    )
    print(f"queue overhead (wall): {(queued.seconds / count - direct) * 1000:.1f} ms per snapshot")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument(
        "--setups",
        default=",".join(f"{w}x{t}" for w, t in SETUPS),
        help="workers x threads to measure, e.g. 1x8,2x32 (none: only the overhead)",
    )
    parser.add_argument(
        "--model",
        default=MODELS[0],
        help="server (the OpenAI backend against the local test server), fake (the in-process "
        "fake model), or both, comma-separated: measured side by side, each setup in turn",
    )
    parser.add_argument("--overhead", type=int, default=200, help="snapshots (0: skip)")
    parser.add_argument(
        "--redis-steps",
        type=int,
        default=0,
        help="jobs whose Redis steps a worker makes are timed alone, two ways alternated (0: skip)",
    )
    options = parser.parse_args()
    setups = [tuple(int(n) for n in s.split("x")) for s in options.setups.split(",") if s]
    names = [name.strip() for name in options.model.split(",")]
    if not names or any(name not in MODELS for name in names):
        parser.error(f"--model: {options.model!r} is not a list of {', '.join(MODELS)}")
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"load average at start: {', '.join(f'{n:.2f}' for n in os.getloadavg())}")
    if setups:
        with ExitStack() as stack:
            models = [stack.enter_context(model_for(name, LATENCY)) for name in names]
            throughput(setups, models, options.rounds)
    if options.overhead:
        for name in names:
            overhead(options.overhead, name)
    if options.redis_steps:
        redis_steps(options.redis_steps)
    print(f"load average at end: {', '.join(f'{n:.2f}' for n in os.getloadavg())}")


def throughput(setups: list[tuple[int, ...]], models: list[Model], rounds: int) -> None:
    print(f"model latency {LATENCY:g} s, {rounds} calls per concurrent slot")
    print(
        "| model | workers x threads | calls at once | sources | seconds | snapshots/s | ideal "
        "| ratio | steady ratio | worker CPU ms/snapshot | server CPU ms/call |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for workers, threads in setups:
        for model in models:
            with bench_world() as (world, storage):
                slots = workers * threads
                run = measure(world, storage, workers, threads, model, rounds)
                made = slots * rounds
                rate, ideal = made / run.seconds, slots / LATENCY
                steady = steady_rate(storage.finish_times("alice"), slots)
                server = "–" if model.server is None else f"{run.server_cpu / made * 1000:.2f}"
                print(
                    f"| {model.name} | {workers} x {threads} | {slots} | {made} "
                    f"| {run.seconds:.2f} | {rate:.1f} | {ideal:.0f} | {rate / ideal:.0%} "
                    f"| {'–' if steady is None else f'{steady / ideal:.0%}'} "
                    f"| {run.worker_cpu / made * 1000:.1f} | {server} |",
                    flush=True,
                )


def redis_steps(count: int, repeats: int = 5) -> None:
    """A task's Redis steps without a budget, alone (no Celery, no storage, no model), timed
    in this process: one step each (read, hold, running, final state, release: 5 round trips)
    against the merged scripts the task makes (begin, final state letting go: 2), alternated."""
    from redis import Redis
    from tests.integration.jobs.world import _redis_database

    from snapshot_adapters.jobs import JobStates

    def separate(states: JobStates, job_id: str, owner: tuple[str, str]) -> None:
        states.read(job_id)
        token, _ = states.hold(job_id, 13)
        states.update(job_id, owner=owner, state="running")
        states.update(job_id, owner=owner, state="succeeded", snapshot_id="s", error_code=None)
        states.release(job_id, token or "")

    def merged(states: JobStates, job_id: str, owner: tuple[str, str]) -> None:
        begun = states.begin(job_id, delivery=0, owner=owner, hold_seconds=13, mark_running=True)
        states.update(
            job_id, owner=owner, release=begun.token, state="succeeded", snapshot_id="s",
            error_code=None,
        )  # fmt: skip

    timings: dict[str, list[tuple[float, float]]] = {"separate": [], "merged": []}
    with _redis_database() as url:
        states = JobStates(Redis.from_url(url))
        for repeat in range(repeats):
            for name, steps in (("separate", separate), ("merged", merged)):
                owners = [("alice", f"{name}-{repeat}-{n}") for n in range(count)]
                jobs = [states.open(source_id=s, user_id=u)[0] for u, s in owners]
                cpu, wall = time.process_time(), time.monotonic()
                for job_id, owner in zip(jobs, owners, strict=True):
                    steps(states, job_id, owner)
                timings[name].append(
                    ((time.monotonic() - wall) / count, (time.process_time() - cpu) / count)
                )
    print(f"a task's Redis steps, {count} jobs x {repeats} alternated (ms per job, median):")
    print("| steps | round trips | wall | CPU of the process |")
    print("|---|---:|---:|---:|")
    for name, trips in (("separate", 5), ("merged", 2)):
        walls = sorted(w for w, _ in timings[name])
        cpus = sorted(c for _, c in timings[name])
        middle = len(walls) // 2
        print(f"| {name} | {trips} | {walls[middle] * 1000:.3f} | {cpus[middle] * 1000:.3f} |")


if __name__ == "__main__":
    main()
