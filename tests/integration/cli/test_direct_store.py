"""`snapshot ingest` and `snapshot bucket` on a plain SQLite file at the head revision take the
direct store (`sql/direct`: plain ``sqlite3``, no SQLAlchemy for ingest) and give what
today's SQL store gives: the same exit code, stdout and stderr, and the same database, every
column of every table (values and their SQLite types). Cases outside the direct store's
envelope check that it stood aside. Failures: ``test_direct_store_failures.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..sql.dumps import dump
from .direct_ways import BASE, DIRECT, GOOD, USER, assert_same, database, prepare
from .two_ways import run_as_users_do, run_once


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    yield from prepare(monkeypatch, tmp_path)


def test_ingest_gives_the_same_output_and_rows_both_ways(
    isolated: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path, reset = database(isolated)
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
    path, reset = database(isolated)
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


def test_bucket_after_a_direct_ingest_in_onedatabase(
    isolated: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Ingest then bucket, each way from the same start: the same two outputs and files."""
    path, reset = database(isolated)
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
    path, reset = database(isolated)
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
