"""The core's packages import their names on first use (``snapshot_core.lazy_exports``), yet
export exactly what eager imports exported: the same names, the same objects, the same
``__all__``; and importing them loads nothing heavy."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import snapshot_core

from ..integration.test_composition import _modules_loaded_by

PACKAGES = [
    "snapshot_core",
    "snapshot_core.domain",
    "snapshot_core.ports",
    "snapshot_core.use_cases",
]


def _type_checking_imports(package: str) -> dict[str, tuple[str, str]]:
    """What the package's ``if TYPE_CHECKING:`` block imports: name -> (module, name there)."""
    source = Path(importlib.import_module(package).__file__ or "").read_text()
    found: dict[str, tuple[str, str]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                module = "." * statement.level + (statement.module or "")
                for alias in statement.names:
                    found[alias.asname or alias.name] = (module, alias.name)
    return found


@pytest.mark.parametrize("package", PACKAGES[1:])
def test_the_lazy_names_are_those_imported_for_type_checking_and_exported(package: str) -> None:
    module = importlib.import_module(package)
    homes = type(module)._homes  # type: ignore[attr-defined]
    assert dict(homes) == _type_checking_imports(package)
    eager: set[str] = set()  # the domain's errors are imported at once (they are light)
    if package == "snapshot_core.domain":
        eager = set(importlib.import_module("snapshot_core.domain.errors").__all__)
    assert set(module.__all__) == set(homes) | eager
    assert len(module.__all__) == len(set(module.__all__))


@pytest.mark.parametrize("package", PACKAGES[1:])
def test_every_name_is_the_object_its_static_import_names(package: str) -> None:
    module = importlib.import_module(package)
    for name, (home, attribute) in _type_checking_imports(package).items():
        assert getattr(module, name) is getattr(importlib.import_module(home, package), attribute)
    assert set(module.__all__) <= set(dir(module))


def test_the_top_package_exports_every_layer_s_names() -> None:
    from snapshot_core import domain, ports, use_cases

    assert snapshot_core.__all__ == [*domain.__all__, *ports.__all__, *use_cases.__all__]
    for layer in (domain, ports, use_cases):
        for name in layer.__all__:
            assert getattr(snapshot_core, name) is getattr(layer, name), name
    namespace: dict[str, object] = {}
    exec("from snapshot_core import *", namespace)  # what a star import gives
    assert set(namespace) - {"__builtins__"} == set(snapshot_core.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        snapshot_core.nothing_here  # type: ignore[attr-defined]  # noqa: B018


def test_a_function_named_like_its_module_stays_the_function() -> None:
    """``use_cases.run_snapshot`` is the function, even after its module was imported."""
    code = (
        "import snapshot_core.use_cases.run_snapshot\n"
        "from snapshot_core.use_cases import run_snapshot\n"
        "from snapshot_core import run_snapshot as top\n"
        "print(callable(run_snapshot), run_snapshot is top, type(run_snapshot).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "function"]


def _loaded_by(code: str) -> set[str]:
    return _modules_loaded_by(code, packages=False)


def test_importing_the_core_loads_no_model_and_a_use_case_only_what_it_needs() -> None:
    loaded = _loaded_by("import snapshot_core, snapshot_core.domain, snapshot_core.use_cases")
    assert not {name for name in loaded if name.split(".")[0] == "pydantic"}
    assert not {name for name in loaded if name.startswith("snapshot_core.domain.models")}
    bucket = _loaded_by("from snapshot_core.use_cases import bucket_source")
    unused = ("agent_input", "insights", "citations", "grounding", "suppression")
    assert not {name for name in bucket if name.split(".")[2:3] in [[u] for u in unused]}
    assert "snapshot_core.use_cases.run_snapshot" not in bucket
