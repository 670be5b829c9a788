"""CLI start-up: each `snapshot` command's wall time as a ratio of a bare `python -c pass`.

    .venv/bin/python benchmarks/bench_cli.py --pairs 15

Each command is run alternately with `python -c pass` (same interpreter, same environment)
so both see the same machine load; the figure is the median of the per-pair ratios. The
read commands run on an SQLite file made beforehand (one bucketed source, one snapshot).
Targets (issue 12): `--help` <= 8x, `sources` and `show --format json` <= 15x.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

USER = "bench-user"
TARGETS = {"--help": 8.0, "sources": 15.0, "show --format json": 15.0}


def _wall(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _prepare(workdir: Path, env: dict[str, str]) -> str:
    """One snapshot in workdir/snapshot.db (not timed); returns its id (from the demo's
    "Try: snapshot show ID" line, so this runs against older versions too)."""
    demo = subprocess.run(
        [sys.executable, "-m", "snapshot_adapters.cli.main", "demo", "--estimates", "200"],
        cwd=workdir,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    found = re.search(r"snapshot show ([0-9a-f-]{36})", demo.stdout)
    assert found, demo.stdout
    return found[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=15, help="pairs per command (>= 10)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))}
    env["SNAPSHOT_LLM"] = "fake"
    # The installed `snapshot` script, as a user runs it (falls back to -m in a bare checkout).
    script = Path(sys.executable).with_name("snapshot")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "snapshot_adapters.cli.main"]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        snapshot_id = _prepare(workdir, env)
        commands = {
            "--help": ["--help"],
            "sources": ["sources", "--user", "demo-user"],
            "show --format json": ["show", snapshot_id, "--user", "demo-user", "--format", "json"],
        }
        baseline = [sys.executable, "-c", "pass"]
        print(
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
        )
        print(f"{'command':<22} {'median ratio':>12} {'target':>7} {'cmd ms':>8} {'pass ms':>8}")
        failed = False
        for name, extra in commands.items():
            _wall([*cli, *extra], workdir, env)  # warm the file cache
            ratios, walls, passes = [], [], []
            for _ in range(args.pairs):
                base = _wall(baseline, workdir, env)
                took = _wall([*cli, *extra], workdir, env)
                ratios.append(took / base)
                walls.append(took)
                passes.append(base)
            ratio = statistics.median(ratios)
            failed |= ratio > TARGETS[name]
            print(
                f"{name:<22} {ratio:>11.1f}x {TARGETS[name]:>6.0f}x "
                f"{statistics.median(walls) * 1000:>8.0f} {statistics.median(passes) * 1000:>8.1f}"
            )
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
