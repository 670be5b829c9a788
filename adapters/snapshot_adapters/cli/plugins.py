"""Command groups from other packages, found through the ``snapshot.commands`` entry points.

Each entry point names ``register(app: typer.Typer) -> None``, which adds commands to
``app`` and imports nothing heavy (its commands import what they need when they run).
Entry points are scanned only when a name is not a built-in command or when the command
list is shown (``snapshot --help``): scanning installed distributions costs start-up time
that ``snapshot sources`` should not pay. The scan reads each distribution's
``entry_points.txt`` itself: importing ``importlib.metadata`` (which loads ``email``,
``zipfile`` and ``csv`` to parse metadata we do not need) cost a fifth of `snapshot --help`.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable, Iterator
from importlib import import_module
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandInfo, TyperInfo

from .quick_params import evaluate_annotations, evaluate_callback, quicken, quicken_param

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter  # Typer vendors Click

__all__ = ["ENTRY_POINT_GROUP", "PluginGroup"]

ENTRY_POINT_GROUP = "snapshot.commands"


def _entry_points_files() -> Iterator[str]:
    """Each installed distribution's entry_points.txt, the first on sys.path winning (as
    importlib.metadata decides which of two copies of a distribution is installed)."""
    seen: set[str] = set()
    for directory in sys.path:
        try:
            names = os.listdir(directory or ".")
        except OSError:  # a missing directory or a zip file on sys.path
            continue
        # Only the metadata folders are sorted: the standard library's folder has hundreds
        # of entries and none of them.
        for found in sorted(n for n in names if n.endswith((".dist-info", ".egg-info"))):
            name = found.rpartition(".")[0].split("-")[0].lower().replace("_", "-")
            name = name.replace(".", "-")
            if name in seen:
                continue
            seen.add(name)
            path = os.path.join(directory or ".", found, "entry_points.txt")
            if os.path.isfile(path):
                yield path


def entry_points_of(group: str) -> list[tuple[str, str]]:
    """(name, "module:function") of every entry point in ``group``."""
    found = []
    marker = group.encode()
    for path in _entry_points_files():
        with open(path, "rb") as file:
            content = file.read()
        if marker not in content:  # most distributions: no need to parse
            continue
        section = None
        for line in content.decode("utf-8").splitlines():
            line = line.strip()
            if line.startswith("["):
                section = line.strip("[]").strip()
            elif section == group and "=" in line and not line.startswith(("#", ";")):
                name, _, value = line.partition("=")
                found.append((name.strip(), value.split("[")[0].strip()))
    return found


def _load(value: str) -> Callable[[typer.Typer], None]:
    module, _, attribute = value.partition(":")
    target: object = import_module(module.strip())
    for part in attribute.strip().split(".") if attribute else ():
        target = getattr(target, part)
    return target  # type: ignore[return-value]


def _plugin_commands() -> dict[str, Command]:
    extra = typer.Typer(add_completion=False, rich_markup_mode=None)
    for name, value in entry_points_of(ENTRY_POINT_GROUP):
        try:
            _load(value)(extra)
        except Exception as error:  # a broken plugin must not break the other commands
            print(
                f"Warning: the {name!r} commands ({value}) could not "
                f"be loaded: {type(error).__name__}: {error}",
                file=sys.stderr,
            )
    if not (extra.registered_commands or extra.registered_groups):
        return {}
    evaluate_annotations(extra)
    return dict(typer.main.get_group(extra).commands)


class PluginGroup(TyperGroup):
    """The top-level group: built-in commands (registered on ``app.app``) first, then plugin
    commands, each built only when it is needed.

    Typer turns every registered command into a Click command, reading each signature, on
    every run; here a built-in command is built when it is run or asked for, and the
    command list of ``snapshot --help`` is made from each command's help text alone.
    """

    _plugins_loaded = False
    _listing = False
    _builtins: dict[str, CommandInfo | TyperInfo] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quicken(self)  # the global options (--db)

    def get_help_option(self, ctx: Context) -> Any:
        return quicken_param(super().get_help_option(ctx))

    def _builtin_infos(self) -> dict[str, CommandInfo | TyperInfo]:
        """Each built-in command or group by name, in the order Typer would list them."""
        if self._builtins is None:
            from .app import app

            found: dict[str, CommandInfo | TyperInfo] = {}
            for info in app.registered_commands:
                assert info.callback is not None
                found[info.name or typer.main.get_command_name(info.callback.__name__)] = info
            for group in app.registered_groups:
                name = typer.main.solve_typer_info_defaults(group).name
                assert isinstance(name, str), "a built-in group has a name"
                found[name] = group
            self._builtins = found
        return self._builtins

    def _build(self, name: str) -> Command:
        from .app import app

        info = self._builtin_infos()[name]
        command: Command
        if isinstance(info, CommandInfo):
            evaluate_callback(info.callback)
            command = typer.main.get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
        else:
            assert info.typer_instance is not None
            evaluate_annotations(info.typer_instance)
            command = typer.main.get_group_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
                suggest_commands=app.suggest_commands,
            )
        self.commands[name] = command
        return command

    @staticmethod
    def _listed(name: str, info: CommandInfo) -> Command:
        """What the command list needs of a built-in command: its name, help and flags."""
        assert info.callback is not None
        help_text = inspect.getdoc(info.callback) if info.help is None else info.help
        return TyperCommand(
            name=name,
            help=None if help_text is None else inspect.cleandoc(help_text),
            short_help=info.short_help,
            hidden=info.hidden,
            deprecated=info.deprecated,
            rich_markup_mode=None,
        )

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        builtins = self._builtin_infos()
        for name, command in _plugin_commands().items():
            if name not in builtins:  # a plugin never replaces a built-in
                self.commands.setdefault(name, command)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            info = self._builtin_infos().get(cmd_name)
            if isinstance(info, CommandInfo) and self._listing:
                return self._listed(cmd_name, info)
            if info is not None:
                command = self._build(cmd_name)
        if command is None:
            self._load_plugins()
            command = super().get_command(ctx, cmd_name)
        if command is None:  # no such command: Typer suggests names from self.commands
            for name, info in self._builtin_infos().items():
                if name in self.commands:
                    continue
                if isinstance(info, CommandInfo):
                    self.commands[name] = self._listed(name, info)
                else:
                    self._build(name)
            return None
        quickened: Command = quicken(command, ctx)
        return quickened

    def list_commands(self, ctx: Context) -> list[str]:
        self._load_plugins()
        names = list(self._builtin_infos())
        return names + [name for name in super().list_commands(ctx) if name not in names]

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_commands(ctx, formatter)
        finally:
            self._listing = False
