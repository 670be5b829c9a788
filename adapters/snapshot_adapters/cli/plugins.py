"""Command groups from other packages, found through the ``snapshot.commands`` entry points.

Each entry point names ``register(app: typer.Typer) -> None``, which adds commands to
``app`` and imports nothing heavy (its commands import what they need when they run).
Entry points are scanned only when a name is not a built-in command or when the command
list is shown (``snapshot --help``): scanning installed distributions costs start-up time
that ``snapshot sources`` should not pay.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from typer._click import Command, Context  # Typer vendors Click

__all__ = ["ENTRY_POINT_GROUP", "PluginGroup"]

ENTRY_POINT_GROUP = "snapshot.commands"


def _plugin_commands() -> dict[str, Command]:
    from importlib.metadata import entry_points

    extra = typer.Typer(add_completion=False, rich_markup_mode=None)
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry_point.load()(extra)
        except Exception as error:  # a broken plugin must not break the other commands
            print(
                f"Warning: the {entry_point.name!r} commands ({entry_point.value}) could not "
                f"be loaded: {type(error).__name__}: {error}",
                file=sys.stderr,
            )
    if not (extra.registered_commands or extra.registered_groups):
        return {}
    return dict(typer.main.get_group(extra).commands)


class PluginGroup(TyperGroup):
    """The top-level group: built-in commands first, plugin commands loaded on demand."""

    _plugins_loaded = False

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for name, command in _plugin_commands().items():
            self.commands.setdefault(name, command)  # a plugin never replaces a built-in

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            self._load_plugins()
            command = super().get_command(ctx, cmd_name)
        return command

    def list_commands(self, ctx: Context) -> list[str]:
        self._load_plugins()
        return super().list_commands(ctx)
