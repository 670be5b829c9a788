"""`snapshot db upgrade`: the only way the database schema changes."""

from __future__ import annotations

import typer

from .app import app
from .common import container, err, settings
from .terminal import emit

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command()
def upgrade() -> None:
    """Apply pending migrations to SNAPSHOT_DATABASE_URL."""
    chosen = settings()
    if chosen.storage_backend == "memory":
        err.print("memory:// storage has no schema to migrate.")
        return
    container(creates=True)  # says so when it makes a new SQLite file
    from ..sql import upgrade_database

    before, head = upgrade_database(chosen.database_url)
    if before == head:
        err.print(f"Database already at head ({head}).")
    else:
        err.print(f"Database upgraded from {before or 'empty'} to {head}.")
    emit(head)
