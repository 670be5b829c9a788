"""PEP 562 ``__getattr__`` and ``__dir__`` for a package whose names are imported on first use
(``snapshot_adapters`` and ``snapshot_adapters.sql``). Imports nothing of the project, so any
package may use it without depending on another."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` (PEP 562) importing each name of ``homes``
    from its module (``{"Settings": ".settings"}``) on first use, so importing the package
    loads none of them."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(homes[name], package), name)
        namespace[name] = value  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*homes, *namespace.get("__all__", ())})

    return __getattr__, __dir__
