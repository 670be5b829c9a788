"""The web service (`snapshot serve`): FastAPI routes over one Orchestrator, a driving adapter.

``create_app(orchestrator, job_queue=...)`` returns the ASGI app. Needs the ``http`` extra:
``pip install "snapshot-orchestrator[http]"``. Importing this package is cheap (the CLI
finds `snapshot serve` through it); FastAPI is imported with ``create_app``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
