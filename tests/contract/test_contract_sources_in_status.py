"""Every store lists every user's sources in one status, oldest first (run-all --all-users)."""

from __future__ import annotations

from datetime import timedelta

from snapshot_core.domain import SourceStatus
from snapshot_core.ports import UnitOfWorkFactory

from .samples import T0, make_source


def test_sources_in_a_status_are_listed_across_users_oldest_first(
    store: UnitOfWorkFactory,
) -> None:
    with store() as uow:
        uow.sources.add(make_source("s-late", "bob", SourceStatus.BUCKETED, T0 + timedelta(1)))
        uow.sources.add(make_source("s-early", "alice", SourceStatus.BUCKETED, T0))
        uow.sources.add(make_source("s-new", "alice", SourceStatus.UPLOADED, T0))
        uow.commit()
    with store() as uow:
        bucketed = uow.sources.list_in_status(SourceStatus.BUCKETED)
        generated = uow.sources.list_in_status(SourceStatus.SNAPSHOT_GENERATED)
    assert [(s.source_id, s.user_id) for s in bucketed] == [("s-early", "alice"), ("s-late", "bob")]
    assert generated == []
