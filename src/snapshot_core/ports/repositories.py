"""Repository ports: how use cases read and write sources, estimates, buckets, snapshots, runs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from ..domain import (
    ApiKey,
    BandScheme,
    BucketTallies,
    EstimateBuckets,
    EstimateRow,
    SnapshotResult,
    SnapshotRun,
    Source,
    SourceStatus,
)
from ..domain.estimate_columns import EstimateColumns
from ..domain.models import Outcome

__all__ = [
    "ApiKeyRepository",
    "BucketRepository",
    "EstimateRepository",
    "RunRepository",
    "SnapshotRepository",
    "SourceRepository",
]


class SourceRepository(Protocol):
    def add(self, source: Source) -> None: ...

    def get(self, source_id: str, user_id: str) -> Source | None:
        """The source if it exists *and* belongs to ``user_id``; otherwise ``None``."""
        ...

    def get_with_buckets(
        self, source_id: str, user_id: str
    ) -> tuple[Source, EstimateBuckets | None] | None:
        """``get`` and the source's buckets (``None`` if it has none) in one read: a
        snapshot needs both, and each round trip is CPU on a busy worker."""
        ...

    def list_for_user(self, user_id: str) -> Sequence[Source]:
        """The user's sources, oldest first."""
        ...

    def list_in_status(self, status: SourceStatus) -> Sequence[Source]:
        """Every user's sources in ``status``, oldest first (operators' batch runs)."""
        ...

    def set_status(
        self, source_id: str, status: SourceStatus, estimate_count: int | None = None
    ) -> None: ...

    def mark_bucketed(self, source_id: str, estimate_count: int, now: datetime) -> bool:
        """Set ``bucketed`` and the count, clearing any expired lease, in one conditional
        update; ``False`` (nothing changed) while a run holds a live claim at ``now``."""
        ...

    def claim_for_snapshot(
        self, source_id: str, user_id: str, now: datetime, lease_expires_at: datetime
    ) -> Source | None:
        """Atomically move a ``bucketed`` source, or a ``generating`` one whose lease expired
        before ``now``, to ``generating`` with a new lease and ``attempt + 1``.

        Exactly one of any number of concurrent callers gets the claimed source back;
        every other gets ``None``. The caller commits at once.
        """
        ...

    def claim_with_run(
        self, run: SnapshotRun, now: datetime, lease_expires_at: datetime
    ) -> Source | None:
        """``claim_for_snapshot`` of ``run``'s source for its user and, only if it claimed,
        ``runs.add`` of ``run`` with its ``attempt`` set to the claim's: an attempt's start,
        in one statement where the database allows. ``None``: not claimed, nothing written."""
        ...

    def release_claim(self, source_id: str, attempt: int, status: SourceStatus) -> bool:
        """End the claim made as ``attempt``: set ``status`` and clear the lease.

        Returns ``False`` (and changes nothing) when the source is no longer held by that
        attempt, because its lease expired and another attempt claimed it.
        """
        ...

    def settle_claim(
        self, run: SnapshotRun, attempt: int, status: SourceStatus, snapshot: SnapshotResult | None
    ) -> bool:
        """``release_claim`` of ``run``'s source and, only if it released,
        ``snapshots.add(snapshot, run.user_id)`` (unless ``None``) and ``runs.finish(run)``:
        an attempt's save, in one statement where the database allows. ``False``: the claim
        was not that attempt's any more, and nothing is written. ``KeyError`` if ``run`` was
        never added.
        """
        ...


class EstimateRepository(Protocol):
    def add_many(self, source_id: str, rows: Iterable[EstimateRow]) -> int:
        """Store rows (consumed lazily, in batches); returns how many were stored.

        The source must exist (added earlier in this unit of work, or committed before);
        otherwise ``KeyError``.
        """
        ...

    def add_columns(self, source_id: str, batches: Iterable[EstimateColumns]) -> int:
        """``add_many`` for rows a batch at a time, column by column (consumed lazily): the
        same rows stored the same way, in order; returns how many were stored."""
        ...

    def tally(self, source_id: str, scheme: BandScheme) -> BucketTallies:
        """Counts per ISO week, price band and latency band; must equal ``tally_estimates``."""
        ...

    def outcome_counts(self, source_id: str) -> dict[Outcome | None, int]:
        """How many of the source's estimates have each outcome (``None``: not known, as for
        rows stored before outcomes were); outcomes with no estimates are left out."""
        ...


class BucketRepository(Protocol):
    def save(self, buckets: EstimateBuckets) -> None:
        """Insert or replace the source's buckets."""
        ...

    def get(self, source_id: str) -> EstimateBuckets | None: ...


class SnapshotRepository(Protocol):
    def add(self, snapshot: SnapshotResult, user_id: str) -> None: ...

    def get(self, snapshot_id: str, user_id: str) -> SnapshotResult | None:
        """The snapshot if it exists and belongs to ``user_id``; otherwise ``None``."""
        ...

    def latest_ids(self, user_id: str) -> Mapping[str, str]:
        """Each of the user's sources that has a snapshot, to its latest snapshot's id (by
        ``generated_at``, then id): whoever wrote the narrative, the model or the template."""
        ...


class RunRepository(Protocol):
    def add(self, run: SnapshotRun) -> None:
        """Record a new attempt (written `calling`, before the model call)."""
        ...

    def finish(self, run: SnapshotRun) -> None:
        """Replace the record of ``run.run_id`` with its finished state."""
        ...

    def abandon_unfinished(self, source_id: str, before_attempt: int, now: datetime) -> int:
        """Mark the source's runs still `calling` from attempts before ``before_attempt`` as
        `abandoned` (finished at ``now``); returns how many."""
        ...

    def list(self, user_id: str | None = None) -> Sequence[SnapshotRun]:
        """Runs, oldest first; all users' when ``user_id`` is ``None``."""
        ...


class ApiKeyRepository(Protocol):
    """API keys of the web service: each stored with its secret's hash, never the secret."""

    def add(self, key: ApiKey) -> None: ...

    def get(self, key_id: str) -> ApiKey | None:
        """The key with this id (revoked or not), whoever's it is; ``None`` if none."""
        ...

    def list(self, user_id: str | None = None) -> Sequence[ApiKey]:
        """Keys, oldest first (ties by key id); all users' when ``user_id`` is ``None``."""
        ...

    def revoke(self, key_id: str, now: datetime) -> ApiKey | None:
        """Set ``revoked_at`` to ``now`` unless already set (the first revocation stands);
        the key as it is afterwards, or ``None`` when there is no such key."""
        ...
