"""The Typer application every command module registers itself on."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(
    name="snapshot",
    help="Turn estimates into bucketed aggregates and a grounded narrative snapshot.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
