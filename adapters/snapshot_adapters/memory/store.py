"""MemoryStore and MemoryUnitOfWork: a real, thread-safe in-process backend (not a test toy)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from snapshot_core.domain import (
    ApiKey,
    BandScheme,
    BucketTallies,
    EstimateBuckets,
    EstimateRow,
    RunOutcome,
    SnapshotResult,
    SnapshotRun,
    Source,
    SourceStatus,
    tally_estimates,
)
from snapshot_core.domain.estimate_columns import EstimateColumns
from snapshot_core.domain.models import Outcome
from snapshot_core.ports import UnitOfWork

__all__ = ["MemoryStore", "MemoryUnitOfWork"]


class MemoryStore:
    """Committed state. A unit of work holds the store's lock from ``__enter__`` to exit, so
    transactions are serial: a claim's check-and-set can never interleave with another."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.sources: dict[str, Source] = {}
        self.estimates: dict[str, list[EstimateRow]] = {}
        self.buckets: dict[str, EstimateBuckets] = {}
        self.snapshots: dict[str, tuple[str, SnapshotResult]] = {}
        self.runs: list[SnapshotRun] = []
        # Where each run is in ``runs``: adding or finishing one stays O(1) however many there are.
        self.run_positions: dict[str, int] = {}
        self.api_keys: dict[str, ApiKey] = {}

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)

    __call__ = unit_of_work  # a store is itself a UnitOfWorkFactory


class _Pending:
    """Writes staged by one unit of work, applied to the store only on commit."""

    def __init__(self) -> None:
        self.sources: dict[str, Source] = {}
        self.estimates: dict[str, list[EstimateRow]] = {}
        self.buckets: dict[str, EstimateBuckets] = {}
        self.snapshots: dict[str, tuple[str, SnapshotResult]] = {}
        self.runs: dict[str, SnapshotRun] = {}  # by run_id: added or finished
        self.api_keys: dict[str, ApiKey] = {}


class _Sources:
    def __init__(self, store: MemoryStore, pending: _Pending, uow: MemoryUnitOfWork) -> None:
        self._store, self._pending = store, pending
        # The combined steps go through the unit of work's own repositories, so that they
        # are exactly the separate calls they stand for.
        self._uow = uow

    def _current(self, source_id: str) -> Source | None:
        return self._pending.sources.get(source_id) or self._store.sources.get(source_id)

    def add(self, source: Source) -> None:
        self._pending.sources[source.source_id] = source

    def get(self, source_id: str, user_id: str) -> Source | None:
        source = self._current(source_id)
        return source if source is not None and source.user_id == user_id else None

    def get_with_buckets(
        self, source_id: str, user_id: str
    ) -> tuple[Source, EstimateBuckets | None] | None:
        source = self.get(source_id, user_id)
        if source is None:
            return None
        return source, self._uow.buckets.get(source_id)

    def list_for_user(self, user_id: str) -> Sequence[Source]:
        merged = {**self._store.sources, **self._pending.sources}
        return sorted(
            (s for s in merged.values() if s.user_id == user_id),
            key=lambda s: (s.created_at, s.source_id),
        )

    def list_in_status(self, status: SourceStatus) -> Sequence[Source]:
        merged = {**self._store.sources, **self._pending.sources}
        return sorted(
            (s for s in merged.values() if s.status is status),
            key=lambda s: (s.created_at, s.source_id),
        )

    def _update(self, source_id: str, **changes: object) -> None:
        source = self._current(source_id)
        if source is None:
            raise KeyError(source_id)
        self._pending.sources[source_id] = source.model_copy(update=changes)

    def set_status(
        self, source_id: str, status: SourceStatus, estimate_count: int | None = None
    ) -> None:
        changes: dict[str, object] = {"status": status}
        if estimate_count is not None:
            changes["estimate_count"] = estimate_count
        self._update(source_id, **changes)

    def mark_bucketed(self, source_id: str, estimate_count: int, now: datetime) -> bool:
        source = self._current(source_id)
        if source is None:
            raise KeyError(source_id)
        if source.has_live_claim(now):
            return False
        self._update(
            source_id,
            status=SourceStatus.BUCKETED,
            estimate_count=estimate_count,
            lease_expires_at=None,
        )
        return True

    def claim_for_snapshot(
        self, source_id: str, user_id: str, now: datetime, lease_expires_at: datetime
    ) -> Source | None:
        source = self.get(source_id, user_id)
        if source is None or not source.claimable(now):
            return None
        self._update(
            source_id,
            status=SourceStatus.GENERATING,
            attempt=source.attempt + 1,
            lease_expires_at=lease_expires_at,
        )
        return self._current(source_id)

    def claim_with_run(
        self, run: SnapshotRun, now: datetime, lease_expires_at: datetime
    ) -> Source | None:
        # Checked first, so that the error leaves nothing staged.
        if self._uow.runs._known(run.run_id):
            raise ValueError(f"run {run.run_id} is already recorded")
        claimed = self.claim_for_snapshot(run.source_id, run.user_id, now, lease_expires_at)
        if claimed is not None:
            self._uow.runs.add(run.model_copy(update={"attempt": claimed.attempt}))
        return claimed

    def release_claim(self, source_id: str, attempt: int, status: SourceStatus) -> bool:
        source = self._current(source_id)
        if source is None or source.status is not SourceStatus.GENERATING:
            return False
        if source.attempt != attempt:
            return False
        self._update(source_id, status=status, lease_expires_at=None)
        return True

    def settle_claim(
        self, run: SnapshotRun, attempt: int, status: SourceStatus, snapshot: SnapshotResult | None
    ) -> bool:
        if not self._uow.runs._known(run.run_id):  # as claim_with_run
            raise KeyError(run.run_id)
        if not self.release_claim(run.source_id, attempt, status):
            return False
        if snapshot is not None:
            self._uow.snapshots.add(snapshot, run.user_id)
        self._uow.runs.finish(run)
        return True


