"""FileIngester: how the Orchestrator hands a file to whichever adapter reads files."""

from __future__ import annotations

from typing import Any, Protocol

from .clock import Clock, IdFactory
from .unit_of_work import UnitOfWorkFactory

__all__ = ["FileIngester"]


class FileIngester(Protocol):
    """Stores the estimates of ``source`` (a path or file object) as a new source of
    ``user_id`` and returns a report; ``snapshot_adapters.files.ingest_file`` is one."""

    def __call__(
        self,
        source: Any,
        /,
        *,
        uow_factory: UnitOfWorkFactory,
        ids: IdFactory,
        clock: Clock,
        user_id: str,
        **options: Any,
    ) -> Any: ...
