"""One `snapshot` command run twice in this process from the same state: once as users run it,
once with a fast path switched off (``fast_read``, ``light_start``); both must print the same."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from snapshot_adapters.cli import common
from snapshot_adapters.cli.main import main


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str
    fast: bool  # the fast path answered


@dataclass(frozen=True)
class FastPath:
    """A module's fast path: its ``_enabled`` switch, and the functions whose answers say
    whether it answered (each returns a truthy value when it did)."""

    module: ModuleType
    answers: tuple[str, ...]


def isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A working directory and an environment with no settings of the caller's (a fixture's
    body: restores the environment afterwards, which `--db` writes for plugin commands)."""
    for name in list(os.environ):
        if name.upper().startswith(("SNAPSHOT_", "OPENAI_", "AZURE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SNAPSHOT_LLM", "fake")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    saved = dict(os.environ)
    yield tmp_path
    os.environ.clear()
    os.environ.update(saved)


def close_stores() -> None:
    """Close the pooled connections a command left open, as the end of its process would
    (before a test restores the database file)."""
    common.release()
    if common._container.cache_info().currsize:
        with contextlib.suppress(Exception):  # a URL the store refused: nothing is open
            storage = common._container().storage()
            getattr(storage, "dispose", lambda: None)()
    common._container.cache_clear()
    common._light.cache_clear()


def restorer(path: Path) -> Callable[[], None]:
    """What puts the database file back as it is now (its -wal and -shm files removed)."""
    content = path.read_bytes()

    def restore() -> None:
        for companion in ("-wal", "-shm"):
            Path(f"{path}{companion}").unlink(missing_ok=True)
        path.write_bytes(content)

    return restore


def run_once(
    args: list[str],
    capfd: pytest.CaptureFixture[str],
    path: FastPath,
    *,
    fast: bool,
    reset: Callable[[], None],
    normalise: Callable[[str], str] = lambda text: text,
) -> Outcome:
    reset()
    answered: list[bool] = []
    environment = dict(os.environ)
    originals = {name: getattr(path.module, name) for name in path.answers}

    def spy(function: Callable[..., object]) -> Callable[..., object]:
        def call(*a: object) -> object:
            answer = function(*a)
            answered.append(bool(answer))
            return answer

        return call

    path.module._enabled = fast  # type: ignore[attr-defined]
    for name, function in originals.items():
        setattr(path.module, name, spy(function))
    try:
        capfd.readouterr()
        code = main(args)
        out, err = capfd.readouterr()
    finally:
        close_stores()
        path.module._enabled = True  # type: ignore[attr-defined]
        for name, function in originals.items():
            setattr(path.module, name, function)
        os.environ.clear()
        os.environ.update(environment)
    return Outcome(code, normalise(out), normalise(err), any(answered))


def assert_same(
    args: list[str],
    capfd: pytest.CaptureFixture[str],
    path: FastPath,
    reset: Callable[[], None] = lambda: None,
    *,
    fast: bool | None = None,
    normalise: Callable[[str], str] = lambda text: text,
) -> Outcome:
    """Both ways print the same; ``fast`` says whether the fast path must have answered."""
    quick = run_once(args, capfd, path, fast=True, reset=reset, normalise=normalise)
    full = run_once(args, capfd, path, fast=False, reset=reset, normalise=normalise)
    assert not full.fast
    assert (quick.code, quick.stdout, quick.stderr) == (full.code, full.stdout, full.stderr)
    assert "Traceback" not in full.stderr
    if fast is not None:
        assert quick.fast is fast, (args, quick)
    return quick


def run_as_users_do(
    args: list[str], folder: Path, settings: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`snapshot ARGS` in a real process in ``folder``, with only ``settings`` of the
    caller's: its result, and every module it had loaded when it ended."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(' '.join(sys.modules), file=sys.stderr))\n"
        f"sys.argv = ['snapshot', *{args!r}]\n"
        "from snapshot_adapters.cli.main import run\nrun()"
    )
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        env=environment | settings,
        capture_output=True,
        text=True,
        check=False,
    )
    loaded = set(result.stderr.splitlines()[-1].split()) if result.stderr else set()
    return result, loaded
