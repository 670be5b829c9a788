"""Background snapshots on Celery: the task, the worker, the shared rate limiter, the job queue.

A driving adapter: it builds the orchestrator through the container and calls
``run_snapshot``; nothing imports it. Needs the ``jobs`` extra (Celery and Redis).
Names are imported on first use, so that the CLI can list the commands cheaply.
"""

from __future__ import annotations

import sys
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

for _needed in ("celery", "redis", "kombu"):
    # Already imported (kombu replaces its module object, whose __spec__ is then None) or
    # found without importing it: `snapshot --help` lists these commands without Celery.
    if _needed not in sys.modules and find_spec(_needed) is None:
        raise ImportError(
            f'{_needed} is needed for background jobs: pip install "snapshot-orchestrator[jobs]"'
        )

if TYPE_CHECKING:
    from .app import create_app
    from .dispositions import DISPOSITIONS, Disposition, Verdict, judge
    from .limiter import SharedBudget
    from .queue import CeleryJobQueue
    from .states import JobStates

__all__ = [
    "DISPOSITIONS",
    "CeleryJobQueue",
    "Disposition",
    "JobStates",
    "SharedBudget",
    "Verdict",
    "create_app",
    "judge",
]

_HOMES = {
    "create_app": ".app",
    "DISPOSITIONS": ".dispositions",
    "Disposition": ".dispositions",
    "Verdict": ".dispositions",
    "judge": ".dispositions",
    "SharedBudget": ".limiter",
    "CeleryJobQueue": ".queue",
    "JobStates": ".states",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home, __name__), name)
