"""Stores for the ingestion tests: the in-memory store and a migrated SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from snapshot_adapters.fake import FixedClock, SequentialIds
from snapshot_adapters.files import IngestReport, ingest_file
from snapshot_adapters.memory import MemoryStore
from snapshot_core.domain import EstimateBuckets, RunPolicy
from snapshot_core.ports import UnitOfWorkFactory
from snapshot_core.use_cases import bucket_source, list_sources

USER = "ingest-user"


@dataclass
class Backend:
    name: str
    uow_factory: UnitOfWorkFactory
    clock: FixedClock
    ids: SequentialIds

    def ingest(self, source: Any, **options: Any) -> IngestReport:
        options.setdefault("user_id", USER)
        return ingest_file(
            source, uow_factory=self.uow_factory, ids=self.ids, clock=self.clock, **options
        )

    def bucket(self, source_id: str, user_id: str = USER) -> EstimateBuckets:
        return bucket_source(
            uow_factory=self.uow_factory,
            clock=self.clock,
            policy=RunPolicy(),
            source_id=source_id,
            user_id=user_id,
        )

    def source_ids(self, user_id: str = USER) -> list[str]:
        return [s.source_id for s in list_sources(uow_factory=self.uow_factory, user_id=user_id)]


def memory_backend() -> Backend:
    return Backend("memory", MemoryStore(), FixedClock(), SequentialIds())


@pytest.fixture
def memory() -> Backend:
    return memory_backend()


@pytest.fixture(params=["memory", "sqlite"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "memory":
        yield memory_backend()
        return
    from snapshot_adapters.sql import create_sql_store

    store = create_sql_store(f"sqlite:///{tmp_path / 'ingest.db'}")
    try:
        yield Backend("sqlite", store, FixedClock(), SequentialIds())
    finally:
        store.dispose()
