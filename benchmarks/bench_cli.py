"""CLI start-up: each `snapshot` command's wall time as a ratio of a bare `python -c pass`.

    .venv/bin/python benchmarks/bench_cli.py --pairs 15

Each command is run alternately with `python -c pass` (same interpreter, same environment)
so both see the same machine load; the figure is the median of the per-pair ratios. The
read commands run on an SQLite file made beforehand (one bucketed source, one snapshot).
Targets (issue 12): `--help` <= 8x, `sources` and `show --format json` <= 15x.

    .venv/bin/python benchmarks/bench_cli.py --pairs 10 --imports

also measures, the same way, what the libraries a read command needs cost on their own.

The project's own modules are byte-compiled first (not timed), as ``pip install`` does: run
from an editable checkout with PYTHONDONTWRITEBYTECODE=1, every process would otherwise compile
the modules it imports from source, which no installed copy does. ``--no-compile`` skips that
step (the way this benchmark ran before 2026-12-06).
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
# What a read command on SQLite imports, each measured alone (they overlap: typing, re, ...).
IMPORTS = (
    "import typer",
    "from pydantic import BaseModel",
    "import typer; from pydantic import BaseModel",
    "import pydantic_settings",
    "import sqlalchemy.dialects.sqlite",
    "import rich.table",
    "import snapshot_core.domain",
    "import snapshot_adapters.settings",
    "import typer, rich.table, json, sqlite3",
)


def _wall(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _median_ratio(
    args: list[str], pairs: int, cwd: Path, env: dict[str, str]
) -> tuple[float, float, float]:
    """Median of ``args``'s wall time over ``python -c pass``'s, alternated; and both medians."""
    baseline = [sys.executable, "-c", "pass"]
    _wall(args, cwd, env)  # warm the file cache
    ratios, walls, passes = [], [], []
    for _ in range(pairs):
        base = _wall(baseline, cwd, env)
        took = _wall(args, cwd, env)
        ratios.append(took / base)
        walls.append(took)
        passes.append(base)
    return statistics.median(ratios), statistics.median(walls), statistics.median(passes)


def _compile_project() -> None:
    """Bytecode for snapshot_core and snapshot_adapters, as an installed copy has."""
    import compileall
    import importlib.util

    for package in ("snapshot_core", "snapshot_adapters"):
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.submodule_search_locations is not None
        for folder in spec.submodule_search_locations:
            compileall.compile_dir(folder, quiet=1)


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
    parser.add_argument("--imports", action="store_true", help="also time the libraries alone")
    parser.add_argument(
        "--no-compile", action="store_true", help="do not byte-compile the project first"
    )
    args = parser.parse_args()
    if not args.no_compile:
        _compile_project()  # not timed: an installed copy has its bytecode
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
        print(
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
        )
        print(f"{'command':<22} {'median ratio':>12} {'target':>7} {'cmd ms':>8} {'pass ms':>8}")
        failed = False
        for name, extra in commands.items():
            ratio, wall, base = _median_ratio([*cli, *extra], args.pairs, workdir, env)
            failed |= ratio > TARGETS[name]
            print(
                f"{name:<22} {ratio:>11.1f}x {TARGETS[name]:>6.0f}x "
                f"{wall * 1000:>8.0f} {base * 1000:>8.1f}"
            )
        if args.imports:
            print(f"\n{'imported alone':<46} {'median ratio':>12} {'ms':>6}")
            for statement in IMPORTS:
                code = [sys.executable, "-c", statement]
                ratio, wall, _ = _median_ratio(code, args.pairs, workdir, env)
                print(f"{statement:<46} {ratio:>11.1f}x {wall * 1000:>6.0f}")
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
