"""Migrations: the only way the schema changes. SQLite migrates itself on first use;
PostgreSQL never does (a clear error names the command); the code's table definitions
match what the migrations build."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL

from snapshot_adapters.sql import create_sql_store, database_status, upgrade_database
from snapshot_adapters.sql.migrate import alembic_config, head_revision
from snapshot_adapters.sql.revision import HEAD_REVISION, recorded_revision
from snapshot_adapters.sql.schema import metadata
from snapshot_core.domain import DatabaseOutdatedError, JobTiming

from ...contract.databases import temporary_postgres_database
from .flows import USER, bucketed_source, orchestrator

TABLES = {"sources", "estimates", "buckets", "snapshots", "runs", "api_keys", "alembic_version"}


@pytest.fixture
def empty_postgres(postgres_url: URL) -> Iterator[URL]:
    """A database with nothing in it (the session database is already migrated)."""
    with temporary_postgres_database("snapshot_empty") as url:
        engine = create_engine(url)
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
            connection.execute(text("DROP TABLE alembic_version"))
        engine.dispose()
        yield url


def _tables(url: str | URL) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_is_never_migrated_implicitly(empty_postgres: URL) -> None:
    status = database_status(empty_postgres)
    assert (status.reachable, status.current, status.up_to_date) == (True, None, False)
    assert "snapshot db upgrade" in status.detail

    store = create_sql_store(empty_postgres)
    with pytest.raises(DatabaseOutdatedError) as caught:
        orchestrator(store).list_sources(user_id="alice")
    assert "snapshot db upgrade" in caught.value.solution
    assert (caught.value.current, caught.value.head) == (None, head_revision())
    assert _tables(empty_postgres) == set()  # looked, touched nothing

    assert upgrade_database(empty_postgres) == (None, head_revision())
    assert upgrade_database(empty_postgres) == (head_revision(), head_revision())
    assert database_status(empty_postgres).up_to_date
    assert orchestrator(store).list_sources(user_id="alice") == []  # checked again, now fine
    store.dispose()


def test_a_new_sqlite_file_is_migrated_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    status = database_status(f"sqlite:///{path}")
    assert (status.reachable, status.current) == (True, None)
    assert not path.exists()  # asking did not create it

    store = create_sql_store(f"sqlite:///{path}")
    assert not path.exists()  # nor did making the store
    source_id = bucketed_source(orchestrator(store))
    store.dispose()
    assert source_id
    assert _tables(f"sqlite:///{path}") == TABLES
    assert database_status(f"sqlite:///{path}").up_to_date


def test_an_outdated_sqlite_file_is_brought_to_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_database(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    engine.dispose()
    assert database_status(url).current is None

    store = create_sql_store(url)
    assert orchestrator(store).list_sources(user_id="alice") == []
    store.dispose()
    assert database_status(url).up_to_date


def test_many_stores_opening_one_new_sqlite_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'contended.db'}"
    barrier, errors = threading.Barrier(8), []

    def open_store() -> None:
        store = create_sql_store(url)
        try:
            barrier.wait(10)
            with store() as uow:
                uow.sources.list_for_user("alice")
        except Exception as error:  # collected and asserted on below
            errors.append(error)
        finally:
            store.dispose()

    threads = [threading.Thread(target=open_store) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    engine = create_engine(url)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    assert versions == [(head_revision(),)]


def test_the_code_tables_match_what_the_migrations_build(sql_url: str) -> None:
    engine = create_engine(sql_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": False, "target_metadata": metadata}
        )
        differences = compare_metadata(context, metadata)
    engine.dispose()
    if engine.dialect.name == "postgresql":
        # By design: on PostgreSQL the estimates -> sources reference is kept by triggers
        # (a per-row foreign key check would triple the time of a bulk COPY).
        differences = [
            diff
            for diff in differences
            if not (diff[0] == "add_fk" and diff[1].parent.name == "estimates")
        ]
    assert differences == []


def test_migrations_go_down_to_nothing_and_back_up(sql_url: str) -> None:
    engine = create_engine(sql_url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert _tables(sql_url) <= {"alembic_version"}
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    engine.dispose()
    assert _tables(sql_url) == TABLES
    assert database_status(sql_url).up_to_date


def test_an_unreachable_database_status_says_why_without_the_password() -> None:
    status = database_status("postgresql+psycopg://snap:hunter2@127.0.0.1:1/nowhere")
    assert (status.reachable, status.current, status.head) == (False, None, head_revision())
    assert "hunter2" not in status.detail
    assert "***" in status.detail


def test_the_head_revision_the_store_checks_is_the_head_of_the_migrations() -> None:
    assert head_revision() == HEAD_REVISION


@pytest.mark.parametrize("target", ["base", "0001", "0002", "head"])
def test_the_recorded_revision_is_the_one_alembic_reads(sql_url: str, target: str) -> None:
    engine = create_engine(sql_url)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), target)
        with engine.connect() as connection:
            alembic_reads = MigrationContext.configure(connection).get_current_revision()
            assert recorded_revision(connection) == alembic_reads
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
        with engine.connect() as connection:
            assert recorded_revision(connection) is None
        with engine.begin() as connection:  # back to head: the PostgreSQL database is shared
            if target != "base":
                command.stamp(alembic_config(connection), target)
            command.upgrade(alembic_config(connection), "head")
    finally:
        engine.dispose()


def test_a_command_on_a_sqlite_file_at_head_never_imports_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'head.db'}"
    upgrade_database(url)
    script = (
        "import sys\n"
        "from snapshot_adapters.sql import create_sql_store\n"
        f"store = create_sql_store({url!r})\n"
        "with store() as uow:\n"
        "    uow.sources.list_for_user('u')\n"
        "print('alembic' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_runs_from_before_revision_0006_read_their_job_waits_as_unknown(sql_url: str) -> None:
    store = create_sql_store(sql_url)
    app = orchestrator(store)
    source_id = bucketed_source(app)
    app.run_snapshot(source_id=source_id, user_id=USER, job=JobTiming(queue_delay_ms=5.0))
    assert app.list_runs(user_id=USER)[0].queue_delay_ms == 5.0
    store.dispose()
    engine = create_engine(sql_url)
    with engine.begin() as connection:  # the run now holds what a run before 0006 held
        command.downgrade(alembic_config(connection), "0005")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    engine.dispose()
    store = create_sql_store(sql_url)
    (run,) = orchestrator(store).list_runs(user_id=USER)
    store.dispose()
    assert run.snapshot_id is not None
    assert (run.queue_delay_ms, run.limiter_wait_ms) == (None, None)