class _Estimates:
    def __init__(self, store: MemoryStore, pending: _Pending) -> None:
        self._store, self._pending = store, pending

    def add_many(self, source_id: str, rows: Iterable[EstimateRow]) -> int:
        if source_id not in self._pending.sources and source_id not in self._store.sources:
            raise KeyError(source_id)  # as the SQL stores' foreign key would
        batch = self._pending.estimates.setdefault(source_id, [])
        before = len(batch)
        batch.extend(rows)
        return len(batch) - before

    def add_columns(self, source_id: str, batches: Iterable[EstimateColumns]) -> int:
        return self.add_many(source_id, (row for batch in batches for row in batch.rows()))

    def _rows(self, source_id: str) -> list[EstimateRow]:
        return self._pending.estimates.get(source_id) or self._store.estimates.get(source_id, [])

    def tally(self, source_id: str, scheme: BandScheme) -> BucketTallies:
        return tally_estimates(self._rows(source_id), scheme)

    def outcome_counts(self, source_id: str) -> dict[Outcome | None, int]:
        return dict(Counter(row.outcome for row in self._rows(source_id)))


class _Buckets:
    def __init__(self, store: MemoryStore, pending: _Pending) -> None:
        self._store, self._pending = store, pending

    def save(self, buckets: EstimateBuckets) -> None:
        self._pending.buckets[buckets.source_id] = buckets

    def get(self, source_id: str) -> EstimateBuckets | None:
        return self._pending.buckets.get(source_id) or self._store.buckets.get(source_id)


class _Snapshots:
    def __init__(self, store: MemoryStore, pending: _Pending) -> None:
        self._store, self._pending = store, pending

    def add(self, snapshot: SnapshotResult, user_id: str) -> None:
        self._pending.snapshots[snapshot.meta.snapshot_id] = (user_id, snapshot)

    def get(self, snapshot_id: str, user_id: str) -> SnapshotResult | None:
        owned = self._pending.snapshots.get(snapshot_id) or self._store.snapshots.get(snapshot_id)
        return owned[1] if owned is not None and owned[0] == user_id else None

    def latest_ids(self, user_id: str) -> dict[str, str]:
        mine = sorted(
            (s.meta.generated_at, s.meta.snapshot_id, s.meta.source_id)
            for owner, s in {**self._store.snapshots, **self._pending.snapshots}.values()
            if owner == user_id
        )
        return {source_id: snapshot_id for _, snapshot_id, source_id in mine}


