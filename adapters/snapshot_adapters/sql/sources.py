"""SqlSources: sources and the atomic claim (one conditional UPDATE ... RETURNING)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Select,
    Text,
    and_,
    bindparam,
    cast,
    exists,
    func,
    insert,
    not_,
    or_,
    select,
    update,
)

from snapshot_core.domain import EstimateBuckets, SnapshotResult, SnapshotRun, Source, SourceStatus

from .records import FINISHED_RUN_FIELDS, SqlRuns, SqlSnapshots, finished_run_values, snapshot_row
from .schema import SOURCE_COLUMNS, buckets, runs, snapshots, sources

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


# The source and its buckets' document in one read (a snapshot needs both). The document
# comes as its JSON text, which pydantic reads in one pass (not the driver's json.loads and
# then model_validate of the dicts: a tenth of a snapshot's storage CPU).
_GET_WITH_BUCKETS = (
    select(*SOURCE_COLUMNS, cast(buckets.c.body, Text).label("body"))
    .select_from(sources.outerjoin(buckets, buckets.c.source_id == sources.c.source_id))
    .where(
        sources.c.source_id == bindparam("p_source_id"),
        sources.c.user_id == bindparam("p_user_id"),
    )
)
_SOURCE_NAMES = tuple(column.name for column in SOURCE_COLUMNS)


def _settle_statement(with_snapshot: bool) -> Select[Any]:
    """An attempt's save in one PostgreSQL statement: the release (``_RELEASE``) as a CTE,
    and the snapshot's INSERT and the run's UPDATE each only if it released; the counts of
    sources released and runs finished come back."""
    released = _RELEASE.returning(sources.c.source_id).cte("released")
    did_release = exists(select(released.c.source_id))
    finished = (
        update(runs)
        .where(runs.c.run_id == bindparam("p_run_id"), did_release)
        .values(
            {name: bindparam(f"r_{name}", type_=runs.c[name].type) for name in FINISHED_RUN_FIELDS}
        )
        .returning(runs.c.run_id)
        .cte("finished")
    )
    statement = select(
        select(func.count()).select_from(released).scalar_subquery().label("released"),
        select(func.count()).select_from(finished).scalar_subquery().label("finished"),
    )
    if with_snapshot:
        names = [column.name for column in snapshots.c]
        # The document arrives as the JSON text pydantic wrote (``model_dump_json``), cast
        # by the server, not as dicts for json.dumps (a fifth of the statement's CPU).
        values = select(
            *(
                cast(bindparam("s_body", type_=Text), snapshots.c.body.type)
                if n == "body"
                else bindparam(f"s_{n}", type_=snapshots.c[n].type)
                for n in names
            )
        )
        added = insert(snapshots).from_select(names, values.where(did_release)).cte("added")
        statement = statement.add_cte(added)  # run although nothing reads it
    return statement


_SETTLE = {True: _settle_statement(True), False: _settle_statement(False)}


def _claim_with_run_statement() -> Select[Any]:
    """The claim (``_CLAIM``) as a CTE, and the run's INSERT only for a row it claimed, with
    the claim's attempt number: one PostgreSQL statement; the claimed row comes back."""
    claimed = _CLAIM.cte("claimed")
    names = list(SnapshotRun.model_fields)
    values = select(
        *(
            claimed.c.attempt if n == "attempt" else bindparam(f"r_{n}", type_=runs.c[n].type)
            for n in names
        )
    ).select_from(claimed)
    added = insert(runs).from_select(names, values).cte("added")
    return select(*claimed.c).add_cte(added)  # the INSERT runs although nothing reads it


_CLAIM_WITH_RUN = _claim_with_run_statement()


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

    def get_with_buckets(
        self, source_id: str, user_id: str
    ) -> tuple[Source, EstimateBuckets | None] | None:
        row = self._uow.execute(
            _GET_WITH_BUCKETS, {"p_source_id": source_id, "p_user_id": user_id}
        ).one_or_none()
        if row is None:
            return None
        source = Source.model_validate(dict(zip(_SOURCE_NAMES, row, strict=False)))
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
        row = self._uow.execute(_CLAIM_WITH_RUN, params).one_or_none()
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
            row_values = snapshot_row(snapshot, run.user_id, body=snapshot.model_dump_json())
            params.update({f"s_{n}": v for n, v in row_values.items()})
        row = self._uow.execute(_SETTLE[snapshot is not None], params).one()
        released, finished = int(row.released), int(row.finished)
        if released and not finished:
            raise KeyError(run.run_id)  # the caller's rollback undoes the release
        return bool(released)
