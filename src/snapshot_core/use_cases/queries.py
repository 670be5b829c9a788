"""Read-side use cases: a snapshot, a user's sources, run statistics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..domain import (
    InvalidSnapshotError,
    InvalidSourceError,
    RunStats,
    SnapshotResult,
    SnapshotRun,
    Source,
    SourceStatus,
    check_user_id,
    summarize_runs,
)
from ..ports import UnitOfWorkFactory

__all__ = [
    "get_snapshot",
    "get_source",
    "latest_snapshot_ids",
    "list_runs",
    "list_source_runs",
    "list_sources",
    "list_sources_in_status",
    "run_stats",
]


def get_snapshot(
    *, uow_factory: UnitOfWorkFactory, snapshot_id: str, user_id: str
) -> SnapshotResult:
    """The snapshot; not found and not yours are the same ``InvalidSnapshotError``."""
    check_user_id(user_id)
    with uow_factory() as uow:
        snapshot = uow.snapshots.get(snapshot_id, user_id)
    if snapshot is None:
        raise InvalidSnapshotError()
    return snapshot


def get_source(*, uow_factory: UnitOfWorkFactory, source_id: str, user_id: str) -> Source:
    """The source; not found and not yours are the same ``InvalidSourceError``."""
    check_user_id(user_id)
    with uow_factory() as uow:
        source = uow.sources.get(source_id, user_id)
    if source is None:
        raise InvalidSourceError()
    return source


def list_sources(*, uow_factory: UnitOfWorkFactory, user_id: str) -> Sequence[Source]:
    check_user_id(user_id)
    with uow_factory() as uow:
        return list(uow.sources.list_for_user(user_id))


def list_sources_in_status(
    *, uow_factory: UnitOfWorkFactory, status: SourceStatus
) -> Sequence[Source]:
    """Every user's sources in ``status`` (for operators, say it explicitly)."""
    with uow_factory() as uow:
        return list(uow.sources.list_in_status(status))


def list_runs(
    *, uow_factory: UnitOfWorkFactory, user_id: str, source_id: str | None = None
) -> Sequence[SnapshotRun]:
    """The user's runs (attempts), oldest first; only one source's when ``source_id`` given."""
    check_user_id(user_id)
    with uow_factory() as uow:
        runs = uow.runs.list(user_id)
    return [run for run in runs if source_id is None or run.source_id == source_id]


def latest_snapshot_ids(*, uow_factory: UnitOfWorkFactory, user_id: str) -> Mapping[str, str]:
    """Each of the user's sources that has a snapshot, to its latest snapshot id (a snapshot
    whose narrative is the template's, after a failed call, counts too)."""
    check_user_id(user_id)
    with uow_factory() as uow:
        return dict(uow.snapshots.latest_ids(user_id))


def list_source_runs(
    *, uow_factory: UnitOfWorkFactory, source_id: str, user_id: str
) -> Sequence[SnapshotRun]:
    """One source's runs, oldest first; a source that is not the user's (or does not exist)
    is ``InvalidSourceError``, not an empty list, so the two cannot be told apart."""
    get_source(uow_factory=uow_factory, source_id=source_id, user_id=user_id)
    return list_runs(uow_factory=uow_factory, user_id=user_id, source_id=source_id)


def run_stats(*, uow_factory: UnitOfWorkFactory, user_id: str | None) -> RunStats:
    """Statistics of one user's runs, or of every user's with ``user_id=None`` (an operator's
    view: say it explicitly, it is never the default)."""
    if user_id is not None:
        check_user_id(user_id)
    with uow_factory() as uow:
        runs = uow.runs.list(user_id)
    return summarize_runs(runs)
