"""SqlSources: sources and the atomic claim (one conditional UPDATE ... RETURNING)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, insert, not_, or_, select, update

from snapshot_core.domain import Source, SourceStatus

from .schema import SOURCE_COLUMNS, sources

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

__all__ = ["SqlSources"]

_GENERATING = SourceStatus.GENERATING.value


# The statements a snapshot runs, built once: a statement object keeps its cache key, so
# each execution skips building the expression and its key (a third of the ORM-free CPU
# of a claim). Parameter names differ from column names, as UPDATE needs.
_GET = select(*SOURCE_COLUMNS).where(
    sources.c.source_id == bindparam("p_source_id"), sources.c.user_id == bindparam("p_user_id")
)
_NOW = bindparam("p_now", type_=sources.c.lease_expires_at.type)
_CLAIM = (
    update(sources)
    .where(
        sources.c.source_id == bindparam("p_source_id"),
        sources.c.user_id == bindparam("p_user_id"),
        or_(
            sources.c.status == SourceStatus.BUCKETED.value,
            and_(
                sources.c.status == _GENERATING,
                or_(sources.c.lease_expires_at.is_(None), sources.c.lease_expires_at <= _NOW),
            ),
        ),
    )
    .values(
        status=_GENERATING,
        attempt=sources.c.attempt + 1,
        lease_expires_at=bindparam("p_lease", type_=sources.c.lease_expires_at.type),
    )
    .returning(*SOURCE_COLUMNS)
)
_RELEASE = (
    update(sources)
    .where(
        sources.c.source_id == bindparam("p_source_id"),
        sources.c.status == _GENERATING,
        sources.c.attempt == bindparam("p_attempt"),
    )
    .values(status=bindparam("p_status", type_=sources.c.status.type), lease_expires_at=None)
)


def _source(row: Any) -> Source:
    return Source.model_validate(dict(row._mapping))


class SqlSources:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def add(self, source: Source) -> None:
        self._uow.execute(insert(sources).values(**source.model_dump()))

    def get(self, source_id: str, user_id: str) -> Source | None:
        row = self._uow.execute(
            _GET, {"p_source_id": source_id, "p_user_id": user_id}
        ).one_or_none()
        return None if row is None else _source(row)

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
            sources.c.status == _GENERATING,
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
            _CLAIM,
            {
                "p_source_id": source_id,
                "p_user_id": user_id,
                "p_now": now,
                "p_lease": lease_expires_at,
            },
        ).one_or_none()
        return None if row is None else _source(row)

    def release_claim(self, source_id: str, attempt: int, status: SourceStatus) -> bool:
        result = self._uow.execute(
            _RELEASE,
            {
                "p_source_id": source_id,
                "p_attempt": attempt,
                "p_status": SourceStatus(status).value,
            },
        )
        return result.rowcount == 1
