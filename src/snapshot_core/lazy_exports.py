"""Packages whose public names are imported from their modules on first use (PEP 562).

``import snapshot_core`` used to load every domain model, the insight catalogue and every use
case: a sixth of a second, paid by every CLI command even when it needed one use case. A
package made lazy here keeps its ``__all__``, ``from package import Name`` and
``from package import *`` exactly as before; only the moment each module is loaded changes.
Each package lists its names twice (the imports under ``TYPE_CHECKING``, for mypy and
import-linter, and the ``export_lazily`` call, for the runtime): a test keeps them equal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from importlib import import_module
from types import ModuleType
from typing import Any

__all__ = ["export_lazily"]


class _LazyPackage(ModuleType):
    """A package module whose names in ``_homes`` are imported when first looked up."""

    _homes: Mapping[str, tuple[str, str]]  # exported name: (module, name there)

    def __getattr__(self, name: str) -> Any:
        if name not in self._homes:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        module, attribute = self._homes[name]
        value = getattr(import_module(module, self.__name__), attribute)
        setattr(self, name, value)  # later look-ups find it at once
        return value

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._homes})

    def __setattr__(self, name: str, value: Any) -> None:
        # The import system binds every submodule on its package under its own name. Where
        # an exported name is spelt like its home module (``use_cases.run_snapshot`` is a
        # function of ``use_cases/run_snapshot.py``), the package keeps the exported object,
        # as the eager ``from .run_snapshot import run_snapshot`` left it.
        if (
            isinstance(value, ModuleType)
            and self._homes.get(name) == (f".{name}", name)
            and value.__name__ == f"{self.__name__}.{name}"
        ):
            value = getattr(value, name, value)
        super().__setattr__(name, value)


def export_lazily(package: str, modules: Mapping[str, Iterable[str]]) -> None:
    """Make each name of ``modules`` (``{".models": ["Source", ...]}``, relative to
    ``package``; ``"CATALOGUE as INSIGHT_CATALOGUE"`` renames) an attribute of ``package``
    imported from its module on first use."""
    homes: dict[str, tuple[str, str]] = {}
    for module, names in modules.items():
        for entry in names:
            attribute, _, alias = entry.partition(" as ")
            homes[alias or attribute] = (module, attribute)
    lazy = type(_LazyPackage.__name__, (_LazyPackage,), {"_homes": homes})
    sys.modules[package].__class__ = lazy
