"""Fixtures for the SQL integration tests: a throw-away PostgreSQL database for the session,
a migrated SQLite template, and stores on both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from snapshot_adapters.sql import SqlStore, create_sql_store

from ...contract.databases import (
    copy_sqlite_template,
    truncate_all,
)

SQL_BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    return copy_sqlite_template(sqlite_template, tmp_path / "store.db")


@pytest.fixture(params=SQL_BACKENDS)
def sql_url(request: pytest.FixtureRequest) -> str:
    """The URL of an empty, migrated database of each kind (PostgreSQL: emptied first)."""
    if request.param == "sqlite":
        url: str = request.getfixturevalue("sqlite_url")
        return url
    postgres: URL = request.getfixturevalue("postgres_url")
    store = create_sql_store(postgres)
    truncate_all(store.engine)
    store.dispose()
    return postgres.render_as_string(hide_password=False)


@pytest.fixture
def sql_store(sql_url: str) -> Iterator[SqlStore]:
    store = create_sql_store(sql_url)
    yield store
    store.dispose()
