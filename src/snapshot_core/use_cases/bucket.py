"""bucket_source: aggregate a source's estimates into stored buckets."""

from __future__ import annotations

from ..domain import (
    EstimateBuckets,
    InvalidSourceError,
    RunPolicy,
    SnapshotInProgressError,
    build_buckets,
)
from ..ports import Clock, UnitOfWorkFactory

__all__ = ["bucket_source"]


def bucket_source(
    *,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    policy: RunPolicy,
    source_id: str,
    user_id: str,
) -> EstimateBuckets:
    """Tally the estimates (in the store), save the buckets, mark the source ``bucketed``.

    Bucketing again is allowed (it replaces the buckets, and makes a finished source
    ready for a new snapshot), except while a live claim is waiting for the model.
    """
    with uow_factory() as uow:
        source = uow.sources.get(source_id, user_id)
        if source is None:
            raise InvalidSourceError()
        now = clock.now()
        if source.has_live_claim(now):
            raise SnapshotInProgressError()
        tallies = uow.estimates.tally(source_id, policy.band_scheme)
        buckets = build_buckets(source_id, tallies, now, policy.band_scheme)
        uow.buckets.save(buckets)
        # Conditional: a run may have claimed the source while we tallied.
        if not uow.sources.mark_bucketed(source_id, tallies.estimate_count, now):
            raise SnapshotInProgressError()
        uow.commit()
    return buckets
