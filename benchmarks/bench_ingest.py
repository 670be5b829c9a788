"""Ingest + bucket of a large CSV: wall time and peak memory (RSS) of a fresh process.

    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000 --backend sqlite
    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000 --backend postgres
    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000 --backend parse-only
    .venv/bin/python benchmarks/bench_ingest.py --vs-naive --rows 200000 --repeat 5

The file is generated first (not timed): realistic exports with estimate ids, amounts
with and without `$` and thousands separators, offsets, pending decisions, and a free-text
notes column that is ignored. Then a child process — so the peak RSS (ru_maxrss) is its
own, not the generator's — ingests it with `ingest_file` into the chosen backend and
buckets it with `bucket_source`, exactly as `snapshot ingest` + `snapshot bucket` do.
`parse-only` drains the rows into a store that keeps nothing: the file layer's own share.
`--repeat N` runs N fresh children (this machine is shared: take the median).
`--ids N` ingests N rows, each with a unique estimate id, and reports the peak memory against
the target for the duplicate-id check (3,000,000 ids: peak <= 150 MB):

    .venv/bin/python benchmarks/bench_ingest.py --ids 3000000 --backend sqlite

`--vs-naive` times what a user runs, `snapshot ingest FILE` then `snapshot bucket ID` (two
CLI processes, SQLite, all validation on, the database migrated beforehand, the project's
modules byte-compiled beforehand as an installed copy's are), against
benchmarks/naive_ingest.py on the same file (plain amounts, so its float() can read it), the
two alternated run by run, and reports the median ratio of wall times and of CPU times;
and how much of it is start-up (two `snapshot --help` processes against two `python -c pass`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sized
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

USER = "bench-user"
# The server to use; the benchmark makes (and afterwards drops) its own scratch database there.
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def write_csv(path: Path, rows: int, seed: int = 7, ids: bool = True, money: bool = True) -> None:
    """A deterministic export of ``rows`` estimates (about 90 bytes a row); ``money=False``
    writes every amount plain, so a naive script's ``float()`` reads the same file."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    zones = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5)), None]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("estimate_id,amount,sent_at,decided_at,notes\n")
        for i in range(rows):
            sent = start + timedelta(seconds=rng.randrange(0, 730 * 86_400))
            cents = rng.randrange(0, 2_500_000)
            amount = f"{cents // 100}.{cents % 100:02d}"
            if money and i % 7 == 0:  # some exports write money the way people read it
                amount = f'"${cents // 100:,}.{cents % 100:02d}"'
            decided = ""
            if rng.random() < 0.8:
                later = sent + timedelta(seconds=rng.randrange(0, 45 * 86_400))
                decided = later.strftime("%Y-%m-%dT%H:%M:%SZ")
            zone = zones[i % len(zones)]  # the same instants, written in several offsets
            sent_text = (
                sent.replace(tzinfo=None).isoformat()
                if zone is None
                else (sent.astimezone(zone).isoformat())
            )
            note = f"follow up with client {i % 97}"
            ident = f"EST-{i:08d}" if ids else ""
            out.write(f"{ident},{amount},{sent_text},{decided},{note}\n")


class _Discard:
    """A unit of work that reads every row and keeps none (for ``--backend parse-only``)."""

    def __init__(self) -> None:
        self.sources = self
        self.estimates = self

    def __call__(self) -> _Discard:
        return self

    def __enter__(self) -> _Discard:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add(self, source: object) -> None: ...

    def set_status(self, *args: object, **kwargs: object) -> None: ...

    def commit(self) -> None: ...

    def add_many(self, source_id: str, rows: Iterable[object]) -> int:
        return sum(1 for _ in rows)

    def add_columns(self, source_id: str, batches: Iterable[Sized]) -> int:
        return sum(map(len, batches))


def _store(backend: str, workdir: Path, url: str | None):  # type: ignore[no-untyped-def]
    if backend == "parse-only":
        return _Discard()
    if backend == "memory":
        from snapshot_adapters.memory import MemoryStore

        return MemoryStore()
    from snapshot_adapters.sql import create_sql_store, upgrade_database

    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    assert url is not None
    upgrade_database(url)  # schema set-up is not timed
    return create_sql_store(url)


