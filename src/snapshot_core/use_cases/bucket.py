"""bucket_source: aggregate a source's estimates into stored buckets."""

from __future__ import annotations

from ..domain import (
    EstimateBuckets,
    InvalidSourceError,
    RunPolicy,
    SnapshotInProgressError,
    build_buckets,
    check_user_id,
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

    A span longer than ``policy.max_weeks`` is refused here (``SourceSpanTooLongError``),
    before the weekly series is built. Bucketing again is allowed (it replaces the buckets,
    and makes a finished source ready for a new snapshot), except while a live claim is
    waiting for the model.
    """
    check_user_id(user_id)
    with uow_factory() as uow:
        source = uow.sources.get(source_id, user_id)
        if source is None:
            raise InvalidSourceError()
        now = clock.now()
        if source.has_live_claim(now):
            raise SnapshotInProgressError()
        tallies = uow.estimates.tally(source_id, policy.band_scheme)
        buckets = build_buckets(
            source_id, tallies, now, policy.band_scheme, max_weeks=policy.max_weeks
        )
        uow.buckets.save(buckets)
        # Conditional: a run may have claimed the source while we tallied.
        if not uow.sources.mark_bucketed(source_id, tallies.estimate_count, now):
            raise SnapshotInProgressError()
        uow.commit()
    return buckets
