"""Store fixtures for the contract suite: memory, SQLite (a file per test, in memory, and a file
per test on the direct store) and PostgreSQL (one database per session, emptied before each
test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.sql import SqlStore, create_sql_store
from snapshot_adapters.sql.direct.store import direct_store
from snapshot_core.ports import UnitOfWorkFactory

from .databases import (
    copy_sqlite_template,
    truncate_all,
)

BACKENDS = [
    pytest.param("memory", id="memory"),
    pytest.param("sqlite", id="sqlite"),
    pytest.param("sqlite-memory", id="sqlite-memory"),
    pytest.param("sqlite-direct", id="sqlite-direct"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session")
def postgres_store(postgres_url: URL) -> Iterator[SqlStore]:
    store = create_sql_store(postgres_url)
    yield store
    store.dispose()


@pytest.fixture(params=BACKENDS)
def store(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[UnitOfWorkFactory]:
    """A fresh, empty store of each kind."""
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "sqlite-direct":  # the direct store (sql/direct) on a migrated file
        direct = direct_store(copy_sqlite_template(sqlite_template, tmp_path / "store.db"))
        assert direct is not None
        yield direct
        direct.dispose()
    elif request.param.startswith("sqlite"):
        url = (
            "sqlite://"  # in memory, migrated on first use
            if request.param == "sqlite-memory"
            else copy_sqlite_template(sqlite_template, tmp_path / "store.db")
        )
        sqlite = create_sql_store(url)
        yield sqlite
        sqlite.dispose()
    else:
        postgres: SqlStore = request.getfixturevalue("postgres_store")
        truncate_all(postgres.engine)
        yield postgres
