"""Test databases: a throw-away PostgreSQL database per test session, and migrated SQLite
files copied from one template. Test fixtures may run DDL; run-time code may not."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from snapshot_adapters.sql import upgrade_database

__all__ = [
    "DEFAULT_POSTGRES_URL",
    "TABLES",
    "admin_url",
    "copy_sqlite_template",
    "postgres_unavailable_reason",
    "require_postgres",
    "temporary_postgres_database",
    "truncate_all",
]

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TABLES = ("runs", "snapshots", "buckets", "estimates", "sources", "api_keys")


def admin_url() -> URL:
    return make_url(os.environ.get("SNAPSHOT_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL)


def postgres_unavailable_reason() -> str | None:
    engine = create_engine(admin_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "no server to test against"
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return f"PostgreSQL at {admin_url().render_as_string(hide_password=True)}: {first}"
    finally:
        engine.dispose()
    return None


def require_postgres() -> None:
    """Skip (locally) or fail (with CI set) when there is no PostgreSQL server to test."""
    reason = postgres_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the PostgreSQL tests, but {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL ({reason}); set SNAPSHOT_TEST_POSTGRES_URL to run these")


@contextmanager
def temporary_postgres_database(prefix: str = "snapshot_test") -> Iterator[URL]:
    """CREATE DATABASE <prefix>_<random>, migrate it to head, yield its URL, DROP it."""
    name = f"{prefix}_{secrets.token_hex(5)}"
    admin = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url().set(database=name)
        try:
            upgrade_database(url)
            yield url
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def truncate_all(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))


def copy_sqlite_template(template: Path, target: Path) -> str:
    """A migrated SQLite file in a few milliseconds: copy the session's template."""
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied per test (migrating each time would dominate)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[URL]:
    """A migrated scratch PostgreSQL database for the session, dropped at the end."""
    require_postgres()
    with temporary_postgres_database() as url:
        yield url
