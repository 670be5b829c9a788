"""Storage failures each say what happened: a lock held too long, a read-only file, a full
disk, an I/O error; and a read-only SQLite file still serves the read commands."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, exc

from snapshot_adapters.fake import FixedClock, SequentialIds, synthetic_estimates
from snapshot_adapters.files import ingest_file
from snapshot_adapters.sql import create_sql_store, engine
from snapshot_adapters.sql.errors import storage_failure
from snapshot_core.domain import (
    DatabaseDiskFullError,
    DatabaseIoError,
    DatabaseLockedError,
    DatabaseReadOnlyError,
    DatabaseUnavailableError,
)

from ..cli_runner import run_cli
from ..tmpfs import tmpfs
from .flows import USER, orchestrator


def test_a_lock_held_past_the_busy_timeout_is_database_locked(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    store = create_sql_store(sqlite_url)
    app = orchestrator(store)
    app.list_sources(user_id=USER)  # schema checked before the lock is taken
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseLockedError) as caught:
            app.ingest_estimates(user_id=USER, rows=synthetic_estimates(30, seed=1))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.dispose()
    assert caught.value.code == "database_locked"
    assert caught.value.message == "Database is locked"
    assert "server is running" not in caught.value.solution
    assert isinstance(caught.value, DatabaseUnavailableError)  # old handlers still catch it


def _csv_file(count: int) -> io.StringIO:
    lines = ["estimate_id,amount,sent_at,decided_at"]
    for row in synthetic_estimates(count, seed=3):
        decided = "" if row.decided_at is None else row.decided_at.isoformat()
        lines.append(f"{row.estimate_id or ''},{row.amount},{row.sent_at.isoformat()},{decided}")
    return io.StringIO("\n".join(lines) + "\n")


def _ingest_rows(store: Any) -> None:
    orchestrator(store).ingest_estimates(user_id=USER, rows=synthetic_estimates(20_000, seed=1))


def _ingest_file(store: Any) -> None:
    # The CSV path hands rows over as column batches, written from a second thread.
    ingest_file(_csv_file(20_000), format="csv", uow_factory=store, ids=SequentialIds(),
                clock=FixedClock(), user_id=USER)  # fmt: skip


@pytest.mark.parametrize("ingest", [_ingest_rows, _ingest_file])
def test_a_full_database_is_database_disk_full_and_nothing_is_stored(
    sqlite_url: str, ingest: Callable[[Any], None]
) -> None:
    store = create_sql_store(sqlite_url)
    app = orchestrator(store)
    app.list_sources(user_id=USER)
    pages = os.path.getsize(sqlite_url.removeprefix("sqlite:///")) // 4096 + 2

    @event.listens_for(store.engine, "connect")
    def _tiny(dbapi_connection: Any, _record: Any) -> None:
        # SQLite's own cap on the file size: the same SQLITE_FULL a full disk gives.
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    store.engine.dispose()
    try:
        with pytest.raises(DatabaseDiskFullError) as caught:
            ingest(store)
        assert caught.value.code == "database_disk_full"
        assert "Free disk space" in caught.value.solution
        event.remove(store.engine, "connect", _tiny)
        store.engine.dispose()
        assert app.list_sources(user_id=USER) == []
    finally:
        store.dispose()


def _operational(message: str, name: str) -> exc.OperationalError:
    cause = sqlite3.OperationalError(message)
    cause.sqlite_errorname = name  # what the sqlite3 module sets from the C result code
    return exc.OperationalError("INSERT ...", {}, cause)


@pytest.mark.parametrize(
    ("message", "name", "expected"),
    [
        ("database is locked", "SQLITE_BUSY", DatabaseLockedError),
        ("database table is locked", "SQLITE_LOCKED", DatabaseLockedError),
        ("attempt to write a readonly database", "SQLITE_READONLY", DatabaseReadOnlyError),
        ("database or disk is full", "SQLITE_FULL", DatabaseDiskFullError),
        ("disk I/O error", "SQLITE_IOERR_WRITE", DatabaseIoError),
        ("disk I/O error", "", DatabaseIoError),  # a driver without result codes
        ("unable to open database file", "SQLITE_CANTOPEN", None),
    ],
)
def test_each_sqlite_result_code_has_its_own_error(
    message: str, name: str, expected: type[DatabaseUnavailableError] | None
) -> None:
    assert storage_failure(_operational(message, name)) is expected


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__("database is locked")  # ignored: only an SQLite message is read
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "expected"),
    [
        ("55P03", DatabaseLockedError),
        ("25006", DatabaseReadOnlyError),
        ("53100", DatabaseDiskFullError),
        ("58030", DatabaseIoError),
        ("08006", None),
    ],
)
def test_postgresql_sqlstates_map_to_the_same_errors(
    sqlstate: str, expected: type[DatabaseUnavailableError] | None
) -> None:
    assert storage_failure(exc.InternalError("SELECT 1", {}, _PgError(sqlstate))) is expected


@pytest.fixture
def read_only_workdir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory holding a database with one snapshot, then made read-only: a read-only
    tmpfs when this process may mount one (root ignores file modes), else chmod."""
    made = tmp_path / "made"
    made.mkdir()
    demo = run_cli(made, "demo", "--estimates", "30")
    assert demo.returncode == 0, demo.stderr
    snapshot_id = re.search(r"snapshot show (\S+)", demo.stdout).group(1)  # type: ignore[union-attr]
    mount = tmp_path / "ro"
    with tmpfs(mount, "8m") as mounted:
        if mounted:
            shutil.copy(made / "snapshot.db", mount / "snapshot.db")
            subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
            yield mount, snapshot_id
            return
    if os.geteuid() == 0:
        pytest.fail("root, but cannot mount a tmpfs: no way to make a file read-only for root")
    shutil.copy(made / "snapshot.db", mount / "snapshot.db")
    (mount / "snapshot.db").chmod(0o444)
    mount.chmod(0o555)
    try:
        yield mount, snapshot_id
    finally:
        mount.chmod(0o755)


def test_a_read_only_file_serves_reads_and_refuses_writes_with_its_own_error(
    read_only_workdir: tuple[Path, str],
) -> None:
    workdir, snapshot_id = read_only_workdir
    before = (workdir / "snapshot.db").read_bytes()
    listed = run_cli(workdir, "sources", "--user", "demo-user", "--json")
    assert listed.returncode == 0, listed.stderr
    (source,) = json.loads(listed.stdout)
    runs = run_cli(workdir, "stats", "--user", "demo-user", "--json")
    assert runs.returncode == 0, runs.stderr
    shown = run_cli(workdir, "show", snapshot_id, "--user", "demo-user", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["meta"]["snapshot_id"] == snapshot_id
    bucket = run_cli(workdir, "bucket", source["source_id"], "--user", "demo-user")
    assert bucket.returncode == 1
    assert "Error: Database is read-only" in bucket.stderr
    assert "Code: database_read_only" in bucket.stderr
    assert "server is running" not in bucket.stderr
    (workdir.parent / "one.csv").write_text("amount,sent_at\n1,2026-01-05\n", encoding="utf-8")
    ingest = run_cli(workdir, "ingest", str(workdir.parent / "one.csv"), "--user", "demo-user")
    assert ingest.returncode == 1 and "Code: database_read_only" in ingest.stderr
    assert (workdir / "snapshot.db").read_bytes() == before
