"""The statements a snapshot's claim, read and save run on sources, built once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Select,
    Text,
    and_,
    bindparam,
    cast,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)

from snapshot_core.domain import SnapshotRun, SourceStatus

from .records import BUCKETS_TEXT, FINISHED_RUN_FIELDS
from .schema import SOURCE_COLUMNS, buckets, runs, snapshots, sources

__all__ = [
    "CLAIM",
    "CLAIM_WITH_RUN",
    "GENERATING",
    "GET",
    "GET_WITH_BUCKETS",
    "RELEASE",
    "SETTLE",
    "SOURCE_NAMES",
]

GENERATING = SourceStatus.GENERATING.value


# The statements a snapshot runs, built once: a statement object keeps its cache key, so
# each execution skips building the expression and its key (a third of the ORM-free CPU
# of a claim). Parameter names differ from column names, as UPDATE needs.
GET = select(*SOURCE_COLUMNS).where(
    sources.c.source_id == bindparam("p_source_id"), sources.c.user_id == bindparam("p_user_id")
)
_NOW = bindparam("p_now", type_=sources.c.lease_expires_at.type)
CLAIM = (
    update(sources)
    .where(
        sources.c.source_id == bindparam("p_source_id"),
        sources.c.user_id == bindparam("p_user_id"),
        or_(
            sources.c.status == SourceStatus.BUCKETED.value,
            and_(
                sources.c.status == GENERATING,
                or_(sources.c.lease_expires_at.is_(None), sources.c.lease_expires_at <= _NOW),
            ),
        ),
    )
    .values(
        status=GENERATING,
        attempt=sources.c.attempt + 1,
        lease_expires_at=bindparam("p_lease", type_=sources.c.lease_expires_at.type),
    )
    .returning(*SOURCE_COLUMNS)
)
RELEASE = (
    update(sources)
    .where(
        sources.c.source_id == bindparam("p_source_id"),
        sources.c.status == GENERATING,
        sources.c.attempt == bindparam("p_attempt"),
    )
    .values(status=bindparam("p_status", type_=sources.c.status.type), lease_expires_at=None)
)


# The source and its buckets' document (as text, as records.py reads it) in one read: a
# snapshot needs both.
GET_WITH_BUCKETS = (
    select(*SOURCE_COLUMNS, BUCKETS_TEXT)
    .select_from(sources.outerjoin(buckets, buckets.c.source_id == sources.c.source_id))
    .where(
        sources.c.source_id == bindparam("p_source_id"),
        sources.c.user_id == bindparam("p_user_id"),
    )
)
SOURCE_NAMES = tuple(column.name for column in SOURCE_COLUMNS)


def _settle_statement(with_snapshot: bool) -> Select[Any]:
    """An attempt's save in one PostgreSQL statement: the release (``RELEASE``) as a CTE,
    and the snapshot's INSERT and the run's UPDATE each only if it released; the counts of
    sources released and runs finished come back."""
    released = RELEASE.returning(sources.c.source_id).cte("released")
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


SETTLE = {True: _settle_statement(True), False: _settle_statement(False)}


def _claim_with_run_statement() -> Select[Any]:
    """The claim (``CLAIM``) as a CTE, and the run's INSERT only for a row it claimed, with
    the claim's attempt number: one PostgreSQL statement; the claimed row comes back."""
    claimed = CLAIM.cte("claimed")
    names = list(SnapshotRun.model_fields)
    values = select(
        *(
            claimed.c.attempt if n == "attempt" else bindparam(f"r_{n}", type_=runs.c[n].type)
            for n in names
        )
    ).select_from(claimed)
    added = insert(runs).from_select(names, values).cte("added")
    return select(*claimed.c).add_cte(added)  # the INSERT runs although nothing reads it


CLAIM_WITH_RUN = _claim_with_run_statement()
