"""ingest_records: rows already split into fields (``csv.DictReader``, a dataframe's
records, parsed JSON) read exactly as a file's rows are: mapping, locales, dates, outcomes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain
from typing import Any

from snapshot_core.domain import EstimateRow, RowProblem
from snapshot_core.ports import Clock, IdFactory, UnitOfWorkFactory
from snapshot_core.use_cases.ingest import ingest_row_stream

from .amounts import DecimalMark
from .api import DEFAULT_MAX_WEEKS, recognised_notice
from .columns import Columns
from .errors import UnreadableFileError
from .file_rows import FileRows
from .options import REPORTED_PROBLEMS, BadRowPolicy, IngestLimits, IngestReport
from .outcomes import BOTH_DECISION_DATES, decision
from .rows import RowChecker
from .xlsx_records import cell_converters, field_values

__all__ = ["ingest_records"]


def _rows(
    first: Mapping[str, Any], records: Iterator[Mapping[str, Any]], columns: Columns,
    header: list[str], checker: RowChecker,
) -> Iterator[EstimateRow]:  # fmt: skip
    keys = [
        header[p] if p >= 0 else None
        for p in (columns.amount, columns.sent_at, columns.decided_at, columns.estimate_id,
                  columns.outcome, columns.approved_at, columns.declined_at)
    ]  # fmt: skip

    for line, record in enumerate(chain([first], records), start=2):
        raw = ["" if v is None else str(v) for v in record.values()]
        amount, sent, decided, ident, outcome, won, lost = field_values(record, keys)
        if columns.approved_at >= 0:
            decided_pair = decision(won, lost, outcome)
            if decided_pair is None:
                checker.bad(RowProblem(line, "decided_at", BOTH_DECISION_DATES), raw)
                continue
            decided, outcome = decided_pair
        row = checker.check(line, amount, sent, decided, ident, raw, outcome)
        if row is not None:
            yield row


def ingest_records(
    records: Iterable[Mapping[str, Any]],
    *,
    uow_factory: UnitOfWorkFactory,
    ids: IdFactory,
    clock: Clock,
    user_id: str,
    name: str = "",
    on_bad_rows: BadRowPolicy = "reject",
    column_map: Mapping[str, str] | None = None,
    outcome_map: Mapping[str, str] | None = None,
    decimal: DecimalMark | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
    limits: IngestLimits = IngestLimits(),
    notify: Callable[[str], None] | None = None,
    max_weeks: int | None = DEFAULT_MAX_WEEKS,
) -> IngestReport:
    """Store records as a new source with every rule ``ingest_file`` applies to a CSV (the
    first record's keys are the header; problems are numbered as lines of that CSV: the
    first record is line 2). Values may be text or already typed (numbers, dates)."""
    iterator = iter(records)
    first = next(iterator, None)
    if first is None:
        raise UnreadableFileError("There are no records")
    header = [str(key) for key in first]
    columns = Columns.from_header(header, 1, column_map)
    if notify is not None and columns.recognised:
        notify(recognised_notice(columns.recognised))
    checker = RowChecker(
        cell_converters(decimal, outcome_map, date_format, timezone),
        skip_bad=on_bad_rows == "skip",
        max_rows=limits.max_rows,
        max_problems=REPORTED_PROBLEMS,
        max_weeks=max_weeks,
    )
    rows = FileRows(_rows(first, iterator, columns, header, checker), checker)
    source_id, stored = ingest_row_stream(
        uow_factory=uow_factory, ids=ids, clock=clock, user_id=user_id, rows=rows, name=name
    )
    return IngestReport(
        source_id=source_id,
        format="csv",
        stored_rows=stored,
        bad_rows=checker.bad_rows,
        problems=tuple(checker.problems),
        ignored_columns=columns.ignored,
    )
