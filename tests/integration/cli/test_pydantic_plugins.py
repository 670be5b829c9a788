"""``answer_plugin_lookup`` tells pydantic "no plugins" only when importlib.metadata would find
none, and otherwise leaves the look-up to pydantic."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from pydantic.plugin import _loader

from snapshot_adapters.cli.pydantic_plugins import answer_plugin_lookup

_DECLARES = "[pydantic]\nfake = fake_pydantic_plugin:plugin\n"


@pytest.fixture
def not_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """pydantic as in a new process: no look-up done yet (restored afterwards)."""
    monkeypatch.setattr(_loader, "_plugins", None)


def _distribution(directory: Path, folder: str, entry_points_text: str | None) -> None:
    info = directory / folder
    info.mkdir()
    name, version = folder.rpartition(".")[0].split("-")
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    if entry_points_text is not None:
        (info / "entry_points.txt").write_text(entry_points_text)


def test_in_a_new_process_it_finds_what_pydantic_finds() -> None:
    """Here (the project's environment) pydantic itself finds no plugin, and the answer
    given in its place is the same empty set of plugins."""
    code = (
        "from pydantic.plugin import _loader\n"
        "from snapshot_adapters.cli.pydantic_plugins import answer_plugin_lookup\n"
        "import sys\n"
        "if sys.argv[1] == 'answer':\n"
        "    answer_plugin_lookup()\n"
        "    assert _loader._plugins is not None  # answered: pydantic will not look\n"
        "print(sorted(_loader.get_plugins(), key=repr), _loader._plugins)\n"
    )
    answered, looked_up = (
        subprocess.run(
            [sys.executable, "-c", code, way], capture_output=True, text=True, check=True
        ).stdout
        for way in ("answer", "pydantic")
    )
    assert answered == looked_up == "[] {}\n"


@pytest.mark.usefixtures("not_looked_up")
def test_no_entry_point_anywhere_is_answered_with_no_plugins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _distribution(tmp_path, "other-1.0.dist-info", "[console_scripts]\nother = other:main\n")
    _distribution(tmp_path, "bare-2.0.dist-info", None)
    (tmp_path / "old-1.0.egg-info").write_text("Metadata-Version: 1.0\n")  # a file, not a folder
    monkeypatch.syspath_prepend(str(tmp_path))
    assert not list(entry_points(group="pydantic"))
    answer_plugin_lookup()
    assert _loader._plugins == {}


@pytest.mark.usefixtures("not_looked_up")
@pytest.mark.parametrize(
    "folder", ["fake-1.0.dist-info", "Fake-1.0.DIST-INFO", "fake-1.0.egg-info"]
)
def test_a_declared_plugin_is_left_to_pydantic(
    folder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _distribution(tmp_path, folder, _DECLARES)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert [ep.name for ep in entry_points(group="pydantic")] == ["fake"]  # pydantic would see it
    answer_plugin_lookup()
    assert _loader._plugins is None


@pytest.mark.usefixtures("not_looked_up")
def test_a_zip_file_on_the_path_is_left_to_pydantic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\nVersion: 1.0\n")
        bundle.writestr("zipped-1.0.dist-info/entry_points.txt", _DECLARES)
    monkeypatch.syspath_prepend(str(archive))
    assert [ep.name for ep in entry_points(group="pydantic")] == ["fake"]
    answer_plugin_lookup()
    assert _loader._plugins is None


@pytest.mark.usefixtures("not_looked_up")
def test_a_finder_that_lists_distributions_is_left_to_pydantic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Finder:
        @staticmethod
        def find_spec(*_args: object) -> None:
            return None

        @staticmethod
        def find_distributions(*_args: object) -> list[object]:
            return []

    monkeypatch.setattr(sys, "meta_path", [Finder, *sys.meta_path])
    answer_plugin_lookup()
    assert _loader._plugins is None


def test_a_look_up_already_made_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    made: dict[str, object] = {"some.plugin": object()}
    monkeypatch.setattr(_loader, "_plugins", made)
    answer_plugin_lookup()
    assert _loader._plugins is made
