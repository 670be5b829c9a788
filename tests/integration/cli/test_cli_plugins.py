"""Command groups from the `snapshot.commands` entry points: listed, run, errors rendered."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ..cli_runner import run_cli

PLUGIN = '''
"""A command group as another package would ship it."""
import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def hello(name: str) -> None:
        """Say hello (a plugin command)."""
        print(f"hello {name}")

    @app.command()
    def broken() -> None:
        """Raise a domain error."""
        from snapshot_core.domain import InvalidSourceError

        raise InvalidSourceError()
'''


def _install_plugin(root: Path) -> Path:
    """A module and a dist-info directory declaring its entry point, as pip would leave them."""
    site = root / "site"
    (site / "hello_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "hello_plugin.py").write_text(textwrap.dedent(PLUGIN))
    (site / "hello_plugin-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: hello-plugin\nVersion: 1.0\n"
    )
    (site / "hello_plugin-1.0.dist-info" / "entry_points.txt").write_text(
        "[snapshot.commands]\nhello = hello_plugin:register\n"
    )
    return site


def test_a_plugin_command_is_listed_runs_and_has_its_errors_rendered(tmp_path: Path) -> None:
    site = str(_install_plugin(tmp_path))
    listed = run_cli(tmp_path, "--help", PYTHONPATH=site)
    assert listed.returncode == 0 and "hello" in listed.stdout and "broken" in listed.stdout

    hello = run_cli(tmp_path, "hello", "world", PYTHONPATH=site)
    assert (hello.returncode, hello.stdout) == (0, "hello world\n")

    broken = run_cli(tmp_path, "broken", PYTHONPATH=site)
    assert broken.returncode == 1
    assert broken.stderr.startswith("Error: Invalid source_id")
    assert "Code: invalid_source" in broken.stderr


def test_a_plugin_that_fails_to_load_is_named_and_the_built_in_commands_still_work(
    tmp_path: Path,
) -> None:
    site = _install_plugin(tmp_path)
    (site / "hello_plugin.py").write_text("import no_such_module_anywhere\n")
    listed = run_cli(tmp_path, "--help", PYTHONPATH=str(site))
    assert listed.returncode == 0 and "sources" in listed.stdout
    assert "'hello' commands (hello_plugin:register) could not be loaded" in listed.stderr
    assert "ModuleNotFoundError" in listed.stderr
    built_in = run_cli(tmp_path, "stats", "--help", PYTHONPATH=str(site))
    assert built_in.returncode == 0 and "could not be loaded" not in built_in.stderr  # not scanned


def test_the_entry_point_scan_finds_what_importlib_metadata_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib.metadata import entry_points

    from snapshot_adapters.cli.plugins import entry_points_of

    monkeypatch.syspath_prepend(str(_install_plugin(tmp_path)))
    for group in ("snapshot.commands", "console_scripts", "pytest11"):
        expected = sorted((e.name, e.value) for e in entry_points(group=group))
        assert sorted(entry_points_of(group)) == expected, group
