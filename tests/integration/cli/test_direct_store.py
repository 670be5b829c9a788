"""`snapshot ingest` and `snapshot bucket` on a plain SQLite file at the head revision take the
direct store (`sql/direct`: plain ``sqlite3``, no SQLAlchemy for ingest) and give what
today's SQL store gives: the same exit code, stdout and stderr, and the same database, every
column of every table (values and their SQLite types), in success and in every failure.

Each case runs one command twice in this process from the same database file, once as users
run it and once with the direct store switched off (both start light; ids and the clock are
fixed, so the two databases must be equal), and compares the outputs and the two files'
dumps. Cases outside the direct store's envelope check that it stood aside.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from snapshot_adapters import container
from snapshot_adapters.cli.main import main
from snapshot_adapters.fake import FixedClock, SequentialIds
from snapshot_adapters.sql import engine, sqlite_bulk
from snapshot_adapters.sql.direct import sqlite_setup
from snapshot_adapters.sql.direct import store as direct

from ..sql.dumps import dump
from ..tmpfs import tmpfs
from .two_ways import FastPath, close_stores, isolate, restorer, run_as_users_do, run_once

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


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A working directory with the input files; every command's ids and clock are fixed
    (so both ways write the same values)."""
    (tmp_path / "good.csv").write_text(GOOD)
    (tmp_path / "bad.csv").write_text(BAD_ROW)
    (tmp_path / "rows.jsonl").write_text(JSONL)
    monkeypatch.setattr(container, "system_clock", FixedClock)
    monkeypatch.setattr(container, "uuid_ids", SequentialIds)
    yield from isolate(monkeypatch, tmp_path)


class _BaseIds(SequentialIds):
    """The ids of the database every case starts from (``base-source-000001``), so a case's
    new source (``source-000001``) is another one."""

    def new_id(self, kind: str) -> str:
        return f"base-{super().new_id(kind)}"


def _database(folder: Path, name: str = "snapshot.db") -> tuple[Path, Callable[[], None]]:
    """A migrated database holding one source of USER (``BASE``), and its restorer."""
    path = folder / name
    made = container.uuid_ids
    container.uuid_ids = _BaseIds  # type: ignore[assignment]
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
    database: Path,
    *,
    direct_way: bool,
) -> tuple[int, str, str]:
    """Both ways print the same and leave the same database; ``direct_way``: whether the
    direct store must have served the command."""
    quick = run_once(args, capfd, DIRECT, fast=True, reset=reset)
    quick_dump = dump(database)
    full = run_once(args, capfd, DIRECT, fast=False, reset=reset)
    full_dump = dump(database)
    assert not full.fast
    assert (quick.code, quick.stdout, quick.stderr) == (full.code, full.stdout, full.stderr)
    assert quick_dump == full_dump, args
    assert "Traceback" not in full.stderr
    assert quick.fast is direct_way, (args, quick)
    return quick.code, quick.stdout, quick.stderr


def _many_rows(folder: Path, count: int) -> tuple[list[str], dict[str, Any]]:
    """A CSV of ``count`` rows (``many.csv``): the command that ingests it into the folder's
    database, and that database's dump before it."""
    lines = [f"E-{n},{n}.25,2026-01-05," for n in range(count)]
    (folder / "many.csv").write_text("estimate_id,amount,sent_at,decided_at\n" + "\n".join(lines))
    path = folder / "snapshot.db"
    return ["--db", f"sqlite:///{path}", "ingest", "many.csv", "-u", USER], dump(path)


