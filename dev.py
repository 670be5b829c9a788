#!/usr/bin/env python3
"""Sets up .venv from the pinned lock files, then runs the demo, the tests or the checks.

    python3 dev.py demo      # install the default extras and run `snapshot demo`
    python3 dev.py test      # install the dev extras and run the whole test suite, in parallel
    python3 dev.py check     # ruff, mypy and the import-linter contracts
    python3 dev.py snapshot ARGS...   # any `snapshot` command inside the venv

Needs only Python 3.11+; everything else comes from the package index, hash-pinned.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
LOCKS = {"demo": ROOT / "requirements" / "demo.lock", "dev": ROOT / "requirements" / "dev.lock"}


def _run(*args: str | Path, cwd: Path = ROOT) -> int:
    return subprocess.call([str(a) for a in args], cwd=cwd)


def _stamp_for(lock: Path) -> str:
    digest = hashlib.sha256(lock.read_bytes() + (ROOT / "pyproject.toml").read_bytes())
    return digest.hexdigest()


def ensure_venv(kind: str) -> None:
    """Create .venv and install `kind`'s lock (skipped when nothing changed since last time)."""
    if not PY.exists():
        print("Creating .venv …", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{kind}"
    wanted = _stamp_for(LOCKS[kind])
    if stamp.exists() and stamp.read_text() == wanted:
        return
    print(f"Installing pinned {kind} dependencies …", file=sys.stderr)
    quiet = ["-q"] if os.environ.get("CI") else []
    steps = [
        [PY, "-m", "pip", "install", *quiet, "--upgrade", "pip>=24"],
        [PY, "-m", "pip", "install", *quiet, "--require-hashes", "-r", LOCKS[kind]],
        [PY, "-m", "pip", "install", *quiet, "--no-deps", "-e", "."],
    ]
    for step in steps:
        if _run(*step) != 0:
            sys.exit("Installation failed (see above).")
    for other in VENV.glob(".installed-*"):
        other.unlink()
    stamp.write_text(wanted)
    if kind == "dev":  # the dev lock includes every demo dependency
        (VENV / ".installed-demo").write_text(_stamp_for(LOCKS["demo"]))


def _test(args: list[str]) -> int:
    """pytest on every core (pytest-xdist), then the tests marked `serial` on their own.

    With your own ``-n`` or ``-m`` the arguments go to one plain pytest run instead.
    """
    if any(a == "-n" or a.startswith(("-n", "--numprocesses", "-m")) for a in args):
        code = _run(PY, "-m", "pytest", *args)
    else:
        code = _run(PY, "-m", "pytest", "-n", "auto", "-m", "not serial", *args)
        alone = _run(PY, "-m", "pytest", "-m", "serial", *args)
        # 5 = "no tests collected": fine for one half, a failure only for both.
        codes = [c for c in (code, alone) if c != 5]
        code = next((c for c in codes if c != 0), 0) if codes else 5
    if code == 5:
        print("No tests ran: that is a failure.", file=sys.stderr)
    return code


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script is the one place that may run older
        sys.exit(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]}).")
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "demo":
        ensure_venv("demo")
        return _run(BIN / "snapshot", "demo", *rest)
    if command == "test":
        ensure_venv("dev")
        return _test(rest)
    if command == "check":
        ensure_venv("dev")
        failed = 0
        for step in (
            [PY, "-m", "ruff", "check", "."],
            [PY, "-m", "ruff", "format", "--check", "."],
            [PY, "-m", "mypy", "src/snapshot_core", "adapters/snapshot_adapters"],
            [BIN / "lint-imports"],
        ):
            print(
                "$", " ".join(str(Path(s).name) if i == 0 else str(s) for i, s in enumerate(step))
            )
            failed |= _run(*step) != 0
        return int(failed)
    if command == "snapshot":
        ensure_venv("demo")
        # In the caller's directory: relative paths, .env files and snapshot.db are theirs.
        return _run(BIN / "snapshot", *rest, cwd=Path.cwd())
    print(__doc__)
    return 0 if command in ("help", "-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
