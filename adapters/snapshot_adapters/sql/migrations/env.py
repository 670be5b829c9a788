"""Alembic environment: uses the connection handed over by snapshot_adapters.sql.migrate, or,
for developers running the ``alembic`` command, the URL from alembic.ini or the environment."""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from snapshot_adapters.sql.engine import make_engine
from snapshot_adapters.sql.schema import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTERs via table copy
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    return os.environ.get("SNAPSHOT_DATABASE_URL") or config.get_main_option("sqlalchemy.url") or ""


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif (given := config.attributes.get("connection")) is not None:
    _run(given)
else:
    if config.config_file_name:  # the `alembic` command with alembic.ini: its logging setup
        fileConfig(config.config_file_name)
    engine = make_engine(_url())
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()
