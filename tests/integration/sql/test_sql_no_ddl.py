"""Run-time code issues no DDL: every statement of a whole cycle (open the store, ingest,
bucket, run, read back) is captured, and the database's own record of schema changes is
checked too (SQLite: PRAGMA schema_version; PostgreSQL: an event trigger on DDL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from snapshot_adapters.fake import FakeModel, FixedClock
from snapshot_adapters.sql import create_sql_store

from .flows import USER, bucketed_source, orchestrator

DDL = re.compile(r"^\s*(CREATE|ALTER|DROP|TRUNCATE|RENAME|COMMENT|GRANT|REVOKE)\b", re.I)


@pytest.fixture
def ddl_log(sql_url: str) -> Iterator[Any]:
    """A function returning the schema changes the database itself saw since the start."""
    engine = create_engine(sql_url)
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            before = connection.execute(text("PRAGMA schema_version")).scalar_one()

        def changes() -> list[str]:
            with engine.connect() as connection:
                after = connection.execute(text("PRAGMA schema_version")).scalar_one()
            return [] if after == before else [f"schema_version {before} -> {after}"]

        yield changes
    else:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE IF NOT EXISTS ddl_seen (tag text)"))
            connection.execute(
                text(
                    "CREATE OR REPLACE FUNCTION note_ddl() RETURNS event_trigger"
                    " LANGUAGE plpgsql AS $$ BEGIN INSERT INTO ddl_seen VALUES (tg_tag); END $$"
                )
            )
            connection.execute(
                text(
                    "CREATE EVENT TRIGGER note_ddl ON ddl_command_start EXECUTE FUNCTION note_ddl()"
                )
            )

        def changes() -> list[str]:
            with engine.connect() as connection:
                return list(connection.execute(text("SELECT tag FROM ddl_seen")).scalars())

        yield changes
        with engine.begin() as connection:
            connection.execute(text("DROP EVENT TRIGGER note_ddl"))
            connection.execute(text("DROP TABLE ddl_seen"))
            connection.execute(text("DROP FUNCTION note_ddl()"))
    engine.dispose()


def test_a_whole_cycle_issues_no_ddl(sql_url: str, ddl_log: Any) -> None:
    store = create_sql_store(sql_url)  # as a new process would: schema check included
    statements: list[str] = []
    event.listen(
        store.engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, *args: statements.append(statement),
    )
    model, clock = FakeModel(), FixedClock()
    app = orchestrator(store, model, clock)
    source_id = bucketed_source(app, count=500)
    app.bucket_source(source_id=source_id, user_id=USER)  # re-bucketing replaces buckets
    snapshot_id = app.run_snapshot(source_id=source_id, user_id=USER)
    app.get_snapshot(snapshot_id=snapshot_id, user_id=USER)
    app.list_sources(user_id=USER)
    app.run_stats(user_id=USER)
    store.dispose()

    assert len(model.calls) == 1
    verbs = {statement.split()[0].upper() for statement in statements}
    assert {"SELECT", "INSERT", "UPDATE"} <= verbs  # the capture saw the cycle
    assert [s for s in statements if DDL.match(s)] == []
    assert ddl_log() == []


def test_the_ddl_detectors_do_detect_ddl(sql_url: str, ddl_log: Any) -> None:
    """The checks above are not vacuous: a schema change is seen by the same detector."""
    engine = create_engine(sql_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE INDEX ix_probe ON sources (name)"))
        connection.execute(text("DROP INDEX ix_probe"))
    engine.dispose()
    assert ddl_log() != []
    assert DDL.match("  create table x (a int)")
