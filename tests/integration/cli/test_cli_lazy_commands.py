"""Built-in commands are built when run (cli/plugins.PluginGroup), yet every help text, the
command list and the suggestions for a mistyped name are those Typer gives when it builds
every command up front."""

from __future__ import annotations

import contextlib
import io

import pytest
import typer

from snapshot_adapters.cli import plugins
from snapshot_adapters.cli.app import app, root
from snapshot_adapters.cli.main import main

COMMANDS = [
    [],
    ["db"],
    ["keys"],
    ["db", "upgrade"],
    ["keys", "create"],
    *[[name] for name in ("show", "sources", "ingest", "validate", "demo", "bucket", "run")],
    *[[name] for name in ("runs", "stats", "serve", "worker", "enqueue", "run-all")],
]


def _eager() -> object:
    """The same commands in a plain Typer group, built all at once as Typer builds them, with
    the plugin commands after the built-in ones (as before commands were built on demand)."""
    main([])  # registers the built-in commands on `app`
    eager = typer.Typer(
        name="snapshot",
        help=root.info.help,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    eager.registered_callback = root.registered_callback
    eager.registered_commands = list(app.registered_commands)
    eager.registered_groups = list(app.registered_groups)
    group = typer.main.get_group(eager)
    for name, command in plugins._plugin_commands().items():
        group.commands.setdefault(name, command)
    return lambda args: group.main(args=args, prog_name="snapshot", standalone_mode=False)


def _run(call: object, args: list[str]) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            call(args)  # type: ignore[operator]
        except (SystemExit, typer.Exit, Exception) as stopped:
            from snapshot_adapters.cli.main import _usage_error

            if hasattr(stopped, "show"):
                _usage_error(stopped)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "snapshot")
def test_help_is_what_typer_prints_when_it_builds_every_command(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    eager = _eager()
    expected = _run(eager, [*args, "--help"])
    assert _run(main, [*args, "--help"]) == expected
    assert "Usage: snapshot" in expected[0]


@pytest.mark.parametrize("typo", ["sorces", "d", "kees", "serv"])
def test_a_mistyped_command_gets_the_same_suggestion(typo: str) -> None:
    eager = _eager()
    expected = _run(eager, [typo])
    got = _run(main, [typo])
    assert got == expected and "Did you mean" in got[1]
