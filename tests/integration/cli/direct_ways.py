"""The two ways of `snapshot ingest` and `snapshot bucket` on a plain SQLite file: with the
direct store (`sql/direct`) and without it (both start light; ids and the clock fixed), each
from the same database file; their outputs and the two files' dumps must be equal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from snapshot_adapters import container
from snapshot_adapters.cli.main import main
from snapshot_adapters.fake import FixedClock, SequentialIds
from snapshot_adapters.sql.direct import store as direct

from ..sql.dumps import dump
from .two_ways import FastPath, close_stores, isolate, restorer, run_once

__all__ = [
    "BASE",
    "DIRECT",
    "GOOD",
    "USER",
    "BaseIds",
    "assert_same",
    "database",
    "many_rows",
    "prepare",
]

GOOD = (
    "estimate_id,amount,sent_at,decided_at,outcome,notes\n"
    "E-1,1200.50,2026-01-05T10:00:00Z,2026-01-09T10:00:00Z,won,first\n"
    "E-2,300,2026-02-16T09:30:00+02:00,,,second\n"
    "E-3,8000,2026-03-02,2026-03-03,lost,third\n"
    "E-4,0.00001,2026-03-09,,pending,\n"
)
BAD_ROW = GOOD + "E-5,lots,2026-03-02,,,fifth\n"
JSONL = '{"amount": "10", "sent_at": "2026-01-05"}\n{"amount": "20.5", "sent_at": "2026-01-12"}\n'
USER = "u"
BASE = "base-source-000001"
DIRECT = FastPath(direct, ("open_head_file",))


def prepare(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A working directory with the input files, every command's ids and clock fixed (so
    both ways write the same values); a fixture's body, as ``two_ways.isolate``."""
    (tmp_path / "good.csv").write_text(GOOD)
    (tmp_path / "bad.csv").write_text(BAD_ROW)
    (tmp_path / "rows.jsonl").write_text(JSONL)
    monkeypatch.setattr(container, "system_clock", FixedClock)
    monkeypatch.setattr(container, "uuid_ids", SequentialIds)
    yield from isolate(monkeypatch, tmp_path)


class BaseIds(SequentialIds):
    """The ids of the database every case starts from (``base-source-000001``), so a case's
    new source (``source-000001``) is another one."""

    def new_id(self, kind: str) -> str:
        return f"base-{super().new_id(kind)}"


def database(folder: Path, name: str = "snapshot.db") -> tuple[Path, Callable[[], None]]:
    """A migrated database holding one source of USER (``BASE``), and its restorer."""
    path = folder / name
    made = container.uuid_ids
    container.uuid_ids = BaseIds  # type: ignore[assignment]
    try:
        code = main(["--db", f"sqlite:///{path}", "ingest", str(folder / "good.csv"), "-u", USER])
    finally:
        container.uuid_ids = made  # type: ignore[assignment]
        close_stores()
    assert code == 0
    restore = restorer(path)

    def reset() -> None:
        restore()
        for made in ("new.db", "new.db-wal", "new.db-shm", "rejects.csv"):
            (folder / made).unlink(missing_ok=True)

    return path, reset


def assert_same(
    args: list[str],
    capfd: pytest.CaptureFixture[str],
    reset: Callable[[], None],
    db_file: Path,
    *,
    direct_way: bool,
) -> tuple[int, str, str]:
    """Both ways print the same and leave the same database; ``direct_way``: whether the
    direct store must have served the command."""
    quick = run_once(args, capfd, DIRECT, fast=True, reset=reset)
    quick_dump = dump(db_file)
    full = run_once(args, capfd, DIRECT, fast=False, reset=reset)
    full_dump = dump(db_file)
    assert not full.fast
    assert (quick.code, quick.stdout, quick.stderr) == (full.code, full.stdout, full.stderr)
    assert quick_dump == full_dump, args
    assert "Traceback" not in full.stderr
    assert quick.fast is direct_way, (args, quick)
    return quick.code, quick.stdout, quick.stderr


def many_rows(folder: Path, count: int) -> tuple[list[str], dict[str, Any]]:
    """A CSV of ``count`` rows (``many.csv``): the command that ingests it into the folder's
    database, and that database's dump before it."""
    lines = [f"E-{n},{n}.25,2026-01-05," for n in range(count)]
    (folder / "many.csv").write_text("estimate_id,amount,sent_at,decided_at\n" + "\n".join(lines))
    path = folder / "snapshot.db"
    return ["--db", f"sqlite:///{path}", "ingest", "many.csv", "-u", USER], dump(path)
