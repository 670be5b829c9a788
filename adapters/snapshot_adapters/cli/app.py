"""The Typer applications: ``app``, which every built-in command module registers itself on,
and ``root``, the `snapshot` command with its global options, whose group (``PluginGroup``)
builds a built-in command from ``app`` only when it is run (Typer would build all of them, with
their parameters, on every run)."""

from __future__ import annotations

from typing import Annotated

import typer

from .plugins import PluginGroup

__all__ = ["app", "root"]

# Built-in commands register here (`@app.command()`); PluginGroup builds each on demand.
app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

root = typer.Typer(
    name="snapshot",
    help="Turn estimates into bucketed aggregates and a grounded narrative snapshot.",
    cls=PluginGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@root.callback()
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
