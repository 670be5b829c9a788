"""ingest_estimates: store already-parsed rows as a new source, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

from pydantic import ValidationError

from ..domain import (
    EstimateRow,
    InvalidInputError,
    RowProblem,
    SeenIds,
    Source,
    SourceStatus,
    check_user_id,
    text_problem,
)
from ..domain.estimate_columns import EstimateColumns
from ..ports import Clock, IdFactory, UnitOfWorkFactory

__all__ = ["CheckedRows", "ColumnStream", "RowStream", "ingest_estimates", "ingest_row_stream"]

_MAX_REPORTED = 1000  # enough to fix a file; the total is always reported


class RowStream(Protocol):
    """Rows checked as they stream past, by whoever read them (a file reader, ``CheckedRows``).

    ``rejection()`` is asked once the stream is drained: an error there means the whole
    ingestion is rolled back, so a reader never has to raise through the storage adapter.
    """

    def __iter__(self) -> Iterator[EstimateRow]: ...

    def rejection(self) -> InvalidInputError | None: ...


@runtime_checkable
class ColumnStream(RowStream, Protocol):
    """A ``RowStream`` that can also hand its rows over a batch at a time, as columns
    (``EstimateColumns``): the same rows in the same order, stored without a model each."""

    def column_batches(self) -> Iterator[EstimateColumns]: ...


def _problems_from(error: ValidationError, row_number: int) -> list[RowProblem]:
    return [
        RowProblem(
            row_number,
            ".".join(str(part) for part in err["loc"]) or "row",
            err["msg"].removeprefix("Value error, "),
        )
        for err in error.errors()
    ]


_FIELDS = tuple(EstimateRow.model_fields)


def _field_names(column_map: Mapping[str, str] | None) -> dict[str, str]:
    """Key (spaces and case ignored) -> field: the fields' own names, then ``column_map``."""
    names = {field: field for field in _FIELDS}
    for field, key in (column_map or {}).items():
        if field not in _FIELDS:
            raise ValueError(f"cannot map {field!r}: the fields are {', '.join(_FIELDS)}")
        names.pop(field, None)
        names[key.strip().lower()] = field
    return names


def _lenient(raw: Mapping[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A mapping as a file's row is read: other keys ignored, text stripped, ``""`` missing
    (so ``csv.DictReader`` rows go in as they are)."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        field = names.get(key.strip().lower()) if isinstance(key, str) else None
        if field is None:
            continue
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
        if value is not None:
            values[field] = value
    return values


class CheckedRows:
    """Validates rows (``EstimateRow`` or mappings) as they stream past, remembering problems
    by row number (1-based) instead of stopping; a repeated ``estimate_id`` is a problem.

    A mapping is read leniently, as a file's row is (``_lenient``); ``column_map`` names
    the key that holds a field (``{"amount": "Total"}``)."""

    def __init__(
        self,
        rows: Iterable[EstimateRow | Mapping[str, Any]],
        column_map: Mapping[str, str] | None = None,
    ) -> None:
        self._rows = rows
        self._names = _field_names(column_map)
        self.problems: list[RowProblem] = []
        self.bad_rows = 0
        self._seen_ids = SeenIds()

    def _problem(self, problems: list[RowProblem]) -> None:
        self.bad_rows += 1
        room = _MAX_REPORTED - len(self.problems)
        self.problems.extend(problems[: max(room, 0)])

    def __iter__(self) -> Iterator[EstimateRow]:
        for number, raw in enumerate(self._rows, start=1):
            try:
                row = (
                    raw
                    if isinstance(raw, EstimateRow)
                    else EstimateRow.model_validate(_lenient(raw, self._names))
                )
            except ValidationError as error:
                self._problem(_problems_from(error, number))
                continue
            if row.estimate_id is not None:
                first = self._seen_ids.first(row.estimate_id, number)
                if first is not None:
                    self._problem([RowProblem(number, "estimate_id", f"duplicate of row {first}")])
                    continue
            yield row

    def rejection(self) -> InvalidInputError | None:
        if self.bad_rows:
            return InvalidInputError(self.problems, total=self.bad_rows)
        return None


def ingest_row_stream(
    *,
    uow_factory: UnitOfWorkFactory,
    ids: IdFactory,
    clock: Clock,
    user_id: str,
    rows: RowStream,
    name: str = "",
) -> tuple[str, int]:
    """Create a source holding the rows of ``rows``; returns ``(source_id, stored_rows)``.

    One transaction: the rows go lazily into storage, and if ``rows.rejection()`` then
    names an error, it is raised and nothing is stored. For readers that check rows
    themselves (with their own line numbers); Python callers want ``ingest_estimates``.
    """
    check_user_id(user_id)
    unstorable = text_problem(name)
    if unstorable is not None:
        raise InvalidInputError([], message=f"Invalid source name: {unstorable}")
    source_id = ids.new_id("source")
    with uow_factory() as uow:
        uow.sources.add(
            Source(source_id=source_id, user_id=user_id, name=name, created_at=clock.now())
        )
        if isinstance(rows, ColumnStream):
            stored = uow.estimates.add_columns(source_id, rows.column_batches())
        else:
            stored = uow.estimates.add_many(source_id, rows)
        error = rows.rejection()
        if error is not None:
            raise error
        uow.sources.set_status(source_id, SourceStatus.UPLOADED, estimate_count=stored)
        uow.commit()
    return source_id, stored


def ingest_estimates(
    *,
    uow_factory: UnitOfWorkFactory,
    ids: IdFactory,
    clock: Clock,
    user_id: str,
    rows: Iterable[EstimateRow | Mapping[str, Any]],
    name: str = "",
    column_map: Mapping[str, str] | None = None,
) -> str:
    """Create a source (status ``uploaded``) holding ``rows``; returns its id.

    Mappings are read as a file's rows are: keys matched with case and spaces ignored (or
    as ``column_map`` says), other keys ignored, ``""`` as missing, so ``csv.DictReader``
    rows can be passed as they are. Values are validated by ``EstimateRow`` (ISO dates,
    plain decimals); for export-style values (`$1,234.50`, `01/05/2026`) use
    ``snapshot_adapters.files.ingest_records`` or ``Orchestrator.ingest_file``.

    Rows are consumed lazily, so a generator over a huge file stays flat in memory. If any
    row is invalid (bad value, ``decided_at`` before ``sent_at``, duplicate ``estimate_id``)
    nothing is stored and ``InvalidInputError`` lists the problems by row number.
    """
    source_id, _ = ingest_row_stream(
        uow_factory=uow_factory,
        ids=ids,
        clock=clock,
        user_id=user_id,
        rows=CheckedRows(rows, column_map),
        name=name,
    )
    return source_id
