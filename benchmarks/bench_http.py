"""Load on `snapshot serve`'s app over loopback: reads, and snapshots on the async path.

    .venv/bin/python benchmarks/bench_http.py                # 50 readers for 20 s, 20 snapshots
    .venv/bin/python benchmarks/bench_http.py --seconds 5    # a shorter run

One uvicorn worker process (a subprocess) serves the app on 127.0.0.1 over memory storage and
a fake model that takes ``--model-delay`` seconds (1 s) per call. Measured side by side in
one run: (1) ``--readers`` concurrent clients on GET /v1/snapshots/{id} for ``--seconds``,
beside the same clients on GET /healthz (no auth, no storage) for a quarter of that time, as
the ratio; (2) ``--snapshots`` concurrent POST /v1/sources/{id}/snapshots, whose wall time
against the model's own delay says how many calls the one process held in flight at once.
Any non-2xx answer or transport error is counted and fails the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import httpx2 as httpx

USER = "bench-user"


def serve(port: int, sources: int, delay: float) -> None:
    """The server process: seed data, print what the clients need, serve until killed."""
    import uvicorn

    from snapshot_adapters import build_orchestrator
    from snapshot_adapters.fake import FakeModel, synthetic_estimates
    from snapshot_adapters.http import create_app
    from snapshot_adapters.memory import MemoryStore
    from snapshot_adapters.settings import load_settings

    orchestrator = build_orchestrator(
        load_settings(llm="fake"), model=FakeModel(delay=delay, keep=10), storage=MemoryStore()
    )
    ids = []
    for seed in range(sources + 1):
        rows = synthetic_estimates(200, seed=seed)
        source_id = orchestrator.ingest_estimates(user_id=USER, rows=rows)
        orchestrator.bucket_source(source_id=source_id, user_id=USER)
        ids.append(source_id)
    fast = FakeModel()  # the snapshot read by the readers is made without the delay
    quick = build_orchestrator(
        load_settings(llm="fake"), model=fast, storage=orchestrator.uow_factory
    )
    snapshot_id = quick.run_snapshot(source_id=ids.pop(), user_id=USER)
    key = orchestrator.create_api_key(user_id=USER).token
    print(json.dumps({"key": key, "sources": ids, "snapshot_id": snapshot_id}), flush=True)
    uvicorn.run(create_app(orchestrator), host="127.0.0.1", port=port, log_level="warning")


def _summary(latencies: list[float], seconds: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "per_second": len(ordered) / seconds,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
    }


async def _hammer(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], clients: int, seconds: float
) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def one_client() -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                answer = await client.get(url, headers=headers)
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += not ok

    await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies, errors


async def measure(base: str, seed: dict, args: argparse.Namespace) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {seed['key']}"}
    limits = httpx.Limits(max_connections=args.readers + args.snapshots)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        health, health_errors = await _hammer(
            client, "/healthz", {}, args.readers, args.seconds / 4
        )
        reads, read_errors = await _hammer(
            client, f"/v1/snapshots/{seed['snapshot_id']}", headers, args.readers, args.seconds
        )
        started = time.perf_counter()
        made = await asyncio.gather(
            *(
                client.post(f"/v1/sources/{s}/snapshots", headers=headers)
                for s in seed["sources"][: args.snapshots]
            ),
            return_exceptions=True,
        )
        wall = time.perf_counter() - started
    made_errors = sum(
        1 for answer in made if isinstance(answer, BaseException) or answer.status_code != 201
    )
    read = _summary(reads, args.seconds)
    baseline = _summary(health, args.seconds / 4)
    return {
        "reads": read,
        "healthz": baseline,
        "reads_vs_healthz": read["per_second"] / baseline["per_second"],
        "snapshots": args.snapshots,
        "snapshots_wall_s": wall,
        "snapshots_in_flight": args.snapshots * args.model_delay / wall,
        "wall_vs_ideal": wall / args.model_delay,
        "errors": read_errors + health_errors + made_errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--snapshots", type=int, default=20)
    parser.add_argument("--model-delay", type=float, default=1.0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.port, args.snapshots, args.model_delay)
        return
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            "--port",
            str(port),
            "--snapshots",
            str(args.snapshots),
            "--model-delay",
            str(args.model_delay),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))},
    )
    try:
        assert server.stdout is not None
        seed = json.loads(server.stdout.readline())
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        result = asyncio.run(measure(base, seed, args))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    print(json.dumps(result, indent=2))
    if result["errors"]:
        sys.exit(f"{result['errors']} requests failed")


if __name__ == "__main__":
    main()
