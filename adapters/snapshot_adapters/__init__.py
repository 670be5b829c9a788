"""snapshot_adapters: storage, model, CLI and composition-root adapters for snapshot_core.

``build_orchestrator()`` wires everything from settings; pass ``Settings(...)`` or provider
overrides (``model=FakeModel()``) to choose backends explicitly.
"""

from .container import Container, build_container, build_orchestrator
from .settings import Settings

__all__ = ["Container", "Settings", "build_container", "build_orchestrator"]
