"""Runs the real `snapshot` entry point in a subprocess, as a user would, and checks the basics
every run must meet: no traceback, and no colour or progress codes when not on a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["run_cli"]


def run_cli(workdir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`snapshot ARGS` in ``workdir`` (so the default database is ``workdir/snapshot.db``),
    with the fake model and none of the caller's SNAPSHOT_/OPENAI_ variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))}
    clean.update({"SNAPSHOT_LLM": "fake", "COLUMNS": "200", **env})
    result = subprocess.run(
        [sys.executable, "-m", "snapshot_adapters.cli.main", *args],
        cwd=workdir,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert "\x1b[" not in result.stderr  # no progress bar or colours when not a terminal
    return result
