"""The direct SQLite store (``sql/direct``): its statements are the ones SQLAlchemy compiles from
the SQL repositories, its values are the ones their column types write, and what it stores
equals what ``SqlStore`` stores, table by table; the methods it leaves to SQLAlchemy run in
its own transaction."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from snapshot_adapters.fake import FixedClock, SequentialIds, synthetic_estimates
from snapshot_adapters.sql import create_sql_store
from snapshot_adapters.sql.direct import statements
from snapshot_adapters.sql.direct.compiler import compile_statements
from snapshot_adapters.sql.direct.statement import Statement
from snapshot_adapters.sql.direct.store import DirectStore, direct_store
from snapshot_adapters.sql.types import UtcDateTime
from snapshot_core.domain import Source
from snapshot_core.ports import UnitOfWorkFactory

from ...contract.databases import copy_sqlite_template
from .dumps import dump
from .flows import USER, orchestrator

ROOT = Path(__file__).resolve().parents[3]


def test_the_generated_statements_are_the_ones_sqlalchemy_compiles() -> None:
    """If this fails, a statement of ``sql/`` changed: run
    ``.venv/bin/python scripts/compile_sqlite_statements.py`` and commit the result."""
    fresh = compile_statements()
    generated = {name: getattr(statements, name) for name in statements.__all__}
    assert generated == fresh, "re-run scripts/compile_sqlite_statements.py"
    checked = subprocess.run(
        [sys.executable, "scripts/compile_sqlite_statements.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


_SQLITE = sqlite.dialect()
_UTC_DATETIME = UtcDateTime()
_DATETIME_BIND = _UTC_DATETIME.dialect_impl(_SQLITE).bind_processor(_SQLITE)
_DATETIME_RESULT = _UTC_DATETIME.dialect_impl(_SQLITE).result_processor(_SQLITE, None)


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
    )
)
@example(datetime(2026, 1, 5, tzinfo=UTC))
@example(datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC))
def test_a_moment_is_written_and_read_as_utc_datetime_does(moment: datetime) -> None:
    statement = Statement("?", (("arg", "at", "utc_text"),), (("at", "utc_text"),))
    (written,) = statement.bind({"at": moment})
    assert _DATETIME_BIND is not None and _DATETIME_RESULT is not None
    assert written == _DATETIME_BIND(moment)
    assert statement.row((written,))["at"] == _DATETIME_RESULT(written) == moment


def _work(store: UnitOfWorkFactory) -> list[Any]:
    """Ingests (models, then mappings), buckets twice, reads back."""
    app = orchestrator(store, clock=FixedClock(), ids=SequentialIds())
    first = app.ingest_estimates(user_id=USER, rows=synthetic_estimates(700, seed=3))
    rows = [{"amount": "12.00001", "sent_at": "2026-01-05", "decided_at": "2026-02-01"}]
    second = app.ingest_estimates(user_id=USER, rows=rows, name="mapped")
    buckets = [app.bucket_source(source_id=first, user_id=USER)]
    buckets.append(app.bucket_source(source_id=first, user_id=USER))  # replaces them
    return [first, second, buckets, app.list_sources(user_id=USER)]


def test_the_direct_store_stores_what_the_sql_store_stores(
    tmp_path: Path, sqlite_template: Path
) -> None:
    direct_url = copy_sqlite_template(sqlite_template, tmp_path / "direct.db")
    sql_url = copy_sqlite_template(sqlite_template, tmp_path / "sql.db")
    direct = direct_store(direct_url)
    assert isinstance(direct, DirectStore)
    sql = create_sql_store(sql_url)
    try:
        assert _work(direct) == _work(sql)
        assert direct.direct
    finally:
        direct.dispose()
        sql.dispose()
    assert dump(tmp_path / "direct.db") == dump(tmp_path / "sql.db")


def test_the_methods_left_to_sqlalchemy_share_the_transaction(
    tmp_path: Path, sqlite_template: Path
) -> None:
    url = copy_sqlite_template(sqlite_template, tmp_path / "store.db")
    store = direct_store(url)
    assert store is not None
    created = datetime(2026, 1, 5, tzinfo=UTC)
    try:
        with store() as uow:
            uow.sources.add(Source(source_id="s1", user_id=USER, created_at=created))
            # SQLAlchemy's read sees the uncommitted row: the same connection and transaction.
            assert [s.source_id for s in uow.sources.list_for_user(USER)] == ["s1"]
        with store() as uow:  # rolled back, both ways
            assert uow.sources.list_for_user(USER) == []
            assert uow.sources.get("s1", USER) is None
            uow.sources.add(Source(source_id="s2", user_id=USER, created_at=created))
            uow.commit()
            assert uow.sources.get("s2", USER) is not None  # a new transaction begins
            uow.sources.set_status("s2", uow.sources.get("s2", USER).status, 3)  # type: ignore[union-attr]
            assert uow.sources.list_for_user(USER)[0].estimate_count == 3
            uow.commit()
        with store() as uow:
            assert [s.estimate_count for s in uow.sources.list_for_user(USER)] == [3]
    finally:
        store.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///store.db?timeout=5",
        "sqlite+pysqlite:///store.db",
        "sqlite:///caf%C3%A9.db",
        "sqlite:///a@b.db",
        "sqlite:/// store.db",
        "postgresql+psycopg://u@h/db",
    ],
)
def test_other_urls_take_the_sql_store(url: str) -> None:
    assert direct_store(url) is None


@pytest.mark.parametrize("name", ["store.db", "with space.db", "a-b_c.1.db"])
def test_a_plain_url_is_the_text_sqlalchemy_renders(name: str, tmp_path: Path) -> None:
    """Error details quote the URL as SQLAlchemy renders it: for the direct store's URLs, the
    URL's own text."""
    from sqlalchemy.engine import make_url

    url = f"sqlite:///{tmp_path / name}"
    assert direct_store(url) is not None
    assert make_url(url).render_as_string(hide_password=False) == url
