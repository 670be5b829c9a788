"""The direct store's repositories: the methods ``snapshot ingest`` and ``snapshot bucket``
call run the compiled statements (``statements.py``) as ``SqlSources``, ``SqlEstimates`` and
``SqlBuckets`` run them; every other method is theirs, on the same transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from snapshot_core.domain import (
    BandScheme,
    BucketTallies,
    EstimateBuckets,
    EstimateRow,
    SnapshotResult,
    SnapshotRun,
    Source,
    SourceStatus,
)
from snapshot_core.domain.estimate_columns import EstimateColumns

from ..sqlite_bulk import executemany_batches, sqlite_column_values
from . import statements as sql

if TYPE_CHECKING:
    from snapshot_core.domain.models import Outcome

    from .unit_of_work import DirectUnitOfWork

__all__ = ["DirectBuckets", "DirectEstimates", "DirectSources"]


class DirectSources:
    def __init__(self, uow: DirectUnitOfWork) -> None:
        self._uow = uow

    def add(self, source: Source) -> None:
        self._uow.execute(sql.SOURCE_ADD, source.model_dump())

    def get(self, source_id: str, user_id: str) -> Source | None:
        arguments = {"source_id": source_id, "user_id": user_id}
        row = self._uow.fetchone(sql.SOURCE_GET, arguments)
        return None if row is None else Source.model_validate(sql.SOURCE_GET.row(row))

    def set_status(
        self, source_id: str, status: SourceStatus, estimate_count: int | None = None
    ) -> None:
        arguments: dict[str, Any] = {"source_id": source_id, "status": SourceStatus(status).value}
        statement = sql.SOURCE_SET_STATUS
        if estimate_count is not None:
            arguments["estimate_count"] = estimate_count
            statement = sql.SOURCE_SET_STATUS_AND_COUNT
        if self._uow.execute(statement, arguments).rowcount == 0:
            raise KeyError(source_id)

    def mark_bucketed(self, source_id: str, estimate_count: int, now: datetime) -> bool:
        arguments = {"source_id": source_id, "estimate_count": estimate_count, "now": now}
        if self._uow.execute(sql.SOURCE_MARK_BUCKETED, arguments).rowcount == 1:
            return True
        if self._uow.fetchone(sql.SOURCE_EXISTS, arguments) is None:
            raise KeyError(source_id)
        return False

    def get_with_buckets(
        self, source_id: str, user_id: str
    ) -> tuple[Source, EstimateBuckets | None] | None:
        return self._uow.sql().sources.get_with_buckets(source_id, user_id)

    def list_for_user(self, user_id: str) -> Sequence[Source]:
        return self._uow.sql().sources.list_for_user(user_id)

    def list_in_status(self, status: SourceStatus) -> Sequence[Source]:
        return self._uow.sql().sources.list_in_status(status)

    def claim_for_snapshot(
        self, source_id: str, user_id: str, now: datetime, lease_expires_at: datetime
    ) -> Source | None:
        sources = self._uow.sql().sources
        return sources.claim_for_snapshot(source_id, user_id, now, lease_expires_at)

    def claim_with_run(
        self, run: SnapshotRun, now: datetime, lease_expires_at: datetime
    ) -> Source | None:
        return self._uow.sql().sources.claim_with_run(run, now, lease_expires_at)

    def release_claim(self, source_id: str, attempt: int, status: SourceStatus) -> bool:
        return self._uow.sql().sources.release_claim(source_id, attempt, status)

    def settle_claim(
        self, run: SnapshotRun, attempt: int, status: SourceStatus, snapshot: SnapshotResult | None
    ) -> bool:
        return self._uow.sql().sources.settle_claim(run, attempt, status, snapshot)


class DirectEstimates:
    def __init__(self, uow: DirectUnitOfWork) -> None:
        self._uow = uow

    def _next(self, source_id: str) -> tuple[int, int]:
        """The source's key and the seq of the next row; ``KeyError`` for an unknown source."""
        found = self._uow.fetchone(sql.SOURCE_KEY, {"source_id": source_id})
        if found is None:
            raise KeyError(source_id)
        key: int = found[0]
        (last,) = self._uow.fetchone(sql.ESTIMATES_LAST_SEQ, {"source_key": key})
        return key, last + 1

    def add_many(self, source_id: str, rows: Iterable[EstimateRow]) -> int:
        return self.add_columns(source_id, EstimateColumns.batches_of(rows))

    def add_columns(self, source_id: str, batches: Iterable[EstimateColumns]) -> int:
        key, seq = self._next(source_id)
        return executemany_batches(self._uow.executemany, sqlite_column_values(key, seq, batches))

    def tally(self, source_id: str, scheme: BandScheme) -> BucketTallies:
        found = self._uow.fetchone(sql.SOURCE_KEY, {"source_id": source_id})
        if found is not None:
            from .tally import direct_tally  # only ``snapshot bucket`` loads the tally

            tallied = direct_tally(self._uow, found[0], scheme)
            if tallied is not None:
                return tallied
        return self._uow.sql().estimates.tally(source_id, scheme)

    def outcome_counts(self, source_id: str) -> dict[Outcome | None, int]:
        return self._uow.sql().estimates.outcome_counts(source_id)


class DirectBuckets:
    def __init__(self, uow: DirectUnitOfWork) -> None:
        self._uow = uow

    def save(self, buckets: EstimateBuckets) -> None:
        arguments: dict[str, Any] = {
            "source_id": buckets.source_id,
            "estimate_count": buckets.estimate_count,
            "created_at": buckets.created_at,
            "body": buckets.model_dump(mode="json"),
        }
        self._uow.execute(sql.BUCKETS_SAVE, arguments)

    def get(self, source_id: str) -> EstimateBuckets | None:
        return self._uow.sql().buckets.get(source_id)
