"""Snapshots per second through Celery workers, against the ideal for the model's latency.

    .venv/bin/python benchmarks/bench_jobs.py

Real Redis broker, real worker processes (threads pool), PostgreSQL storage (a throw-away
database), the fake model answering after LATENCY seconds. For each workers x threads, the
sources are enqueued once the workers are ready and the clock stops when storage shows every
source snapshotted. The ideal is concurrent calls / latency snapshots per second; the ratio
measured / ideal is what the figures in docs/benchmarks.md state. A run with a 0 s model
gives the queue and storage overhead per snapshot (one worker, 8 threads).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the job tests' harness: workers, a private Redis database

from tests.contract.databases import temporary_postgres_database  # noqa: E402
from tests.integration.jobs.world import JobWorld, job_world, wait_until  # noqa: E402

LATENCY = 1.0
SETUPS = [(1, 8), (2, 8), (2, 16), (4, 16)]
# workers x threads: 8 to 64 concurrent calls
ROUNDS = 4  # sources = ROUNDS x concurrent calls: each slot makes ROUNDS calls
ENV = {
    "SNAPSHOT_LLM_TIMEOUT": "2",
    "SNAPSHOT_LEASE_SECONDS": "13",
    "SNAPSHOT_VISIBILITY_TIMEOUT": "15",
}


def _ready(world: JobWorld, workers: int) -> bool:
    return world.log_text().count(" ready.") >= workers


def measure(world: JobWorld, workers: int, threads: int, latency: float, rounds: int) -> float:
    """Seconds from the first enqueue to the last source snapshotted."""
    for _ in range(workers):
        world.start_worker(concurrency=threads, SNAPSHOT_TEST_FAKE_DELAY=str(latency), **ENV)
    wait_until(lambda: _ready(world, workers), 60, "workers ready")
    queue = world.queue()
    # Warm-up, not timed: each worker process builds its orchestrator (engine, migration
    # check, model) at its first task, a fixed cost that is not throughput.
    warm = world.seed(workers * threads, user_id="warm-up")
    for source_id in warm:
        queue.enqueue(source_id=source_id, user_id="warm-up")
    wait_until(lambda: world.all_generated(warm, "warm-up"), 120, "warm-up done")
    ids = world.seed(workers * threads * rounds)
    started = time.monotonic()
    for source_id in ids:
        queue.enqueue(source_id=source_id, user_id="alice")
    wait_until(lambda: world.all_generated(ids), 600, "every source snapshotted")
    elapsed = time.monotonic() - started
    runs = world.runs()  # alice's: the timed sources only
    assert len(runs) == len(ids), f"{len(runs)} model calls for {len(ids)} sources"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument(
        "--setups",
        default=",".join(f"{w}x{t}" for w, t in SETUPS),
        help="workers x threads to measure, e.g. 1x8,2x32",
    )
    options = parser.parse_args()
    setups = [tuple(int(n) for n in setup.split("x")) for setup in options.setups.split(",")]
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"model latency {LATENCY:g} s, {options.rounds} calls per concurrent slot")
    print("| workers x threads | calls at once | sources | seconds | snapshots/s | ideal | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for workers, threads in setups:
        with (
            temporary_postgres_database("snapshot_bench") as url,
            tempfile.TemporaryDirectory() as tmp,
            job_world(url.render_as_string(hide_password=False), None, Path(tmp)) as world,
        ):
            slots = workers * threads
            seconds = measure(world, workers, threads, LATENCY, options.rounds)
            rate, ideal = slots * options.rounds / seconds, slots / LATENCY
            print(
                f"| {workers} x {threads} | {slots} | {slots * options.rounds} | {seconds:.2f} "
                f"| {rate:.1f} | {ideal:.0f} | {rate / ideal:.0%} |"
            )
    with (
        temporary_postgres_database("snapshot_bench") as url,
        tempfile.TemporaryDirectory() as tmp,
        job_world(url.render_as_string(hide_password=False), None, Path(tmp)) as world,
    ):
        count = 200
        direct_ids = world.seed(count, user_id="direct")
        orchestrator = world.orchestrator()
        orchestrator.run_snapshot(source_id=world.seed(1, user_id="direct")[0], user_id="direct")
        started = time.monotonic()
        for source_id in direct_ids:
            orchestrator.run_snapshot(source_id=source_id, user_id="direct")
        direct = (time.monotonic() - started) / count
        queued = measure(world, 1, 1, 0.0, count) / count
        print(f"overhead, 0 s model, {count} snapshots one at a time, same PostgreSQL:")
        print(f"  run_snapshot called directly: {direct * 1000:.1f} ms per snapshot")
        print(f"  through Celery (1 worker x 1 thread): {queued * 1000:.1f} ms per snapshot")
        print(f"  queue overhead: {(queued - direct) * 1000:.1f} ms per snapshot")


if __name__ == "__main__":
    main()
