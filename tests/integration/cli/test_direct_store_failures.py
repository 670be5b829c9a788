"""`snapshot ingest` and `snapshot bucket` fail alike with and without the direct store
(`sql/direct`): a locked database, a full disk, Ctrl-C, a read-only file, an unexpected
driver error; the same exit code, stdout and stderr, and nothing stored.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from snapshot_adapters import container
from snapshot_adapters.sql import engine, sqlite_bulk
from snapshot_adapters.sql.direct import sqlite_setup

from ..sql.dumps import dump
from ..tmpfs import tmpfs
from .direct_ways import BASE, DIRECT, USER, BaseIds, assert_same, database, many_rows, prepare
from .two_ways import run_once


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    yield from prepare(monkeypatch, tmp_path)


def test_a_locked_database_fails_alike(
    isolated: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, reset = database(isolated)
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
    path, reset = database(isolated)
    before = many_rows(isolated, 3000)
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
    path, reset = database(isolated)
    before = many_rows(isolated, 3 * sqlite_bulk._BATCH)
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
    path, _ = database(isolated)
    mount = isolated / "ro"
    with tmpfs(mount, "8m") as mounted:
        if not mounted:
            pytest.skip("cannot mount a tmpfs here")
        shutil.copy(path, mount / "snapshot.db")
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


def test_an_unexpected_driver_error_is_reported_alike(
    isolated: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A constraint the database enforces (here: a source id already taken) is SQLAlchemy's
    ``IntegrityError`` both ways, with the same statement and parameters in its text."""
    path, reset = database(isolated)
    monkeypatch.setattr(container, "uuid_ids", BaseIds)  # the id of the source already there
    code, _, err = assert_same(
        ["--db", f"sqlite:///{path}", "ingest", "good.csv", "-u", USER],
        capfd,
        reset,
        path,
        direct_way=True,
    )
    assert code == 1 and "IntegrityError" in err and "UNIQUE" in err, err
