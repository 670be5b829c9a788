"""`snapshot ingest` and `snapshot bucket` on a plain SQLite file at the head revision take the
direct store (`sql/direct`: plain ``sqlite3``, no SQLAlchemy for ingest) and give what
today's SQL store gives: the same exit code, stdout and stderr, and the same database, every
column of every table (values and their SQLite types). Cases outside the direct store's
envelope check that it stood aside. Failures: ``test_direct_store_failures.py``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from snapshot_adapters import container
from snapshot_adapters.cli.main import main
from snapshot_adapters.fake import SequentialIds
from snapshot_adapters.sql import median_positions
from snapshot_adapters.sql.direct import tally as direct_tally_module

from ..sql.dumps import dump
from .direct_ways import BASE, DIRECT, GOOD, USER, assert_same, database, prepare
from .two_ways import close_stores, restorer, run_as_users_do, run_once


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


def _csv(amounts: list[str], *, stale: bool = False) -> str:
    """Rows of these amounts a day apart, with each outcome in turn and some undecided (rows
    sent 60 days before the others: stale when pending)."""
    lines = ["estimate_id,amount,sent_at,decided_at,outcome"]
    for i, amount in enumerate(amounts):
        sent = date(2026, 1, 5) + timedelta(days=i % 50 - (60 if stale and i % 2 else 0))
        decided = "" if i % 5 == 0 else str(sent + timedelta(days=i % 40))
        outcome = ("won", "lost", "pending", "")[i % 4] if decided else ("pending", "")[i % 2]
        lines.append(f"E-{i},{amount},{sent},{decided},{outcome}")
    return "\n".join(lines) + "\n"


# Ten pending amounts near 1e14 sent in one week (their sums overflow SQLite's integer).
OVERFLOWING = "estimate_id,amount,sent_at,outcome\n" + "".join(
    f"E-{i},99999999999999.99,2025-10-0{1 + i % 3},pending\n" for i in range(10)
)
# Each is bucketed both ways; ``True``: the direct store's own tally serves it.
SOURCES = {
    "one-row": (_csv(["1200.5"]), True),
    "ties": (_csv(["12000"] * 9 + ["10000", "90000"]), True),
    "empty-bands": (_csv(["1", "2", "70000", "80000", "90000"]), True),
    "two-bands": (_csv(["100", "9999.99", "10000", "10000.01"]), True),
    "stale": (_csv([str(100 + 37 * i) for i in range(90)], stale=True), True),
    "wide": (_csv([f"{(i * 7919) % 30000}.{i % 100:02d}" for i in range(400)]), True),
    "finer": (_csv(["12000.00001", "12000.00002", "11000", "13000"]), False),
    "overflowing": (OVERFLOWING, False),
}


class _Prefixed(SequentialIds):
    prefix = ""

    def new_id(self, kind: str) -> str:
        return f"{self.prefix}-{super().new_id(kind)}"


@pytest.mark.parametrize("cut", [False, True], ids=["large bands cut", "every band cut"])
def test_bucket_of_many_sources_gives_the_same_document_both_ways(
    isolated: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cut: bool
) -> None:
    """Sources of one row, ties, empty bands, a middle across two bands, outcomes, undecided
    and stale rows, pivots (every band cut at them, or only large ones): the same output both
    ways, byte for byte; finer amounts and an overflowing stale sum take today's tally."""
    path, _ = database(isolated)
    for name, (text, _) in SOURCES.items():
        (isolated / f"{name}.csv").write_text(text)
        monkeypatch.setattr(_Prefixed, "prefix", name)
        monkeypatch.setattr(container, "uuid_ids", _Prefixed)
        assert main(["--db", f"sqlite:///{path}", "ingest", f"{name}.csv", "-u", USER]) == 0
        close_stores()
    monkeypatch.setattr(container, "uuid_ids", SequentialIds)
    reset = restorer(path)
    if cut:
        monkeypatch.setattr(median_positions, "PIVOT_MIN_ROWS", 0)
    made: list[bool] = []
    tally = direct_tally_module.direct_tally
    monkeypatch.setattr(
        direct_tally_module,
        "direct_tally",
        lambda *args: made.append((tallied := tally(*args)) is not None) or tallied,
    )
    for name, (_, direct_tally) in SOURCES.items():
        made.clear()
        bucket = ["--db", f"sqlite:///{path}", "bucket", f"{name}-source-000001", "-u", USER]
        code, _, err = assert_same([*bucket, "--json"], capfd, reset, path, direct_way=True)
        assert code == 0, err
        assert made == [direct_tally], name
        assert_same(bucket, capfd, reset, path, direct_way=True)


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


def test_ingest_and_bucket_on_a_migrated_file_never_load_sqlalchemy(tmp_path: Path) -> None:
    """In real processes, as users run them: the first ingest makes the file (SQLAlchemy and
    Alembic migrate it); the next ones, and bucketing, find it at the head revision."""
    (tmp_path / "good.csv").write_text(GOOD)
    settings = {"SNAPSHOT_USER": USER, "SNAPSHOT_LLM": "fake"}
    first, loaded = run_as_users_do(["ingest", "good.csv"], tmp_path, settings)
    assert first.returncode == 0, first.stderr
    assert "sqlalchemy" in loaded  # it did migrate: the check below can fail
    # Amounts of at most four decimals: bucketing's tally is then the direct store's own.
    (tmp_path / "exact.csv").write_text(GOOD.replace("0.00001", "0.0001"))
    result, loaded = run_as_users_do(["ingest", "exact.csv", "--json"], tmp_path, settings)
    assert result.returncode == 0, result.stderr
    assert not {name for name in loaded if name.split(".")[0] in {"sqlalchemy", "alembic"}}
    source = result.stdout.split('"source_id": "')[1].split('"')[0]
    bucketed, loaded = run_as_users_do(["bucket", source, "--json"], tmp_path, settings)
    assert bucketed.returncode == 0, bucketed.stderr
    assert not {name for name in loaded if name.split(".")[0] in {"sqlalchemy", "alembic"}}
    assert sorted(p.name for p in tmp_path.glob("snapshot.db*")) == ["snapshot.db"]
