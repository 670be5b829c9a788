"""Orchestrator: the use cases bound to one set of adapters, for callers who want one object."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..domain import (
    ApiKey,
    EstimateBuckets,
    EstimateRow,
    JobTiming,
    NewApiKey,
    RunPolicy,
    RunStats,
    SnapshotResult,
    SnapshotRun,
    Source,
    SourceStatus,
)
from ..ports import (
    NO_OBSERVER,
    AsyncLanguageModel,
    Clock,
    FileIngester,
    IdFactory,
    LanguageModel,
    RunObserver,
    UnitOfWorkFactory,
)
from .api_keys import authenticate, create_api_key, list_api_keys, revoke_api_key
from .bucket import bucket_source
from .ingest import ingest_estimates
from .queries import (
    get_snapshot,
    get_source,
    latest_snapshot_ids,
    list_runs,
    list_source_runs,
    list_sources,
    list_sources_in_status,
    run_stats,
)
from .run_snapshot import arun_snapshot, run_snapshot

__all__ = ["Orchestrator"]


@dataclass(frozen=True)
class Orchestrator:
    """``Orchestrator(...).run_snapshot(source_id=..., user_id=...)`` returns a snapshot id;
    ``await orchestrator.arun_snapshot(...)`` does the same on an event loop.

    Build one from settings with ``snapshot_adapters.build_orchestrator()``, or pass the
    adapters you chose. It holds no per-call state: share one across threads.
    """

    uow_factory: UnitOfWorkFactory
    model: LanguageModel
    clock: Clock
    ids: IdFactory
    policy: RunPolicy = field(default_factory=RunPolicy)
    # Reads files into sources (snapshot_adapters.files.ingest_file): a port, so the core
    # stays free of file formats; optional for callers who only pass rows.
    file_ingester: FileIngester | None = None
    # Told of every finished run (snapshot_adapters.telemetry.OpenTelemetryRunObserver):
    # a span and metrics per run. The default does nothing.
    observer: RunObserver = NO_OBSERVER

    def ingest_estimates(
        self,
        *,
        user_id: str,
        rows: Iterable[EstimateRow | Mapping[str, Any]],
        name: str = "",
        column_map: Mapping[str, str] | None = None,
    ) -> str:
        return ingest_estimates(
            uow_factory=self.uow_factory,
            ids=self.ids,
            clock=self.clock,
            user_id=user_id,
            rows=rows,
            name=name,
            column_map=column_map,
        )

    def ingest_file(self, source: Any, *, user_id: str, **options: Any) -> Any:
        """A CSV, JSON Lines or spreadsheet file (a path or a file object, e.g. an upload)
        into a new source; returns the reader's report (``files.IngestReport``). The options
        are those of ``snapshot_adapters.files.ingest_file`` (``column_map=``, ``decimal=``,
        ``date_format=``, ``on_bad_rows=``, ...)."""
        if self.file_ingester is None:
            raise TypeError(
                "this Orchestrator has no file reader: build it with "
                "snapshot_adapters.build_orchestrator(), or pass file_ingester="
            )
        return self.file_ingester(
            source,
            uow_factory=self.uow_factory,
            ids=self.ids,
            clock=self.clock,
            user_id=user_id,
            **options,
        )

    def bucket_source(self, *, source_id: str, user_id: str) -> EstimateBuckets:
        return bucket_source(
            uow_factory=self.uow_factory,
            clock=self.clock,
            policy=self.policy,
            source_id=source_id,
            user_id=user_id,
        )

    def run_snapshot(self, *, source_id: str, user_id: str, job: JobTiming | None = None) -> str:
        """The snapshot id; ``job`` carries a job's waits onto its run (``jobs/`` passes it)."""
        return run_snapshot(
            uow_factory=self.uow_factory,
            model=self.model,
            clock=self.clock,
            ids=self.ids,
            policy=self.policy,
            source_id=source_id,
            user_id=user_id,
            observer=self.observer,
            job=job,
        )

    def get_snapshot(self, *, snapshot_id: str, user_id: str) -> SnapshotResult:
        return get_snapshot(uow_factory=self.uow_factory, snapshot_id=snapshot_id, user_id=user_id)

    def get_source(self, *, source_id: str, user_id: str) -> Source:
        """The source; ``InvalidSourceError`` when it does not exist or is not the user's."""
        return get_source(uow_factory=self.uow_factory, source_id=source_id, user_id=user_id)

    def list_sources(self, *, user_id: str) -> Sequence[Source]:
        return list_sources(uow_factory=self.uow_factory, user_id=user_id)

    def list_all_sources(self, *, status: SourceStatus) -> Sequence[Source]:
        """Every user's sources in ``status``: for operators (``run-all --all-users``)."""
        return list_sources_in_status(uow_factory=self.uow_factory, status=status)

    def list_runs(self, *, user_id: str, source_id: str | None = None) -> Sequence[SnapshotRun]:
        return list_runs(uow_factory=self.uow_factory, user_id=user_id, source_id=source_id)

    def latest_snapshot_ids(self, *, user_id: str) -> Mapping[str, str]:
        """Source id to its latest snapshot id, for the user's sources that have one."""
        return latest_snapshot_ids(uow_factory=self.uow_factory, user_id=user_id)

    def list_source_runs(self, *, source_id: str, user_id: str) -> Sequence[SnapshotRun]:
        """One source's runs; ``InvalidSourceError`` when it is not the user's."""
        return list_source_runs(uow_factory=self.uow_factory, source_id=source_id, user_id=user_id)

    def run_stats(self, *, user_id: str | None) -> RunStats:
        """One user's run statistics; ``user_id=None`` for every user's (say it explicitly)."""
        return run_stats(uow_factory=self.uow_factory, user_id=user_id)

    # API keys of the web service (snapshot_adapters.http): stored as hashes only.

    def create_api_key(self, *, user_id: str, name: str = "") -> NewApiKey:
        """A new key; ``.token`` is the only copy of the key there will ever be."""
        return create_api_key(
            uow_factory=self.uow_factory, clock=self.clock, ids=self.ids, user_id=user_id, name=name
        )

    def list_api_keys(self, *, user_id: str | None) -> Sequence[ApiKey]:
        return list_api_keys(uow_factory=self.uow_factory, user_id=user_id)

    def revoke_api_key(self, *, key_id: str) -> ApiKey:
        return revoke_api_key(uow_factory=self.uow_factory, clock=self.clock, key_id=key_id)

    def authenticate(self, *, token: str) -> str:
        """The user id a presented key belongs to; ``InvalidApiKeyError`` otherwise."""
        return authenticate(uow_factory=self.uow_factory, token=token)

    # The async entry points: the same use cases. Storage steps are short and run in a
    # worker thread; only the model call is awaited on the loop.

    async def arun_snapshot(self, *, source_id: str, user_id: str) -> str:
        """``run_snapshot`` awaited: the model call holds no thread while the model thinks.

        A model that has no ``agenerate`` (a third-party backend) is called in a worker
        thread instead, with the same claim, guard and records."""
        if not isinstance(self.model, AsyncLanguageModel):
            return await asyncio.to_thread(self.run_snapshot, source_id=source_id, user_id=user_id)
        return await arun_snapshot(
            uow_factory=self.uow_factory,
            model=self.model,
            clock=self.clock,
            ids=self.ids,
            policy=self.policy,
            source_id=source_id,
            user_id=user_id,
            observer=self.observer,
        )

    async def aingest_estimates(
        self, *, user_id: str, rows: Iterable[EstimateRow | Mapping[str, Any]], name: str = ""
    ) -> str:
        return await asyncio.to_thread(self.ingest_estimates, user_id=user_id, rows=rows, name=name)

    async def abucket_source(self, *, source_id: str, user_id: str) -> EstimateBuckets:
        return await asyncio.to_thread(self.bucket_source, source_id=source_id, user_id=user_id)

    async def aget_snapshot(self, *, snapshot_id: str, user_id: str) -> SnapshotResult:
        return await asyncio.to_thread(self.get_snapshot, snapshot_id=snapshot_id, user_id=user_id)

    async def aget_source(self, *, source_id: str, user_id: str) -> Source:
        return await asyncio.to_thread(self.get_source, source_id=source_id, user_id=user_id)
