"""SqlBuckets, SqlSnapshots, SqlRuns: documents and records, each row owned by a source."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic_core import PydanticSerializationError
from sqlalchemy import Text, bindparam, cast, insert, select, update

from snapshot_core.domain import EstimateBuckets, RunOutcome, SnapshotResult, SnapshotRun

from .schema import buckets, runs, snapshots

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PgInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

    from .unit_of_work import SqlUnitOfWork

__all__ = [
    "FINISHED_RUN_FIELDS",
    "SqlBuckets",
    "SqlRuns",
    "SqlSnapshots",
    "finished_run_values",
    "snapshot_row",
]

# The statements a snapshot runs, built once (see sources.py); an INSERT or UPDATE without
# values takes its columns from the parameters' names.
# A buckets document comes as its JSON text, which pydantic reads in one pass (not the
# driver's json.loads and then model_validate of the dicts: a tenth of a snapshot's storage
# CPU); every read of it goes this way, so each reads the document alike.
BUCKETS_TEXT = cast(buckets.c.body, Text).label("body")
_GET_BUCKETS = select(BUCKETS_TEXT).where(buckets.c.source_id == bindparam("p_source_id"))
_ADD_SNAPSHOT = insert(snapshots)
_ADD_RUN = insert(runs)
_FINISH_RUN = update(runs).where(runs.c.run_id == bindparam("p_run_id"))
_ABANDON = (
    update(runs)
    .where(
        runs.c.source_id == bindparam("p_source_id"),
        runs.c.attempt < bindparam("p_attempt"),
        runs.c.outcome == RunOutcome.CALLING.value,
    )
    .values(
        outcome=RunOutcome.ABANDONED.value,
        finished_at=bindparam("p_now", type_=runs.c.finished_at.type),
    )
)


def snapshot_row(snapshot: SnapshotResult, user_id: str) -> dict[str, Any]:
    """A snapshot's row, by column name."""
    return {
        "snapshot_id": snapshot.meta.snapshot_id,
        "source_id": snapshot.meta.source_id,
        "user_id": user_id,
        "generated_at": snapshot.meta.generated_at,
        "body": snapshot.model_dump(mode="json"),
    }


def snapshot_text(snapshot: SnapshotResult) -> str:
    """A snapshot's document as JSON text, for a statement that casts it to the column's type:
    pydantic's, or, for text pydantic will not write (a lone surrogate), json.dumps' as the
    column would have written it, so the database refuses it as it did."""
    try:
        return snapshot.model_dump_json()
    except PydanticSerializationError:
        return json.dumps(snapshot.model_dump(mode="json"))


_RUN_IDENTITY = {"run_id", "source_id", "user_id", "attempt"}
FINISHED_RUN_FIELDS = tuple(name for name in SnapshotRun.model_fields if name not in _RUN_IDENTITY)


def finished_run_values(run: SnapshotRun) -> dict[str, Any]:
    """What finishing a run writes, by column name (its identity is not rewritten)."""
    return run.model_dump(exclude=_RUN_IDENTITY)


class SqlBuckets:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def save(self, bucket_set: EstimateBuckets) -> None:
        values = {
            "source_id": bucket_set.source_id,
            "estimate_count": bucket_set.estimate_count,
            "created_at": bucket_set.created_at,
            "body": bucket_set.model_dump(mode="json"),
        }
        # Each dialect's INSERT ... ON CONFLICT, imported for the database in use only.
        upsert: PgInsert | SqliteInsert
        if self._uow.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            upsert = pg_insert(buckets)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            upsert = sqlite_insert(buckets)
        self._uow.execute(
            upsert.values(**values).on_conflict_do_update(
                index_elements=[buckets.c.source_id],
                set_={key: value for key, value in values.items() if key != "source_id"},
            )
        )

    def get(self, source_id: str) -> EstimateBuckets | None:
        body = self._uow.execute(_GET_BUCKETS, {"p_source_id": source_id}).scalar_one_or_none()
        return None if body is None else EstimateBuckets.model_validate_json(body)


class SqlSnapshots:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def add(self, snapshot: SnapshotResult, user_id: str) -> None:
        self._uow.execute(_ADD_SNAPSHOT, snapshot_row(snapshot, user_id))

    def get(self, snapshot_id: str, user_id: str) -> SnapshotResult | None:
        body = self._uow.execute(
            select(snapshots.c.body).where(
                snapshots.c.snapshot_id == snapshot_id, snapshots.c.user_id == user_id
            )
        ).scalar_one_or_none()
        return None if body is None else SnapshotResult.model_validate(body)

    def latest_ids(self, user_id: str) -> dict[str, str]:
        rows = self._uow.execute(
            select(snapshots.c.source_id, snapshots.c.snapshot_id)
            .where(snapshots.c.user_id == user_id)
            .order_by(snapshots.c.generated_at, snapshots.c.snapshot_id)
        ).all()
        return {row.source_id: row.snapshot_id for row in rows}  # the latest wins


class SqlRuns:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def add(self, run: SnapshotRun) -> None:
        self._uow.execute(_ADD_RUN, run.model_dump())

    def finish(self, run: SnapshotRun) -> None:
        done = self._uow.execute(_FINISH_RUN, {**finished_run_values(run), "p_run_id": run.run_id})
        if done.rowcount != 1:
            raise KeyError(run.run_id)

    def abandon_unfinished(self, source_id: str, before_attempt: int, now: datetime) -> int:
        done = self._uow.execute(
            _ABANDON, {"p_source_id": source_id, "p_attempt": before_attempt, "p_now": now}
        )
        return int(done.rowcount)

    def list(self, user_id: str | None = None) -> Sequence[SnapshotRun]:
        columns = [column for column in runs.c if column.name != "seq"]
        query = select(*columns).order_by(runs.c.seq)
        if user_id is not None:
            query = query.where(runs.c.user_id == user_id)
        return [SnapshotRun.model_validate(dict(row._mapping)) for row in self._uow.execute(query)]
