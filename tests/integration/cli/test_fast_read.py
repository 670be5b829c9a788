"""The fast read path (`cli/fast_read.py`) prints, byte for byte, what the full path prints.

Every case runs one command twice in this process on the same database file (restored between
the two): once as users run it, once with the fast path switched off. stdout, stderr and the
exit code must be equal. The states cover an empty database, several users, sources in every
status, a second snapshot, a template narrative, suppression, a version-1 document, odd names,
unknown and other users' ids, an outdated revision, a missing file and other databases; the
cases where the fast path must answer check that it did (else this would prove nothing).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from snapshot_adapters import build_container
from snapshot_adapters.cli import fast_read
from snapshot_adapters.fake import FakeModel, synthetic_estimates
from snapshot_adapters.fake.misbehaving import RefusingModel
from snapshot_adapters.settings import Settings
from snapshot_adapters.sql.revision import HEAD_REVISION

from . import two_ways
from .two_ways import FastPath, Outcome, isolate, run_as_users_do

A, B, NOBODY = "alice", "bob-\u00e9", "nobody"


@dataclass
class World:
    """One database file and what is in it."""

    path: Path
    snapshots: dict[str, list[str]]  # user -> snapshot ids
    sources: dict[str, list[str]]  # user -> source ids


def _orchestrator(path: Path, model: object, **settings: Any) -> Any:
    container = build_container(
        Settings(database_url=f"sqlite:///{path}", llm="fake", **settings), model=model
    )
    return container.orchestrator()


def _dispose(app: Any) -> None:
    app.uow_factory.dispose()  # checkpoints the WAL: the file alone holds everything


def _edit(path: Path, sql: str, *parameters: object) -> None:
    """One statement, committed, and the connection closed (the WAL checkpointed)."""
    db = sqlite3.connect(path)
    try:
        db.execute(sql, parameters)
        db.commit()
    finally:
        db.close()


def _build(path: Path) -> World:
    """Users A and B: sources in every status, two snapshots of one source, a template
    narrative after a failed call, a suppressed snapshot, odd names; NOBODY has nothing."""
    world = World(path, {A: [], B: []}, {A: [], B: []})
    app = _orchestrator(path, FakeModel())
    for name, rows, outcomes in [("plain", 60, False), ("with outcomes", 420, True)]:
        source = app.ingest_estimates(
            user_id=A, rows=synthetic_estimates(rows, outcomes=outcomes), name=name
        )
        app.bucket_source(source_id=source, user_id=A)
        world.snapshots[A].append(app.run_snapshot(source_id=source, user_id=A))
        world.sources[A].append(source)
    again = world.sources[A][0]  # bucketed again and a second snapshot: the latest wins
    app.bucket_source(source_id=again, user_id=A)
    world.snapshots[A].append(app.run_snapshot(source_id=again, user_id=A))
    hostile = '\x1b]0;pwned\x07 [/] <script> "q" \u2028 \U0001f600 ' + "long " * 30
    for name, step in [("uploaded only", 0), ("claimed", 1), (hostile, 1)]:
        source = app.ingest_estimates(user_id=A, rows=synthetic_estimates(30), name=name)
        if step:
            app.bucket_source(source_id=source, user_id=A)
        world.sources[A].append(source)
    _dispose(app)
    template = _orchestrator(path, RefusingModel(), narrative_fallback="template")
    source = template.ingest_estimates(user_id=B, rows=synthetic_estimates(80), name="b")
    template.bucket_source(source_id=source, user_id=B)
    world.snapshots[B].append(template.run_snapshot(source_id=source, user_id=B))
    world.sources[B].append(source)
    _dispose(template)
    suppressed = _orchestrator(path, FakeModel(), min_cell_count=5)
    source = suppressed.ingest_estimates(
        user_id=B, rows=synthetic_estimates(40, outcomes=True, weeks=20), name="small cells"
    )
    suppressed.bucket_source(source_id=source, user_id=B)
    world.snapshots[B].append(suppressed.run_snapshot(source_id=source, user_id=B))
    world.sources[B].append(source)
    _dispose(suppressed)
    lease = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S.%f")
    _edit(  # a claim in progress, with its lease
        path,
        "UPDATE sources SET status = 'generating', attempt = attempt + 1, "
        "lease_expires_at = ? WHERE source_id = ?",
        lease,
        world.sources[A][3],  # "claimed"
    )
    return world


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, bytes]:
    folder = tmp_path_factory.mktemp("fast-read-world")
    world = _build(folder / "snapshot.db")
    return world, world.path.read_bytes()


FAST = FastPath(fast_read, ("sources", "show_json"))


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    yield from isolate(monkeypatch, tmp_path)


def assert_same(
    args: list[str],
    capfd: pytest.CaptureFixture[str],
    reset: Callable[[], None] = lambda: None,
    *,
    fast: bool | None = None,
) -> Outcome:
    """Both paths print the same; ``fast`` says whether the fast path must have answered."""
    return two_ways.assert_same(args, capfd, FAST, reset, fast=fast)


@pytest.fixture
def world(
    pristine: tuple[World, bytes], isolated: Path
) -> Iterator[tuple[World, Callable[[], None]]]:
    """The built database copied into the working directory, restorable between runs."""
    built, content = pristine
    path = isolated / "snapshot.db"

    def reset() -> None:
        for companion in ("-wal", "-shm"):
            Path(f"{path}{companion}").unlink(missing_ok=True)
        path.write_bytes(content)

    reset()
    yield World(path, built.snapshots, built.sources), reset


def _commands(world: World) -> Iterator[tuple[list[str], bool]]:
    """(arguments, whether the fast path answers) for every user and id in the world."""
    for user in (A, B, NOBODY):
        yield ["sources", "--user", user], True
        yield ["sources", "--user", user, "--json"], True
    for owner, ids in world.snapshots.items():
        for snapshot_id in ids:
            for user in (A, B):
                args = ["show", snapshot_id, "--user", user, "--format", "json"]
                yield args, user == owner
    for owner, ids in world.sources.items():
        latest = {s for s in ids if s in {world.sources[A][0], world.sources[A][1]}}
        for source_id in ids:
            args = ["show", "--latest", source_id, "--user", owner, "--format", "json"]
            yield args, source_id in latest or (owner == B)
    yield ["show", "no-such-id", "--user", A, "--format", "json"], False
    yield ["show", "--latest", "no-such-source", "--user", A, "--format", "json"], False
    yield ["show", world.snapshots[A][0], "--user", A], False  # text: the full path
    yield ["show", world.snapshots[A][0], "--user", A, "--format", "html"], False


def test_every_read_prints_the_same_on_both_paths(
    world: tuple[World, Callable[[], None]], capfd: pytest.CaptureFixture[str]
) -> None:
    built, reset = world
    for args, answers in _commands(built):
        assert_same(args, capfd, reset, fast=answers)


def test_the_fast_path_reads_the_latest_snapshot_and_every_status(
    world: tuple[World, Callable[[], None]], capfd: pytest.CaptureFixture[str]
) -> None:
    built, _ = world
    listed = json.loads(assert_same(["sources", "--user", A, "--json"], capfd, fast=True).stdout)
    assert {s["status"] for s in listed} == {
        "snapshot_generated",
        "uploaded",
        "bucketed",
        "generating",
    }
    assert listed[0]["latest_snapshot_id"] == built.snapshots[A][2]  # the second of source 0
    shown = assert_same(
        ["show", "--latest", built.sources[B][0], "--user", B, "--format", "json"], capfd
    )
    assert json.loads(shown.stdout)["meta"]["narrative_source"] == "template"
    suppressed = assert_same(
        ["show", built.snapshots[B][1], "--user", B, "--format", "json"], capfd, fast=True
    )
    assert json.loads(suppressed.stdout)["meta"]["min_cell_count"] == 5


@pytest.mark.parametrize("columns", ["80", "40"])
def test_narrow_terminals_drop_the_same_columns(
    world: tuple[World, Callable[[], None]],
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    columns: str,
) -> None:
    from snapshot_adapters.cli import common

    monkeypatch.setattr(common.out, "_console", None)  # made again at this width
    monkeypatch.setattr(common.err, "_console", None)
    monkeypatch.setenv("COLUMNS", columns)
    assert_same(["sources", "--user", A], capfd, fast=True)


def _v1(body: str) -> str:
    """A version-1 document: what a snapshot looked like before outcomes and money."""
    document = json.loads(body)
    for key in ("outcomes", "money"):
        del document[key]
    document["meta"]["schema_version"] = "1"
    del document["meta"]["narrative_source"]
    del document["decision_latency"]["median_days"]
    for week in document["demand"]["weekly_volume"]:
        for key in ("week_start", "won", "lost", "amount_total"):
            del week[key]
    for band in document["demand"]["price_distribution"]:
        for key in ("amount_total", "won", "lost", "win_rate_pct"):
            del band[key]
    for finding in document["insights"]["findings"]:
        del finding["facts"]
    return json.dumps(document)


def test_stored_documents_the_fast_path_is_unsure_of_go_to_the_full_path(
    world: tuple[World, Callable[[], None]], capfd: pytest.CaptureFixture[str]
) -> None:
    built, reset = world
    snapshot_id = built.snapshots[A][1]
    db = sqlite3.connect(built.path)
    try:  # closed before the file is restored under it
        (body,) = db.execute(
            "SELECT body FROM snapshots WHERE snapshot_id = ?", (snapshot_id,)
        ).fetchone()
    finally:
        db.close()
    document = json.loads(body)
    amount = json.loads(body)
    amount["money"]["total_amount"] = 1250  # an int where a float is written: 1250.0
    tiny = json.loads(body)
    tiny["money"]["average_amount"] = 1e-07  # pydantic writes 1e-7
    edits = {
        "v1": (_v1(body), False),
        "int amount": (json.dumps(amount), True),
        "exponent": (json.dumps(tiny), False),
        "reordered": (json.dumps(dict(reversed(list(document.items())))), False),
        "not json": ("{", False),
        "surrogate": (body.replace('"headline": "', '"headline": "\\ud800', 1), False),
    }
    for edited, answers in edits.values():

        def reset_and_edit(text: str = edited) -> None:
            reset()
            _edit(
                built.path, "UPDATE snapshots SET body = ? WHERE snapshot_id = ?", text, snapshot_id
            )

        args = ["show", snapshot_id, "--user", A, "--format", "json"]
        assert_same(args, capfd, reset_and_edit, fast=answers)


def test_an_outdated_or_odd_database_goes_to_the_full_path(
    world: tuple[World, Callable[[], None]], capfd: pytest.CaptureFixture[str]
) -> None:
    built, reset = world

    def older() -> None:
        reset()
        _edit(built.path, "UPDATE alembic_version SET version_num = ?", "0004")

    def another_time_format() -> None:
        reset()
        _edit(built.path, "UPDATE sources SET created_at = '2026-01-05T09:00:00+00:00'")

    assert HEAD_REVISION != "0004"
    for reset_to in (older, another_time_format):
        assert_same(["sources", "--user", A, "--json"], capfd, reset_to, fast=False)


@pytest.mark.filterwarnings("ignore:Query string argument")
def test_databases_the_fast_path_does_not_read_go_to_the_full_path(
    isolated: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    empty = isolated / "empty.db"
    app = _orchestrator(empty, FakeModel())
    assert app.list_sources(user_id=A) == []  # migrated, nothing in it
    _dispose(app)
    assert_same(["--db", f"sqlite:///{empty}", "sources", "--user", A], capfd, fast=True)
    for url in (
        f"sqlite:///{isolated / 'missing.db'}",
        "memory://",
        "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
        "sqlite:///empty.db?mode=ro",
        "mysql://x/y",
    ):
        assert_same(["--db", url, "sources", "--user", A], capfd, fast=False)
        assert_same(["--db", url, "show", "x", "--user", A, "-f", "json"], capfd, fast=False)
    assert not (isolated / "missing.db").exists()  # a read command never creates a file


def test_settings_are_read_as_pydantic_settings_reads_them(
    world: tuple[World, Callable[[], None]],
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built, reset = world
    folder = built.path.parent
    elsewhere = folder / "elsewhere.db"
    elsewhere.write_bytes(built.path.read_bytes())
    cases: list[tuple[dict[str, str], dict[str, str], bool]] = [
        ({"SNAPSHOT_USER": A}, {}, True),
        ({"snapshot_user": B}, {}, True),  # names are not case-sensitive
        ({}, {".env": f"SNAPSHOT_USER={A}\n"}, True),
        ({}, {".env": f"SNAPSHOT_USER={A}\n", ".env.local": f"SNAPSHOT_USER={B}\n"}, True),
        ({"SNAPSHOT_USER": B}, {".env.local": f"SNAPSHOT_USER={A}\n"}, True),
        ({}, {".env": f"SNAPSHOT_DATABASE_URL=sqlite:///{elsewhere}\nSNAPSHOT_USER={A}\n"}, True),
        ({"SNAPSHOT_MIN_CELL_COUNT": "3", "SNAPSHOT_CURRENCY": "EUR"}, {}, True),
        ({"OPENAI_API_KEY": "sk-test", "SNAPSHOT_MODEL": "m"}, {}, True),
        ({"SNAPSHOT_TEMPERATURE": "abc"}, {}, False),  # only Settings names the problem
        ({"SNAPSHOT_LLM": "bogus"}, {}, False),
        ({"SNAPSHOT_MIN_CELL_COUNT": "-1"}, {}, False),
        ({"SNAPSHOT_CURRENCY": "eur"}, {}, False),
        ({"SNAPSHOT_USER": ""}, {}, False),
        ({"SNAPSHOT_DATABASE_URL": ""}, {}, False),
        ({}, {".env": "SNAPSHOT_USER\n"}, False),  # a name with no value
        ({}, {".env": "this is not a line dotenv reads\n"}, False),
        ({"SNAPSHOT_LEASE_SECONDS": "10"}, {}, False),
        ({"SNAPSHOT_DEBUG": "1", "SNAPSHOT_NOT_A_SETTING": "x"}, {}, True),
    ]
    for environment, files, answers in cases:
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        user = (
            []
            if any("USER" in k.upper() for k in (*environment, *files.values()))
            else ["--user", A]
        )
        for args in (["sources", *user], ["show", built.snapshots[A][0], *user, "-f", "json"]):
            outcome = assert_same(args, capfd, reset)
            assert outcome.fast is (answers and (args[0] == "sources" or outcome.code == 0))
        for name in environment:
            monkeypatch.delenv(name)
        for name in files:
            (folder / name).unlink()


def test_the_db_option_wins_and_bad_arguments_are_worded_by_the_full_path(
    world: tuple[World, Callable[[], None]], capfd: pytest.CaptureFixture[str]
) -> None:
    built, reset = world
    monkeypatch_url = f"sqlite:///{built.path.parent / 'absent.db'}"
    os.environ["SNAPSHOT_DATABASE_URL"] = monkeypatch_url
    db = ["--db", f"sqlite:///{built.path}"]
    assert_same([*db, "sources", "--user", A], capfd, reset, fast=True)
    assert_same(["sources", "--user", A], capfd, reset, fast=False)  # no database at PATH
    for args in (
        ["sources", "--user", ""],
        ["sources", "--user", " "],
        ["sources", "--user", "u" * 300],
        ["sources", "--user", "nul\x00"],
        ["show", "--user", A, "-f", "json"],
        ["show", "x", "--latest", "y", "--user", A, "-f", "json"],
        ["show", built.snapshots[A][0], "--user", A, "-f", "JSON"],
    ):
        assert_same([*db, *args], capfd, reset, fast=False)


def test_the_fast_path_loads_no_database_library_no_model_and_no_settings_model(
    pristine: tuple[World, bytes], tmp_path: Path
) -> None:
    """In a real process, as users run it: what makes the full path slow is never imported."""
    built, content = pristine
    (tmp_path / "snapshot.db").write_bytes(content)
    heavy = {"sqlalchemy", "alembic", "pydantic", "pydantic_settings", "snapshot_core", "dotenv"}
    heavy |= {"dependency_injector", "typer._adapters"}
    for args in (
        ["sources", "--user", A],
        ["sources", "--user", A, "--json"],
        ["show", built.snapshots[A][0], "--user", A, "--format", "json"],
        ["show", "--latest", built.sources[B][0], "--user", B, "-f", "json"],
    ):
        result, loaded = run_as_users_do(args, tmp_path, {})
        assert result.returncode == 0, result.stderr
        assert not {name for name in loaded if name.split(".")[0] in heavy or name in heavy}, args
        assert "sqlite3" in loaded  # the file was read