def test_ingest_gives_the_same_output_and_rows_both_ways(
    isolated: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path, reset = _database(isolated)
    db = ["--db", f"sqlite:///{path}"]
    for args in (
        [*db, "ingest", "good.csv", "-u", USER],
        [*db, "ingest", "good.csv", "-u", USER, "--json", "--name", "Named"],
        [*db, "ingest", "bad.csv", "-u", USER],
        [*db, "ingest", "bad.csv", "-u", USER, "--on-bad-rows", "skip"],
        [*db, "ingest", "bad.csv", "-u", USER, "--rejects", "rejects.csv", "--force"],
        [*db, "ingest", "rows.jsonl", "-u", USER],
        [*db, "ingest", "good.csv", "-u", USER, "--map", "amount=notes"],
        [*db, "ingest", "good.csv", "-u", USER, "--map", "sent_at=notes"],
    ):
        assert_same(args, capfd, reset, path, direct_way=True)


def test_bucket_gives_the_same_output_and_rows_both_ways(
    isolated: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, reset = _database(isolated)
    db = ["--db", f"sqlite:///{path}"]
    for args in (
        [*db, "bucket", BASE, "-u", USER],
        [*db, "bucket", BASE, "-u", USER, "--json"],
        [*db, "bucket", BASE, "-u", "someone-else"],  # another user's source
        [*db, "bucket", "no-such-source", "-u", USER],
    ):
        assert_same(args, capfd, reset, path, direct_way=True)
    monkeypatch.setenv("SNAPSHOT_MAX_WEEKS", "2")  # a span too long
    code, _, err = assert_same(
        [*db, "bucket", BASE, "-u", USER], capfd, reset, path, direct_way=True
    )
    assert code == 1 and "weeks" in err
    monkeypatch.setenv("SNAPSHOT_MAX_WEEKS", "52")
    # Not the default band scheme: a setting only ``Settings`` reads, so ``Container``'s store.
    monkeypatch.setenv("SNAPSHOT_PRICE_BANDS", "100,1000,5000")
    assert_same([*db, "bucket", BASE, "-u", USER], capfd, reset, path, direct_way=False)


def test_bucket_after_a_direct_ingest_in_one_database(
    isolated: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Ingest then bucket, each way from the same start: the same two outputs and files."""
    path, reset = _database(isolated)
    db = ["--db", f"sqlite:///{path}"]
    outputs: dict[bool, list[Any]] = {}
    for way in (True, False):
        reset()
        seen = []
        for args in ([*db, "ingest", "bad.csv", "-u", USER, "--on-bad-rows", "skip"],):
            seen.append(run_once(args, capfd, DIRECT, fast=way, reset=lambda: None))
        bucket = [*db, "bucket", "source-000001", "-u", USER, "--json"]
        seen.append(run_once(bucket, capfd, DIRECT, fast=way, reset=lambda: None))
        outputs[way] = [(o.code, o.stdout, o.stderr) for o in seen] + [dump(path)]
    assert outputs[True] == outputs[False]


def test_outside_the_envelope_the_sql_store_serves(
    isolated: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A new file (migrated), an outdated one (migrated), one that is not a database, memory,
    URL options: each as today, the direct store standing aside."""
    path, reset = _database(isolated)
    new = isolated / "new.db"
    assert_same(
        ["--db", "sqlite:///new.db", "ingest", "good.csv", "-u", USER],
        capfd,
        reset,
        new,
        direct_way=False,
    )
    for args in (
        ["--db", "sqlite://", "ingest", "good.csv", "-u", USER],
        ["--db", f"sqlite:///{path}?timeout=5", "ingest", "good.csv", "-u", USER],
        ["--db", f"sqlite:///{path}?timeout=5", "bucket", BASE, "-u", USER],
    ):
        assert_same(args, capfd, reset, path, direct_way=False)

    outdated = path.read_bytes()
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE alembic_version SET version_num = '0005'")
    db.close()
    outdated = path.read_bytes()

    def restore_outdated() -> None:
        reset()
        path.write_bytes(outdated)

    for args in (
        ["--db", f"sqlite:///{path}", "ingest", "good.csv", "-u", USER],
        ["--db", f"sqlite:///{path}", "bucket", BASE, "-u", USER],
    ):
        assert_same(args, capfd, restore_outdated, path, direct_way=False)

    def not_a_database() -> None:
        reset()
        path.write_bytes(b"this is not an SQLite file" * 200)

    code, _, err = assert_same(
        ["--db", f"sqlite:///{path}", "ingest", "good.csv", "-u", USER],
        capfd,
        not_a_database,
        path.parent / "absent",
        direct_way=False,
    )
    assert code == 1 and "Code: database_" in err


def test_a_locked_database_fails_alike(
    isolated: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, reset = _database(isolated)
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    monkeypatch.setattr(sqlite_setup, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    holder: list[sqlite3.Connection] = []

    def locked() -> None:
        while holder:
            holder.pop().close()
        reset()
        held = sqlite3.connect(path, isolation_level=None)
        held.execute("BEGIN IMMEDIATE")
        holder.append(held)

    try:
        for args in (
            ["--db", f"sqlite:///{path}", "ingest", "good.csv", "-u", USER],
            ["--db", f"sqlite:///{path}", "bucket", BASE, "-u", USER],
        ):
            quick = run_once(args, capfd, DIRECT, fast=True, reset=locked)
            full = run_once(args, capfd, DIRECT, fast=False, reset=locked)
            assert (quick.code, quick.stdout, quick.stderr) == (full.code, full.stdout, full.stderr)
            assert quick.fast and quick.code == 1 and "Code: database_locked" in quick.stderr
    finally:
        while holder:
            holder.pop().close()


def test_a_full_disk_fails_alike_and_stores_nothing(
    isolated: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, reset = _database(isolated)
    before = _many_rows(isolated, 3000)
    pages = path.stat().st_size // 4096 + 2
    configure = sqlite_setup.configure

    def tiny(connection: sqlite3.Connection, timeout: float, *, writable_file: bool) -> None:
        configure(connection, timeout, writable_file=writable_file)
        # SQLite's own cap on the file size: the same SQLITE_FULL a full disk gives.
        connection.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(sqlite_setup, "configure", tiny)
    code, _, err = assert_same(before[0], capfd, reset, path, direct_way=True)
    assert code == 1 and "Code: database_disk_full" in err
    assert dump(path) == before[1]


def test_ctrl_c_during_ingest_stops_alike_and_stores_nothing(
    isolated: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, reset = _database(isolated)
    before = _many_rows(isolated, 3 * sqlite_bulk._BATCH)
    execute = sqlite_bulk._execute
    calls: list[int] = []

    def interrupted(connection: Any, chunk: Any) -> int:
        calls.append(1)
        if len(calls) % 2 == 0:  # the second chunk of each run: some rows already written
            raise KeyboardInterrupt
        return execute(connection, chunk)

    monkeypatch.setattr(sqlite_bulk, "_execute", interrupted)
    code, _, err = assert_same(before[0], capfd, reset, path, direct_way=True)
    assert code == 130 and err.strip() == "Interrupted"
    assert dump(path) == before[1]


@pytest.fixture
def read_only_folder(isolated: Path) -> Iterator[Path]:
    """``isolated`` with its database on a read-only tmpfs (root ignores file modes)."""
    path, _ = _database(isolated)
    mount = isolated / "ro"
    with tmpfs(mount, "8m") as mounted:
        if not mounted:
            pytest.skip("cannot mount a tmpfs here")
        shutil.copy(path, mount / "snapshot.db")
        import subprocess

        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount


def test_a_read_only_file_fails_alike(
    read_only_folder: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = read_only_folder / "snapshot.db"
    for args in (
        ["--db", f"sqlite:///{path}", "ingest", "good.csv", "-u", USER],
        ["--db", f"sqlite:///{path}", "bucket", BASE, "-u", USER],
    ):
        code, _, err = assert_same(args, capfd, lambda: None, path, direct_way=False)
        assert code == 1 and "Code: database_read_only" in err


def test_ingest_on_a_migrated_file_never_loads_sqlalchemy(tmp_path: Path) -> None:
    """In real processes, as users run them: the first ingest makes the file (SQLAlchemy and
    Alembic migrate it); the next ones, and bucketing, find it at the head revision."""
    (tmp_path / "good.csv").write_text(GOOD)
    settings = {"SNAPSHOT_USER": USER, "SNAPSHOT_LLM": "fake"}
    first, loaded = run_as_users_do(["ingest", "good.csv"], tmp_path, settings)
    assert first.returncode == 0, first.stderr
    assert "sqlalchemy" in loaded  # it did migrate: the check below can fail
    result, loaded = run_as_users_do(["ingest", "good.csv", "--json"], tmp_path, settings)
    assert result.returncode == 0, result.stderr
    assert not {name for name in loaded if name.split(".")[0] in {"sqlalchemy", "alembic"}}
    source = result.stdout.split('"source_id": "')[1].split('"')[0]
    bucketed, _ = run_as_users_do(["bucket", source], tmp_path, settings)
    assert bucketed.returncode == 0, bucketed.stderr
    assert sorted(p.name for p in tmp_path.glob("snapshot.db*")) == ["snapshot.db"]


def test_an_unexpected_driver_error_is_reported_alike(
    isolated: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A constraint the database enforces (here: a source id already taken) is SQLAlchemy's
    ``IntegrityError`` both ways, with the same statement and parameters in its text."""
    path, reset = _database(isolated)
    monkeypatch.setattr(container, "uuid_ids", _BaseIds)  # the id of the source already there
    code, _, err = assert_same(
        ["--db", f"sqlite:///{path}", "ingest", "good.csv", "-u", USER],
        capfd,
        reset,
        path,
        direct_way=True,
    )
    assert code == 1 and "IntegrityError" in err and "UNIQUE" in err, err
