"""The UnitOfWork port: one transaction over all repositories, rolled back unless committed."""

from __future__ import annotations

import abc
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:  # annotations only: a unit of work is made without loading the protocols
    from .repositories import (
        ApiKeyRepository,
        BucketRepository,
        EstimateRepository,
        RunRepository,
        SnapshotRepository,
        SourceRepository,
    )

__all__ = ["UnitOfWork", "UnitOfWorkFactory"]


class UnitOfWork(abc.ABC):
    """Use as ``with uow: ...; uow.commit()``. Leaving the block without commit rolls back.

    A unit of work is one transaction; make a new one (from a ``UnitOfWorkFactory``) for
    each, so that threads never share one.
    """

    sources: SourceRepository
    estimates: EstimateRepository
    buckets: BucketRepository
    snapshots: SnapshotRepository
    runs: RunRepository
    api_keys: ApiKeyRepository

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()
        self.close()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None:
        """Discard what was not committed; harmless after a commit."""

    def close(self) -> None:  # noqa: B027 - optional hook, most backends need nothing
        """Release connections or locks held by this unit of work."""


UnitOfWorkFactory = Callable[[], UnitOfWork]
"""Makes a fresh unit of work over one store (a database, or one in-memory store)."""
