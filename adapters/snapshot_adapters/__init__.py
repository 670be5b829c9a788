"""snapshot_adapters: storage, model, CLI and composition-root adapters for snapshot_core.

``build_orchestrator()`` wires everything from settings; pass ``Settings(...)`` or provider
overrides (``model=FakeModel()``) to choose backends explicitly. Names are imported on first
use, so ``import snapshot_adapters`` (and every CLI command) loads nothing it does not need.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .container import Container, build_container, build_orchestrator
    from .settings import Settings

__all__ = ["Container", "Settings", "build_container", "build_orchestrator"]

_HOME = {
    "Container": ".container",
    "build_container": ".container",
    "build_orchestrator": ".container",
    "Settings": ".settings",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'snapshot_adapters' has no attribute {name!r}")
    value = getattr(import_module(_HOME[name], __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
