"""SqlSources: sources and the atomic claim (one conditional UPDATE ... RETURNING)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    and_,
    insert,
    not_,
    select,
    update,
)

from snapshot_core.domain import EstimateBuckets, SnapshotResult, SnapshotRun, Source, SourceStatus

from .records import (
    SqlRuns,
    SqlSnapshots,
    finished_run_values,
    snapshot_row,
    snapshot_text,
)
from .schema import SOURCE_COLUMNS, sources
from .source_statements import (
    CLAIM,
    CLAIM_WITH_RUN,
    GENERATING,
    GET,
    GET_WITH_BUCKETS,
    RELEASE,
    SETTLE,
    SOURCE_NAMES,
)

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

__all__ = ["SqlSources"]


def _source(row: Any) -> Source:
    return Source.model_validate(dict(row._mapping))


class SqlSources:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def add(self, source: Source) -> None:
        self._uow.execute(insert(sources).values(**source.model_dump()))

    def get(self, source_id: str, user_id: str) -> Source | None:
        row = self._uow.execute(GET, {"p_source_id": source_id, "p_user_id": user_id}).one_or_none()
        return None if row is None else _source(row)

    def get_with_buckets(
        self, source_id: str, user_id: str
    ) -> tuple[Source, EstimateBuckets | None] | None:
        row = self._uow.execute(
            GET_WITH_BUCKETS, {"p_source_id": source_id, "p_user_id": user_id}
        ).one_or_none()
        if row is None:
            return None
        source = Source.model_validate(dict(zip(SOURCE_NAMES, row, strict=False)))
        body = row.body
        return source, None if body is None else EstimateBuckets.model_validate_json(body)

    def list_for_user(self, user_id: str) -> Sequence[Source]:
        rows = self._uow.execute(
            select(*SOURCE_COLUMNS)
            .where(sources.c.user_id == user_id)
            .order_by(sources.c.created_at, sources.c.source_id)
        )
        return [_source(row) for row in rows]

    def list_in_status(self, status: SourceStatus) -> Sequence[Source]:
        rows = self._uow.execute(
            select(*SOURCE_COLUMNS)
            .where(sources.c.status == SourceStatus(status).value)
            .order_by(sources.c.created_at, sources.c.source_id)
        )
        return [_source(row) for row in rows]

    def set_status(
        self, source_id: str, status: SourceStatus, estimate_count: int | None = None
    ) -> None:
        values: dict[str, Any] = {"status": SourceStatus(status).value}
        if estimate_count is not None:
            values["estimate_count"] = estimate_count
        result = self._uow.execute(
            update(sources).where(sources.c.source_id == source_id).values(**values)
        )
        if result.rowcount == 0:
            raise KeyError(source_id)

    def mark_bucketed(self, source_id: str, estimate_count: int, now: datetime) -> bool:
        """Conditional, like the claim: a claim committed meanwhile makes this match nothing
        (PostgreSQL re-checks the WHERE clause on the row it waited for)."""
        live_claim = and_(
            sources.c.status == GENERATING,
            sources.c.lease_expires_at.is_not(None),
            sources.c.lease_expires_at > now,
        )
        result = self._uow.execute(
            update(sources)
            .where(sources.c.source_id == source_id, not_(live_claim))
            .values(
                status=SourceStatus.BUCKETED.value,
                estimate_count=estimate_count,
                lease_expires_at=None,
            )
        )
        if result.rowcount == 1:
            return True
        if (
            self._uow.execute(
                select(sources.c.source_id).where(sources.c.source_id == source_id)
            ).first()
            is None
        ):
            raise KeyError(source_id)
        return False

    def claim_for_snapshot(
        self, source_id: str, user_id: str, now: datetime, lease_expires_at: datetime
    ) -> Source | None:
        """One statement: the row lock serialises racers, and PostgreSQL re-checks the WHERE
        clause on the row a concurrent winner committed, so every loser matches nothing."""
        row = self._uow.execute(
            CLAIM,
            {
                "p_source_id": source_id,
                "p_user_id": user_id,
                "p_now": now,
                "p_lease": lease_expires_at,
            },
        ).one_or_none()
        return None if row is None else _source(row)

    def claim_with_run(
        self, run: SnapshotRun, now: datetime, lease_expires_at: datetime
    ) -> Source | None:
        if self._uow.dialect != "postgresql":  # no INSERT inside WITH: one by one
            claimed = self.claim_for_snapshot(run.source_id, run.user_id, now, lease_expires_at)
            if claimed is not None:
                SqlRuns(self._uow).add(run.model_copy(update={"attempt": claimed.attempt}))
            return claimed
        params: dict[str, Any] = {
            "p_source_id": run.source_id,
            "p_user_id": run.user_id,
            "p_now": now,
            "p_lease": lease_expires_at,
            **{f"r_{name}": value for name, value in run.model_dump().items()},
        }
        row = self._uow.execute(CLAIM_WITH_RUN, params).one_or_none()
        return None if row is None else _source(row)

    def release_claim(self, source_id: str, attempt: int, status: SourceStatus) -> bool:
        result = self._uow.execute(
            RELEASE,
            {
                "p_source_id": source_id,
                "p_attempt": attempt,
                "p_status": SourceStatus(status).value,
            },
        )
        return result.rowcount == 1

    def settle_claim(
        self, run: SnapshotRun, attempt: int, status: SourceStatus, snapshot: SnapshotResult | None
    ) -> bool:
        if self._uow.dialect != "postgresql":
            # SQLite has no INSERT or UPDATE inside WITH: the three writes, one by one (a
            # local file, one writer at a time: its round trips are cheap).
            if not self.release_claim(run.source_id, attempt, status):
                return False
            if snapshot is not None:
                SqlSnapshots(self._uow).add(snapshot, run.user_id)
            SqlRuns(self._uow).finish(run)
            return True
        params: dict[str, Any] = {
            "p_source_id": run.source_id,
            "p_attempt": attempt,
            "p_status": SourceStatus(status).value,
            "p_run_id": run.run_id,
            **{f"r_{name}": value for name, value in finished_run_values(run).items()},
        }
        if snapshot is not None:
            params.update({f"s_{n}": v for n, v in snapshot_row(snapshot, run.user_id).items()})
            params["s_body"] = snapshot_text(snapshot)  # the statement casts it
        row = self._uow.execute(SETTLE[snapshot is not None], params).one()
        released, finished = int(row.released), int(row.finished)
        if released and not finished:
            raise KeyError(run.run_id)  # the caller's rollback undoes the release
        return bool(released)
