"""The real `snapshot` entry point in subprocesses, sharing one SQLite file across processes."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from snapshot_adapters.fake import synthetic_estimates
from snapshot_adapters.sql import create_sql_store
from snapshot_adapters.sql.migrate import alembic_config
from snapshot_adapters.sql.revision import HEAD_REVISION
from snapshot_adapters.system import SystemClock, UuidIds
from snapshot_core.use_cases import ingest_estimates

from ...contract.databases import require_postgres, temporary_postgres_database
from ..cli_runner import run_cli

USER = "cli-user"


def snapshot(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli(cwd, *args, **{"COLUMNS": "120", **env})


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


def make_source(workdir: Path, user: str = USER, count: int = 120) -> str:
    store = create_sql_store(f"sqlite:///{workdir / 'snapshot.db'}")
    try:
        return ingest_estimates(
            uow_factory=store,
            ids=UuidIds(),
            clock=SystemClock(),
            user_id=user,
            rows=synthetic_estimates(count),
        )
    finally:
        store.dispose()


def test_demo_runs_the_whole_flow_twice_on_the_default_sqlite_file(workdir: Path) -> None:
    for _ in range(2):
        result = snapshot(workdir, "demo")
        assert result.returncode == 0, result.stderr
        for heading in (
            "Weekly volume",
            "Price distribution",
            "Decision latency",
            "tokens",
            "cost",
        ):
            assert heading in result.stdout
        assert str(workdir / "snapshot.db") in result.stdout.replace("\n", "")
        # The demo's estimates carry outcomes, so the snapshot answers "am I winning?"
        assert re.search(r"\d+\.\d% win rate; \$[\d,]+ still open\.", result.stdout)
    listed = snapshot(workdir, "sources", "--user", "demo-user", "--json")
    assert [s["status"] for s in json.loads(listed.stdout)] == ["snapshot_generated"] * 2


def test_bucket_run_show_sources_stats_across_processes(workdir: Path) -> None:
    source_id = make_source(workdir)

    bucketed = snapshot(workdir, "bucket", source_id, "--user", USER)
    assert (bucketed.returncode, bucketed.stdout.strip()) == (0, source_id)

    ran = snapshot(workdir, "run", source_id, "--user", USER)
    assert ran.returncode == 0, ran.stderr
    snapshot_id = ran.stdout.strip()
    assert len(snapshot_id) == 36  # a UUID, alone on stdout

    shown = json.loads(
        snapshot(workdir, "show", snapshot_id, "--user", USER, "--format", "json").stdout
    )
    assert shown["meta"]["snapshot_id"] == snapshot_id
    assert shown["meta"]["estimate_count"] == 120
    assert sum(b["count"] for b in shown["demand"]["price_distribution"]) == 120

    text = snapshot(workdir, "show", snapshot_id, "--format", "text", SNAPSHOT_USER=USER)
    assert text.returncode == 0 and shown["insights"]["headline"] in text.stdout

    html = snapshot(workdir, "show", snapshot_id, "--user", USER, "--format", "html").stdout
    assert html.startswith("<!doctype html>") and "<script" not in html
    assert "<svg" in html and "Tokens" in html  # the charts, and the facts of its run

    sources = snapshot(workdir, "sources", "--user", USER)
    assert source_id in sources.stdout and "snapshot_generated" in sources.stdout

    stats = json.loads(snapshot(workdir, "stats", "--json").stdout)
    assert (stats["runs"], stats["succeeded"]) == (1, 1)


def test_domain_errors_exit_1_with_the_seed_message_meaning_and_solution(workdir: Path) -> None:
    source_id = make_source(workdir)
    unknown = snapshot(workdir, "run", "no-such-source", "--user", USER)
    not_yours = snapshot(workdir, "run", source_id, "--user", "someone-else")
    for result in (unknown, not_yours):
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.startswith("Error: Invalid source_id")
        assert "Meaning:" in result.stderr and "Solution:" in result.stderr
    assert unknown.stderr == not_yours.stderr

    not_bucketed = snapshot(workdir, "run", source_id, "--user", USER)
    assert not_bucketed.returncode == 1
    assert not_bucketed.stderr.startswith("Error: Source must be bucketed")

    snapshot(workdir, "bucket", source_id, "--user", USER)
    no_key = snapshot(workdir, "run", source_id, "--user", USER, SNAPSHOT_LLM="openai")
    assert no_key.returncode == 1 and no_key.stderr.startswith("Error: OPENAI_API_KEY is required")


def test_usage_errors_exit_2(workdir: Path) -> None:
    assert snapshot(workdir, "run", "x").returncode == 2  # no --user
    assert snapshot(workdir, "no-such-command").returncode == 2
    assert snapshot(workdir, "show", "x", "--user", "u", "--format", "pdf").returncode == 2


def test_db_upgrade_prints_the_head_revision(workdir: Path) -> None:
    first = snapshot(
        workdir, "db", "upgrade", SNAPSHOT_DATABASE_URL=f"sqlite:///{workdir / 'x.db'}"
    )
    again = snapshot(
        workdir, "db", "upgrade", SNAPSHOT_DATABASE_URL=f"sqlite:///{workdir / 'x.db'}"
    )
    assert first.returncode == again.returncode == 0
    assert first.stdout.strip() and first.stdout == again.stdout
    assert "already at head" in again.stderr


@pytest.mark.postgres
def test_read_commands_refuse_an_outdated_postgres_database_and_change_nothing(
    workdir: Path,
) -> None:
    require_postgres()
    with temporary_postgres_database("snapshot_cli_outdated") as url:
        engine = create_engine(url)
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0002")
        database = url.render_as_string(hide_password=False)
        for command_line in (
            ["sources"],
            ["runs"],
            ["stats"],
            ["show", "x"],
            ["show", "--latest", "x"],
        ):
            refused = snapshot(workdir, "--db", database, *command_line, "--user", USER)
            assert refused.returncode == 1, refused.stderr
            assert refused.stderr.startswith(
                f"Error: Database schema is at 0002, code needs {HEAD_REVISION}"
            )
            assert "snapshot db upgrade" in refused.stderr
            assert "Code: database_outdated" in refused.stderr
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
                ("0002",)
            ]
        engine.dispose()


def test_names_are_data_never_terminal_markup(workdir: Path) -> None:
    store = create_sql_store(f"sqlite:///{workdir / 'snapshot.db'}")
    try:
        ingest_estimates(
            uow_factory=store,
            ids=UuidIds(),
            clock=SystemClock(),
            user_id=USER,
            rows=synthetic_estimates(30),
            name="[/] [bold]x[/] :smile:",
        )
    finally:
        store.dispose()
    listed = snapshot(workdir, "sources", "--user", USER)
    assert listed.returncode == 0
    assert "[/]" in listed.stdout and ":smile:" in listed.stdout.replace("\n", " ")


def test_bad_settings_are_named_without_echoing_values(workdir: Path) -> None:
    bad = snapshot(
        workdir, "sources", "--user", USER, SNAPSHOT_LLM="s3cret-typo", SNAPSHOT_TEMPERATURE="abc"
    )
    assert bad.returncode == 1
    assert bad.stderr.startswith("Error: Invalid settings: SNAPSHOT_LLM:")
    assert "SNAPSHOT_TEMPERATURE" in bad.stderr and "s3cret-typo" not in bad.stderr
    scheme = snapshot(workdir, "sources", "--user", USER, SNAPSHOT_DATABASE_URL="mysql://x/y")
    assert scheme.returncode == 1 and "SNAPSHOT_DATABASE_URL" in scheme.stderr


def test_database_passwords_never_reach_the_terminal(workdir: Path) -> None:
    url = "postgresql+psycopg://app:TOPSECRET@127.0.0.1:1/x?password=TOPSECRET&sslmode=disable"
    result = snapshot(workdir, "sources", "--user", USER, SNAPSHOT_DATABASE_URL=url)
    assert result.returncode == 1 and result.stderr.startswith("Error: Database unavailable")
    assert "TOPSECRET" not in result.stderr + result.stdout
    assert "password=***" in result.stderr.replace("\n", "")


def test_the_user_may_come_from_the_env_file(workdir: Path) -> None:
    source_id = make_source(workdir)
    (workdir / ".env").write_text(f"SNAPSHOT_USER={USER}\n")
    listed = snapshot(workdir, "sources", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout)[0]["source_id"] == source_id