class _Runs:
    def __init__(self, store: MemoryStore, pending: _Pending) -> None:
        self._store, self._pending = store, pending

    def _all(self) -> list[SnapshotRun]:
        """Committed runs with this unit of work's writes applied, oldest first."""
        merged = {run.run_id: run for run in self._store.runs}
        merged.update(self._pending.runs)
        return list(merged.values())

    def _known(self, run_id: str) -> bool:
        return run_id in self._pending.runs or run_id in self._store.run_positions

    def add(self, run: SnapshotRun) -> None:
        if self._known(run.run_id):
            raise ValueError(f"run {run.run_id} is already recorded")
        self._pending.runs[run.run_id] = run

    def finish(self, run: SnapshotRun) -> None:
        if not self._known(run.run_id):
            raise KeyError(run.run_id)
        self._pending.runs[run.run_id] = run

    def abandon_unfinished(self, source_id: str, before_attempt: int, now: datetime) -> int:
        left = [
            run
            for run in self._all()
            if run.source_id == source_id
            and run.attempt < before_attempt
            and run.outcome is RunOutcome.CALLING
        ]
        for run in left:
            self._pending.runs[run.run_id] = run.model_copy(
                update={"outcome": RunOutcome.ABANDONED, "finished_at": now}
            )
        return len(left)

    def list(self, user_id: str | None = None) -> Sequence[SnapshotRun]:
        return [r for r in self._all() if user_id is None or r.user_id == user_id]


class _ApiKeys:
    def __init__(self, store: MemoryStore, pending: _Pending) -> None:
        self._store, self._pending = store, pending

    def add(self, key: ApiKey) -> None:
        if self.get(key.key_id) is not None:
            raise ValueError(f"API key {key.key_id} is already stored")
        self._pending.api_keys[key.key_id] = key

    def get(self, key_id: str) -> ApiKey | None:
        return self._pending.api_keys.get(key_id) or self._store.api_keys.get(key_id)

    def list(self, user_id: str | None = None) -> Sequence[ApiKey]:
        merged = {**self._store.api_keys, **self._pending.api_keys}
        return sorted(
            (k for k in merged.values() if user_id is None or k.user_id == user_id),
            key=lambda k: (k.created_at, k.key_id),
        )

    def revoke(self, key_id: str, now: datetime) -> ApiKey | None:
        key = self.get(key_id)
        if key is None or key.revoked_at is not None:
            return key
        revoked = key.model_copy(update={"revoked_at": now})
        self._pending.api_keys[key_id] = revoked
        return revoked


class MemoryUnitOfWork(UnitOfWork):
    runs: _Runs  # the sources' combined steps ask it whether a run is recorded

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.committed = False
        self._pending = _Pending()
        self._bind()

    def _bind(self) -> None:
        self.estimates = _Estimates(self.store, self._pending)
        self.buckets = _Buckets(self.store, self._pending)
        self.snapshots = _Snapshots(self.store, self._pending)
        self.runs = _Runs(self.store, self._pending)
        self.sources = _Sources(self.store, self._pending, self)
        self.api_keys = _ApiKeys(self.store, self._pending)

    def __enter__(self) -> MemoryUnitOfWork:
        self.store.lock.acquire()
        return self

    def close(self) -> None:
        self.store.lock.release()

    def commit(self) -> None:
        store, pending = self.store, self._pending
        store.sources.update(pending.sources)
        for source_id, rows in pending.estimates.items():
            store.estimates.setdefault(source_id, []).extend(rows)
        store.buckets.update(pending.buckets)
        store.snapshots.update(pending.snapshots)
        store.api_keys.update(pending.api_keys)
        for run_id, run in pending.runs.items():
            if run_id in store.run_positions:
                store.runs[store.run_positions[run_id]] = run
            else:
                store.run_positions[run_id] = len(store.runs)
                store.runs.append(run)
        self.committed = True
        self._pending = _Pending()
        self._bind()

    def rollback(self) -> None:
        self._pending = _Pending()
        self._bind()
