"""ingest_estimates: store already-parsed rows as a new source, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import ValidationError

from ..domain import EstimateRow, InvalidInputError, RowProblem, Source, SourceStatus
from ..ports import Clock, IdFactory, UnitOfWorkFactory

__all__ = ["ingest_estimates"]

_MAX_REPORTED = 1000  # enough to fix a file; the total is always reported


def _problems_from(error: ValidationError, row_number: int) -> list[RowProblem]:
    return [
        RowProblem(
            row_number,
            ".".join(str(part) for part in err["loc"]) or "row",
            err["msg"].removeprefix("Value error, "),
        )
        for err in error.errors()
    ]


class _CheckedRows:
    """Validates rows as they stream past, remembering problems instead of stopping."""

    def __init__(self, rows: Iterable[EstimateRow | Mapping[str, Any]]) -> None:
        self._rows = rows
        self.problems: list[RowProblem] = []
        self.bad_rows = 0
        self._first_seen: dict[str, int] = {}

    def _problem(self, problems: list[RowProblem]) -> None:
        self.bad_rows += 1
        room = _MAX_REPORTED - len(self.problems)
        self.problems.extend(problems[: max(room, 0)])

    def __iter__(self) -> Iterator[EstimateRow]:
        for number, raw in enumerate(self._rows, start=1):
            try:
                row = raw if isinstance(raw, EstimateRow) else EstimateRow.model_validate(raw)
            except ValidationError as error:
                self._problem(_problems_from(error, number))
                continue
            if row.estimate_id is not None:
                first = self._first_seen.setdefault(row.estimate_id, number)
                if first != number:
                    self._problem([RowProblem(number, "estimate_id", f"duplicate of row {first}")])
                    continue
            yield row


def ingest_estimates(
    *,
    uow_factory: UnitOfWorkFactory,
    ids: IdFactory,
    clock: Clock,
    user_id: str,
    rows: Iterable[EstimateRow | Mapping[str, Any]],
    name: str = "",
) -> str:
    """Create a source (status ``uploaded``) holding ``rows``; returns its id.

    Rows are consumed lazily, so a generator over a huge file stays flat in memory. If any
    row is invalid (bad value, ``decided_at`` before ``sent_at``, duplicate ``estimate_id``)
    nothing is stored and ``InvalidInputError`` lists the problems by row number.
    """
    checked = _CheckedRows(rows)
    source_id = ids.new_id("source")
    with uow_factory() as uow:
        uow.sources.add(
            Source(source_id=source_id, user_id=user_id, name=name, created_at=clock.now())
        )
        stored = uow.estimates.add_many(source_id, checked)
        if checked.bad_rows:
            raise InvalidInputError(checked.problems, total=checked.bad_rows)
        uow.sources.set_status(source_id, SourceStatus.UPLOADED, estimate_count=stored)
        uow.commit()
    return source_id
