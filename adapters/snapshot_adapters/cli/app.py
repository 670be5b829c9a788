"""The Typer application every command module registers itself on, and its global options."""

from __future__ import annotations

from typing import Annotated

import typer

from .plugins import PluginGroup

__all__ = ["app"]

app = typer.Typer(
    name="snapshot",
    help="Turn estimates into bucketed aggregates and a grounded narrative snapshot.",
    cls=PluginGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _global_options(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="URL",
            help="Database URL for this command (wins over SNAPSHOT_DATABASE_URL and .env).",
        ),
    ] = None,
) -> None:
    from .common import set_database_url

    set_database_url(db)