@contextlib.contextmanager
def scratch_postgres() -> Iterator[str]:
    """A fresh database on the benchmark server, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(os.environ.get("SNAPSHOT_BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    name = f"snapshot_bench_ingest_{secrets.token_hex(4)}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def child(csv_path: Path, backend: str, workdir: Path, url: str | None) -> None:
    """Runs in a fresh interpreter: ingest + bucket, then report times and peak RSS."""
    from snapshot_adapters.files import ingest_file
    from snapshot_adapters.system import SystemClock, UuidIds
    from snapshot_core.domain import RunPolicy
    from snapshot_core.use_cases import bucket_source

    imported_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    store = _store(backend, workdir, url)
    clock, ids = SystemClock(), UuidIds()
    started = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = started.ru_utime + started.ru_stime
    t0 = time.perf_counter()
    report = ingest_file(
        csv_path, uow_factory=store, ids=ids, clock=clock, user_id=USER, on_bad_rows="reject"
    )
    t1 = time.perf_counter()
    bucketed = 0
    if backend != "parse-only":
        buckets = bucket_source(
            uow_factory=store,
            clock=clock,
            policy=RunPolicy(),
            source_id=report.source_id,
            user_id=USER,
        )
        bucketed = buckets.estimate_count
    t2 = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "rows": report.stored_rows,
                "bucketed": bucketed,
                "cpu_s": round(usage.ru_utime + usage.ru_stime - cpu_before, 2),
                "ingest_s": round(t1 - t0, 2),
                "bucket_s": round(t2 - t1, 2),
                "total_s": round(t2 - t0, 2),
                "peak_rss_mb": round(usage.ru_maxrss / 1024),
                "rss_after_import_mb": round(imported_rss / 1024),
            }
        )
    )


_CPU: list[float] = [0.0]  # CPU seconds (user + system) of the last _timed child


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    cpu_before = _children_cpu()
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    _CPU[0] = _children_cpu() - cpu_before
    if result.returncode:
        sys.exit(f"{command[:3]} failed:\n{result.stderr}")
    return elapsed, result.stdout


def _compile_project() -> None:
    """Bytecode for the project's own modules, as ``pip install`` writes at install time. An
    editable checkout run with PYTHONDONTWRITEBYTECODE=1 (as here) would otherwise compile
    some ninety modules from source in every process, which no installed copy does."""
    import importlib.util

    for package in ("snapshot_core", "snapshot_adapters"):
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.submodule_search_locations is not None
        for folder in spec.submodule_search_locations:
            subprocess.run([sys.executable, "-m", "compileall", "-q", folder], check=True)


def vs_naive(rows: int, repeat: int) -> None:
    """Alternated runs: snapshot ingest + bucket vs the naive script; medians and ratio."""
    snapshot = str(Path(sys.executable).with_name("snapshot"))
    naive = str(Path(__file__).with_name("naive_ingest.py"))
    _compile_project()  # not timed: an installed copy has its bytecode
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "estimates.csv"
        write_csv(csv_path, rows, money=False)
        one_row = workdir / "one.csv"  # what both commands cost whatever the file's size
        write_csv(one_row, 1, money=False)
        print(f"{rows:,} rows, {csv_path.stat().st_size / 1e6:.0f} MB, {repeat} alternated runs")
        ours, theirs, starts, bare = [], [], [], []
        ours_cpu, theirs_cpu, fixed_cpu, naive_fixed_cpu = [], [], [], []
        for run in range(repeat):
            env = {**os.environ, "SNAPSHOT_DATABASE_URL": f"sqlite:///{workdir}/s{run}.db",
                   "SNAPSHOT_LLM": "fake", "SNAPSHOT_USER": USER}  # fmt: skip
            _timed([snapshot, "db", "upgrade"], env)  # not timed: a user's database exists
            ingest_s, out = _timed([snapshot, "ingest", str(csv_path)], env)
            ingest_cpu = _CPU[0]
            bucket_s, _ = _timed([snapshot, "bucket", out.strip()], env)
            ours_cpu.append(ingest_cpu + _CPU[0])
            naive_s, _ = _timed([sys.executable, naive, str(csv_path), f"{workdir}/n{run}.db"], env)
            theirs_cpu.append(_CPU[0])
            help_s = sum(_timed([snapshot, "--help"], env)[0] for _ in range(2))
            pass_s = sum(_timed([sys.executable, "-c", "pass"], env)[0] for _ in range(2))
            _, out = _timed([snapshot, "ingest", str(one_row)], env)
            fixed = _CPU[0]
            _timed([snapshot, "bucket", out.strip()], env)
            fixed_cpu.append(fixed + _CPU[0])
            _timed([sys.executable, naive, str(one_row), f"{workdir}/one{run}.db"], env)
            naive_fixed_cpu.append(_CPU[0])
            ours.append(ingest_s + bucket_s)
            theirs.append(naive_s)
            starts.append(help_s)
            bare.append(pass_s)
            print(f"run {run + 1}: snapshot {ingest_s:.2f} + {bucket_s:.2f} s, naive {naive_s:.2f}"
                  f" s, ratio {(ingest_s + bucket_s) / naive_s:.2f}; 2x start-up {help_s:.2f} s"
                  f" (2x python -c pass {pass_s:.2f} s); CPU {ours_cpu[-1]:.2f} s vs"
                  f" {theirs_cpu[-1]:.2f} s, of which a one-row file's {fixed_cpu[-1]:.2f} s vs"
                  f" {naive_fixed_cpu[-1]:.2f} s")  # fmt: skip
    median = statistics.median
    ratio = median(a / b for a, b in zip(ours, theirs, strict=True))
    start_share = median(s / a for s, a in zip(starts, ours, strict=True))
    without = median((a - s + p) / b for a, s, p, b in zip(ours, starts, bare, theirs, strict=True))
    print(f"median ratio snapshot/naive: {ratio:.2f} (goal <= 1.2)")
    # CPU time (user + system) is what the work costs; wall time also holds waiting for the
    # CPU on a shared machine, so both are shown.
    cpu_ratio = median(a / b for a, b in zip(ours_cpu, theirs_cpu, strict=True))
    print(f"median CPU-time ratio snapshot/naive: {cpu_ratio:.2f}")
    fixed_share = median(f / a for f, a in zip(fixed_cpu, ours_cpu, strict=True))
    per_row = median(
        (a - f) / (b - g)
        for a, f, b, g in zip(ours_cpu, fixed_cpu, theirs_cpu, naive_fixed_cpu, strict=True)
    )
    print(f"fixed cost (ingest + bucket of a one-row file): {median(fixed_cpu):.2f} s CPU"
          f" (naive: {median(naive_fixed_cpu):.2f} s)")  # fmt: skip
    print(f"fixed cost (ingest + bucket of a one-row file) is {fixed_share:.0%} of snapshot's CPU;")
    print(f"CPU-time ratio of the rest (the per-row work, each side's fixed cost taken off):"
          f" {per_row:.2f}")  # fmt: skip
    print(f"CLI start-up (2x snapshot --help) is {start_share:.0%} of snapshot's time;")
    print(f"ratio with snapshot's start-up cut to python's: {without:.2f}")
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--backend", choices=["sqlite", "postgres", "memory", "parse-only"], default="sqlite"
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--no-ids", action="store_true", help="leave estimate_id empty (no duplicate index)"
    )
    parser.add_argument(
        "--ids",
        type=int,
        metavar="N",
        help="N rows with unique estimate ids; report peak memory (3M ids: <= 150 MB)",
    )
    parser.add_argument(
        "--vs-naive", action="store_true", help="snapshot ingest + bucket vs naive_ingest.py"
    )
    parser.add_argument("--child", nargs=2, metavar=("CSV", "WORKDIR"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ids is not None:
        if args.no_ids:
            parser.error("--ids and --no-ids contradict each other")
        args.rows = args.ids
    if args.vs_naive:
        vs_naive(args.rows, args.repeat)
        return
    if args.child:
        child(Path(args.child[0]), args.backend, Path(args.child[1]), args.url)
        return

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "estimates.csv"
        t0 = time.perf_counter()
        write_csv(csv_path, args.rows, ids=not args.no_ids)
        size_mb = csv_path.stat().st_size / 1e6
        print(f"generated {args.rows:,} rows, {size_mb:.0f} MB in {time.perf_counter() - t0:.1f} s")
        command = [sys.executable, __file__, "--backend", args.backend]
        command += ["--child", str(csv_path), tmp]
        runs = []
        load_before = os.getloadavg()  # the machine may be shared: say how busy it was
        for _ in range(args.repeat):
            with contextlib.ExitStack() as stack:
                url = []
                if args.backend == "postgres":
                    url = ["--url", stack.enter_context(scratch_postgres())]
                result = subprocess.run(command + url, capture_output=True, text=True, check=False)
            if result.returncode:
                sys.exit(f"child failed:\n{result.stderr}")
            runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
            print(json.dumps(runs[-1]))
            (workdir / "bench.db").unlink(missing_ok=True)
    figures = {key: statistics.median_low(run[key] for run in runs) for key in runs[0]}
    print(f"median of {len(runs)}: {json.dumps(figures)}")
    before, after = (" ".join(f"{x:.2f}" for x in load) for load in (load_before, os.getloadavg()))
    print(f"load average (1, 5, 15 min): {before} before, {after} after")
    print(
        f"machine: {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}"
    )
    if args.ids is not None:
        # Memory only: about 16 bytes an id on top of what the same file costs without ids.
        limit = 150 if args.ids <= 3_000_000 else 300  # the targets: 3M and 10M ids
        ok = figures["peak_rss_mb"] <= limit
        print(f"ids target ({args.ids:,} ids, peak <= {limit:.0f} MB): {'met' if ok else 'MISSED'}")
        return
    ok = figures["total_s"] <= 15 and figures["peak_rss_mb"] <= 300
    print(f"target (<= 15 s, <= 300 MB): {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
