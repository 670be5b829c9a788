"""SqlEstimates: streamed bulk insert, the pushed-down tally, outcome counts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from snapshot_core.domain import BandScheme, BucketTallies, EstimateRow
from snapshot_core.domain.estimate_columns import EstimateColumns
from snapshot_core.domain.models import Outcome

from .bulk import copy_rows, prepare
from .encodings import OUTCOME_OF_CODE
from .errors import database_errors
from .schema import estimates, sources
from .sqlite_bulk import executemany_batches, sqlite_column_values
from .tally import tally

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

__all__ = ["SqlEstimates"]


class SqlEstimates:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def _key(self, source_id: str) -> int | None:
        key: int | None = self._uow.execute(
            select(sources.c.source_key).where(sources.c.source_id == source_id)
        ).scalar_one_or_none()
        return key

    def _next(self, source_id: str) -> tuple[int, int]:
        """The source's key and the seq of the next row; ``KeyError`` for an unknown source."""
        key = self._key(source_id)
        if key is None:
            raise KeyError(source_id)
        last = self._uow.execute(
            select(func.coalesce(func.max(estimates.c.seq), 0)).where(estimates.c.source_key == key)
        ).scalar_one()
        return key, last + 1

    def add_many(self, source_id: str, rows: Iterable[EstimateRow]) -> int:
        """Rows are consumed lazily; an exception from ``rows`` aborts the whole transaction
        (the unit of work rolls back), so no partial ingest survives. The source must have
        been added (in this unit of work or before): ``KeyError`` otherwise."""
        key, seq = self._next(source_id)
        connection = self._uow.connection
        with database_errors(self._uow.store.url):
            if self._uow.dialect == "postgresql":
                return copy_rows(connection, prepare(key, seq, rows))
            batches = EstimateColumns.batches_of(rows)
            return executemany_batches(
                connection.exec_driver_sql, sqlite_column_values(key, seq, batches)
            )

    def add_columns(self, source_id: str, batches: Iterable[EstimateColumns]) -> int:
        """``add_many`` for column batches: on SQLite encoded column by column; PostgreSQL's
        COPY takes them as rows."""
        key, seq = self._next(source_id)
        connection = self._uow.connection
        with database_errors(self._uow.store.url):
            if self._uow.dialect == "postgresql":
                rows = (row for batch in batches for row in batch.rows())
                return copy_rows(connection, prepare(key, seq, rows))
            return executemany_batches(
                connection.exec_driver_sql, sqlite_column_values(key, seq, batches)
            )

    def tally(self, source_id: str, scheme: BandScheme) -> BucketTallies:
        return tally(self._uow, self._key(source_id), scheme)

    def outcome_counts(self, source_id: str) -> dict[Outcome | None, int]:
        key = self._key(source_id)
        if key is None:
            return {}
        code = estimates.c.outcome
        query = select(code, func.count()).where(estimates.c.source_key == key).group_by(code)
        counts: dict[Outcome | None, int] = {}
        for result_row in self._uow.execute(query):
            outcome_code, count = tuple(result_row)
            counts[OUTCOME_OF_CODE[outcome_code]] = count
        return counts
