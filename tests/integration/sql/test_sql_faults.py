"""Faults, with nothing lost and nothing half-written: the database is unreachable before a
run; the connection drops between the model's reply and the save; it drops while the model
works (the pool replaces it)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import URL

from snapshot_adapters.fake import FakeModel, FixedClock
from snapshot_adapters.sql import SqlStore, create_sql_store
from snapshot_adapters.sql import engine as engine_module
from snapshot_core.domain import (
    AgentInput,
    DatabaseUnavailableError,
    ModelReply,
    RunOutcome,
    RunPolicy,
    SnapshotNotSavedError,
    SourceStatus,
)

from .flows import USER, bucketed_source, orchestrator
from .tcp_proxy import TcpProxy

PASSWORD = "s3cret-Pa55"


def test_an_unreachable_sqlite_file_fails_clearly_before_any_model_call(tmp_path: Path) -> None:
    model = FakeModel()
    store = create_sql_store(f"sqlite:///{tmp_path / 'missing-dir' / 'snapshot.db'}")
    with pytest.raises(DatabaseUnavailableError) as caught:
        orchestrator(store, model).run_snapshot(source_id="source-000001", user_id=USER)
    assert "unable to open database file" in caught.value.detail
    assert caught.value.solution
    assert model.calls == []


@pytest.fixture
def proxied_postgres(postgres_url: URL) -> Iterator[tuple[TcpProxy, URL]]:
    proxy = TcpProxy(postgres_url.host or "127.0.0.1", postgres_url.port or 5432)
    # Trust authentication ignores the password; it is there to prove it never leaks.
    yield proxy, postgres_url.set(host="127.0.0.1", port=proxy.port, password=PASSWORD)
    proxy.close()


@pytest.mark.postgres
def test_postgres_going_away_before_a_run_fails_clearly_with_zero_model_calls(
    proxied_postgres: tuple[TcpProxy, URL],
) -> None:
    proxy, url = proxied_postgres
    store = create_sql_store(url)
    model = FakeModel()
    app = orchestrator(store, model)
    source_id = bucketed_source(app)  # works while the server is there
    proxy.close()  # the server "goes away": pooled connections cut, new ones refused

    with pytest.raises(DatabaseUnavailableError) as caught:
        app.run_snapshot(source_id=source_id, user_id=USER)
    assert model.calls == []
    error = caught.value
    assert "Connection refused" in error.detail or "connection" in error.detail.lower()
    for text_shown in (str(error), error.detail, repr(error), str(error.to_dict())):
        assert PASSWORD not in text_shown
    store.dispose()


def _sqlite_drop(store: SqlStore) -> Callable[[], None]:
    """Fail the save the way a lost database file or full disk would."""

    def fail(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "INSERT INTO snapshots" in statement:  # alone, or in the save's one statement
            raise sqlite3.OperationalError("disk I/O error")

    event.listen(store.engine, "before_cursor_execute", fail)
    return lambda: event.remove(store.engine, "before_cursor_execute", fail)


def _postgres_drop(store: SqlStore, admin_url: URL) -> Callable[[], None]:
    """Terminate the saving connection's server process mid-transaction, from outside."""
    dsn = admin_url.set(drivername="postgresql").render_as_string(hide_password=False)

    def terminate(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "INSERT INTO snapshots" in statement:  # alone, or in the save's one statement
            pid = conn.connection.driver_connection.info.backend_pid
            with psycopg.connect(dsn, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    event.listen(store.engine, "before_cursor_execute", terminate)
    return lambda: event.remove(store.engine, "before_cursor_execute", terminate)


def test_a_save_that_keeps_failing_keeps_the_paid_reply_on_the_run_record(
    request: pytest.FixtureRequest, sql_store: SqlStore
) -> None:
    model, clock = FakeModel(), FixedClock()
    app = orchestrator(sql_store, model, clock, policy=RunPolicy(save_wait_seconds=0.3))
    source_id = bucketed_source(app)
    if sql_store.engine.dialect.name == "sqlite":
        restore = _sqlite_drop(sql_store)
    else:
        restore = _postgres_drop(sql_store, request.getfixturevalue("postgres_url"))
    with pytest.raises(SnapshotNotSavedError) as caught:
        app.run_snapshot(source_id=source_id, user_id=USER)
    restore()

    assert len(model.calls) == 1  # paid for: the reply is on record, no snapshot half-written
    assert caught.value.run_kept and caught.value.reply_json
    with sql_store() as uow:
        source = uow.sources.get(source_id, USER)
        [kept] = uow.runs.list(USER)
        count = uow.execute(text("SELECT count(*) FROM snapshots")).scalar_one()
    assert count == 0
    assert (kept.outcome, kept.error_code) == (RunOutcome.FAILED, "snapshot_not_saved")
    assert kept.reply_json == caught.value.reply_json
    assert kept.prompt_tokens > 0  # what the call cost is on record too
    assert source is not None
    assert (source.status, source.attempt) == (SourceStatus.BUCKETED, 1)

    snapshot_id = app.run_snapshot(source_id=source_id, user_id=USER)  # a new attempt

    assert len(model.calls) == 2
    with sql_store() as uow:
        source = uow.sources.get(source_id, USER)
        runs = uow.runs.list(USER)
        assert uow.snapshots.get(snapshot_id, USER) is not None
    assert source is not None
    assert (source.status, source.attempt) == (SourceStatus.SNAPSHOT_GENERATED, 2)
    assert [(run.attempt, run.outcome) for run in runs] == [
        (1, RunOutcome.FAILED),
        (2, RunOutcome.SUCCEEDED),
    ]


def test_a_save_failing_for_a_moment_is_retried_and_the_snapshot_saved(sqlite_url: str) -> None:
    sql_store, model = create_sql_store(sqlite_url), FakeModel()
    app = orchestrator(sql_store, model, FixedClock(), policy=RunPolicy(save_wait_seconds=30))
    source_id = bucketed_source(app)
    failures = iter(range(2))  # the first two tries of the save fail, the third goes through

    def fail(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO snapshots") and next(failures, None) is not None:
            raise sqlite3.OperationalError("database is locked")

    event.listen(sql_store.engine, "before_cursor_execute", fail)
    try:
        snapshot_id = app.run_snapshot(source_id=source_id, user_id=USER)
    finally:
        event.remove(sql_store.engine, "before_cursor_execute", fail)

    assert len(model.calls) == 1
    with sql_store() as uow:
        [run] = uow.runs.list(USER)
        assert uow.snapshots.get(snapshot_id, USER) is not None
    assert (run.outcome, run.snapshot_id, run.reply_json) == (
        RunOutcome.SUCCEEDED,
        snapshot_id,
        None,
    )
    sql_store.dispose()


class _ServerRestartingModel(FakeModel):
    """While it "thinks", every idle connection of the store is terminated by the server."""

    def __init__(self, admin_dsn: str, database: str) -> None:
        super().__init__()
        self._dsn, self._database = admin_dsn, database

    def generate(self, agent_input: AgentInput) -> ModelReply:
        with psycopg.connect(self._dsn, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (self._database,),
            )
        return super().generate(agent_input)


@pytest.mark.postgres
def test_connections_dropped_during_the_model_call_are_replaced_and_the_save_succeeds(
    postgres_url: URL,
) -> None:
    store = create_sql_store(postgres_url)
    dsn = postgres_url.set(drivername="postgresql").render_as_string(hide_password=False)
    model = _ServerRestartingModel(dsn, postgres_url.database or "")
    app = orchestrator(store, model)
    source_id = bucketed_source(app, seed=11)
    snapshot_id = app.run_snapshot(source_id=source_id, user_id=USER)  # pre-ping reconnects
    assert len(model.calls) == 1
    assert app.get_snapshot(snapshot_id=snapshot_id, user_id=USER).meta.source_id == source_id
    store.dispose()


# No test makes it: the session's database is shared by every test of this worker, and the
# flows' SequentialIds make source-000001 for USER (so it may be there, from another test).
ABSENT = "source-never-made"


def _terminate_idle_connections(postgres_url: URL) -> None:
    dsn = postgres_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (postgres_url.database or "",),
        )


@pytest.mark.postgres
def test_a_connection_idle_past_the_ping_threshold_is_pinged_and_replaced(
    postgres_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = create_sql_store(postgres_url)
    with store() as uow:  # a pooled connection, checked in again
        uow.sources.get(ABSENT, USER)
    _terminate_idle_connections(postgres_url)
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 0.0)  # idle long enough
    with store() as uow:
        assert uow.sources.get(ABSENT, USER) is None  # no error: reconnected
    store.dispose()


@pytest.mark.postgres
def test_a_connection_used_a_moment_ago_is_trusted_without_a_ping(
    postgres_url: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other side of the threshold: no ping, so a connection the server dropped a moment
    after its last use fails one statement (and the pool is renewed for the next)."""
    store = create_sql_store(postgres_url)
    with store() as uow:
        uow.sources.get(ABSENT, USER)
    _terminate_idle_connections(postgres_url)
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    with pytest.raises(DatabaseUnavailableError), store() as uow:
        uow.sources.get(ABSENT, USER)
    with store() as uow:
        assert uow.sources.get(ABSENT, USER) is None
    store.dispose()
