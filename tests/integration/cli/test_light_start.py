"""`snapshot ingest` and `snapshot bucket` print the same whether they start light
(`cli/light_start.py`: no pydantic-settings, no dependency-injector) or through ``Settings``
and ``Container``.

Every case runs one command twice in this process, from the same state (database file and
settings restored between the two): once as users run it, once with the light start switched
off. Exit code, stdout and stderr must be equal (a new source's id aside: each run makes its
own, and so does the buckets' creation time). The cases cover new and existing databases,
users from the option, the environment and ``.env``, settings the light start reads and
settings it leaves to ``Settings`` (bad ones too), bad files, missing users, unknown and
other users' sources, a span longer than SNAPSHOT_MAX_WEEKS, an unreachable PostgreSQL
server and a URL no store speaks; the cases where the light start must answer check that
it did.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from snapshot_adapters.cli import light_start
from snapshot_adapters.cli.main import main

from . import two_ways
from .two_ways import FastPath, Outcome, close_stores, isolate, restorer, run_as_users_do

_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NOW = re.compile(r'"created_at": "[^"]*"')  # when the buckets were made: each run's own

GOOD = (
    "estimate_id,amount,sent_at,decided_at,notes\n"
    "E-1,1200.50,2026-01-05T10:00:00Z,2026-01-09T10:00:00Z,first\n"
    "E-2,300,2026-02-16T09:30:00+02:00,,second\n"
    "E-3,8000,2026-03-02,2026-03-03,third\n"
)
BAD_ROW = GOOD + "E-4,lots,2026-03-02,,fourth\n"


LIGHT = FastPath(light_start, ("light_container",))


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "good.csv").write_text(GOOD)
    (tmp_path / "bad.csv").write_text(BAD_ROW)
    yield from isolate(monkeypatch, tmp_path)


def _normalise(text: str) -> str:
    return _NOW.sub("NOW", _ID.sub("ID", text))


def assert_same(
    args: list[str],
    capfd: pytest.CaptureFixture[str],
    reset: Callable[[], None] = lambda: None,
    *,
    light: bool | None = None,
) -> Outcome:
    """Both starts print the same; ``light`` says whether the light one must have answered."""
    return two_ways.assert_same(args, capfd, LIGHT, reset, fast=light, normalise=_normalise)


def _database(folder: Path) -> tuple[Path, Callable[[], None]]:
    """A database with one source of user "u" (returned by ``source``) and its restorer."""
    path = folder / "snapshot.db"
    code = main(["--db", f"sqlite:///{path}", "ingest", str(folder / "good.csv"), "-u", "u"])
    close_stores()
    assert code == 0
    return path, restorer(path)


def _source_id(path: Path) -> str:
    import sqlite3

    with sqlite3.connect(path) as db:
        (found,) = db.execute("SELECT source_id FROM sources").fetchone()
    db.close()
    return str(found)


def test_ingest_prints_the_same_on_both_starts(
    isolated: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path, reset = _database(isolated)
    db = ["--db", f"sqlite:///{path}"]
    for args, light in [
        ([*db, "ingest", "good.csv", "--user", "u"], True),
        ([*db, "ingest", "good.csv", "-u", "u", "--json", "--name", "N"], True),
        ([*db, "ingest", "bad.csv", "-u", "u"], True),
        ([*db, "ingest", "bad.csv", "-u", "u", "--on-bad-rows", "skip"], True),
        ([*db, "ingest", "bad.csv", "-u", "u", "--rejects", "rejects.csv", "--force"], True),
        ([*db, "ingest", "good.csv", "-u", "u", "--map", "amount=notes"], True),
        ([*db, "ingest", "good.csv", "-u", "u", "--map", "nonsense"], False),
        ([*db, "ingest", "good.csv"], True),  # no user anywhere
        ([*db, "ingest", "good.csv", "--user", ""], False),
        ([*db, "ingest", "missing.csv", "-u", "u"], False),
        ([*db, "ingest", str(isolated), "-u", "u"], False),
        ([*db, "ingest", "./good.csv", "-u", "u"], True),  # Typer's own path coercion
        ([*db, "ingest", "good.csv", "-u", "u", "--format", "jsonl"], True),
        (["--db", "sqlite:///new.db", "ingest", "good.csv", "-u", "u"], True),
        (["--db", "mysql://x/y", "ingest", "good.csv", "-u", "u"], True),
        (["--db", "postgresql+psycopg://u@127.0.0.1:1/x", "ingest", "good.csv", "-u", "u"], True),
        (["--db", "memory://", "ingest", "good.csv", "-u", "u"], False),
    ]:

        def restore() -> None:
            reset()
            for made in ("new.db", "new.db-wal", "new.db-shm", "rejects.csv"):
                (isolated / made).unlink(missing_ok=True)

        assert_same(args, capfd, restore, light=light)


def test_bucket_prints_the_same_on_both_starts(
    isolated: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path, reset = _database(isolated)
    source = _source_id(path)
    db = ["--db", f"sqlite:///{path}"]
    for args, light in [
        ([*db, "bucket", source, "--user", "u"], True),
        ([*db, "bucket", source, "-u", "u", "--json"], True),
        ([*db, "bucket", source, "-u", "someone-else"], True),
        ([*db, "bucket", "no-such-source", "-u", "u"], True),
        ([*db, "bucket", source], True),  # no user anywhere
        (["--db", "sqlite:///absent.db", "bucket", source, "-u", "u"], True),
        (["--db", "postgresql+psycopg://u@127.0.0.1:1/x", "bucket", source, "-u", "u"], True),
    ]:
        assert_same(args, capfd, reset, light=light)


@pytest.mark.parametrize(
    ("variables", "files", "light"),
    [
        ({"SNAPSHOT_USER": "u"}, {}, True),
        ({}, {".env": "SNAPSHOT_USER=u\n"}, True),
        ({"SNAPSHOT_USER": "u"}, {".env.local": "SNAPSHOT_USER=v\n"}, True),
        ({"SNAPSHOT_USER": "u", "SNAPSHOT_MAX_WEEKS": "2"}, {}, True),  # a span too long
        ({"SNAPSHOT_USER": "u", "SNAPSHOT_MIN_CELL_COUNT": "3"}, {}, True),
        (
            {"SNAPSHOT_USER": "u", "SNAPSHOT_CURRENCY": "EUR", "SNAPSHOT_MAX_INSIGHTS": "8"},
            {},
            True,
        ),
        ({"SNAPSHOT_USER": "u", "SNAPSHOT_MAX_WEEKS": "0"}, {}, False),  # refused by Settings
        ({"SNAPSHOT_USER": "u", "SNAPSHOT_TEMPERATURE": "hot"}, {}, False),
        ({"SNAPSHOT_USER": "u", "SNAPSHOT_PRICE_BANDS": "100,50"}, {}, False),
        ({"SNAPSHOT_USER": "u", "SNAPSHOT_LATENCY_BANDS": "1,2,3"}, {}, False),
        ({"SNAPSHOT_USER": "u", "SNAPSHOT_INGEST_MAX_ROWS": "2"}, {}, False),
        ({"SNAPSHOT_USER": "u", "SNAPSHOT_INGEST_MAX_BYTES": "10"}, {}, False),
        ({"SNAPSHOT_USER": "u"}, {".env": "not a line dotenv reads\n"}, False),
    ],
)
def test_settings_give_the_same_on_both_starts(
    isolated: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    files: dict[str, str],
    light: bool,
) -> None:
    path, reset = _database(isolated)
    source = _source_id(path)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    for name, text in files.items():
        (isolated / name).write_text(text)
    monkeypatch.setenv("SNAPSHOT_DATABASE_URL", f"sqlite:///{path}")
    assert_same(["ingest", "good.csv"], capfd, reset, light=light)
    assert_same(["bucket", source], capfd, reset, light=light)
    assert_same(["bucket", source, "--json"], capfd, reset, light=light)


def test_an_older_database_is_migrated_alike(
    isolated: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    path, _ = _database(isolated)
    with sqlite3.connect(path) as db:  # as if made by the code before the last revision
        db.execute("UPDATE alembic_version SET version_num = '0005'")
    db.close()
    reset = restorer(path)
    db_option = ["--db", f"sqlite:///{path}"]
    assert_same([*db_option, "ingest", "good.csv", "-u", "u"], capfd, reset, light=True)
    assert_same([*db_option, "bucket", _source_id(path), "-u", "u"], capfd, reset, light=True)


def test_the_light_start_leaves_no_wal_file_and_loads_no_settings_model(tmp_path: Path) -> None:
    """In real processes, as users run them: the store is closed as the process ends (its
    -wal and -shm files removed, as before), and neither pydantic-settings nor
    dependency-injector is imported, nor the modules these commands never use (the
    repository protocols, which only type checking reads; API keys)."""
    (tmp_path / "good.csv").write_text(GOOD)
    heavy = {"pydantic_settings", "dependency_injector", "typer._adapters"}
    heavy |= {"snapshot_core.ports.repositories", "snapshot_adapters.sql.api_keys"}
    heavy |= {"snapshot_core.domain.api_keys"}
    outputs: list[str] = []
    for args in (["ingest", "good.csv"], ["bucket", "SOURCE"]):
        args = [a.replace("SOURCE", outputs[-1] if outputs else "") for a in args]
        settings = {"SNAPSHOT_USER": "u", "SNAPSHOT_LLM": "fake"}
        result, loaded = run_as_users_do(args, tmp_path, settings)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.strip())
        assert not {name for name in loaded if name.split(".")[0] in heavy or name in heavy}
        assert sorted(p.name for p in tmp_path.glob("snapshot.db*")) == ["snapshot.db"], args


def test_loading_freezes_only_in_the_snapshot_process() -> None:
    """In-process (tests, programs calling ``main``), a command leaves the garbage collector
    as it found it; in the `snapshot` process, what start-up loaded is frozen."""
    import gc

    from snapshot_adapters.cli.loading import loading

    frozen = gc.get_freeze_count()
    with loading():
        assert gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    code = (
        "import gc, sys\nsys.argv = ['snapshot', '--help']\n"
        "from snapshot_adapters.cli.main import run\n"
        "try:\n    run()\nexcept SystemExit:\n"
        "    print(gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stderr.split() == ["True", "True"], result.stderr
