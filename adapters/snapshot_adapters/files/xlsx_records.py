"""Spreadsheet rows (.xlsx, .xlsm, .xls, .ods) through python-calamine (the ``xlsx`` extra,
imported only when a spreadsheet is read); problems cite the cell, as `Quotes!C17`.

Cells keep their types: a number is an amount as stored (not as displayed), a date cell is
a date, a number in a date column is an Excel serial date; text cells are read as text in
a CSV would be (so `5.250` typed as text still needs the file's convention).

Memory: calamine decodes the whole sheet into its own grid (about 75 bytes a cell) when it
is opened; ``iter_rows()`` makes Python rows from it one at a time. python-calamine has no
truly lazy reader (pyo3 cannot expose calamine's cell reader: python-calamine#42), so this
is as streamed as it gets; a CSV is streamed with flat memory.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

from snapshot_core.domain import EstimateRow, RowProblem

from .amounts import AmountReader, DecimalMark, amount_from_json
from .columns import Columns
from .converters import Converters
from .dates import excel_serial_date, localised, time_zone, timestamp_reader
from .errors import UnreadableFileError
from .outcomes import BOTH_DECISION_DATES, decision
from .rows import RowChecker
from .values import ValueProblem, shown

__all__ = [
    "CellProblem",
    "SpreadsheetRecords",
    "cell_converters",
    "column_letter",
    "field_values",
]

_MISSING_EXTRA = (
    "Reading spreadsheets needs the xlsx extra: pip install 'snapshot-orchestrator[xlsx]' "
    "(or save the sheet as CSV)"
)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class CellProblem(RowProblem):
    """A RowProblem that names its cell: ``Quotes!C17: sent_at: …``."""

    __slots__ = ("cell",)

    def __init__(self, line: int, column: str, problem: str, cell: str) -> None:
        super().__init__(line, column, problem)
        self.cell = cell

    def __str__(self) -> str:
        return f"{self.cell}: {self.column}: {self.problem}"


def field_values(record: Sequence[Any] | Mapping[str, Any], where: Sequence[Any]) -> list[Any]:
    """The values at ``where`` (positions in a row of cells, or keys of a record; -1 or
    ``None`` for a field not there): text stripped, empty text as ``None``, typed values
    as they are."""
    values: list[Any] = []
    for place in where:
        if place is None or place == -1:
            values.append(None)
            continue
        try:
            found = record[place]
        except (IndexError, KeyError):
            found = None
        values.append((found.strip() or None) if isinstance(found, str) else found)
    return values


def _text(cell: Any) -> str | None:
    """A cell as the text a rejects file or a header holds; ``None`` when empty."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return cell.strip() or None if isinstance(cell, str) else str(cell)


def cell_converters(
    decimal: DecimalMark | None,
    outcome_map: Mapping[str, str] | None,
    date_format: str | None,
    timezone: str | None,
) -> Converters:
    """Converters for typed cells: numbers, dates and text."""
    text = Converters.text(decimal, outcome_map, date_format, timezone)
    read_amount = text.amount
    assert isinstance(read_amount, AmountReader)
    read_moment = timestamp_reader(date_format, timezone)
    zone = time_zone(timezone)

    def amount(cell: Any) -> Decimal:
        if isinstance(cell, float):
            if cell != cell or cell in (float("inf"), float("-inf")):
                raise ValueProblem(f"not a number: {shown(str(cell))}")
            # An integral double is the integer typed; otherwise the shortest text that is
            # this double, which is what was typed (up to 15 significant digits).
            cell = int(cell) if cell.is_integer() else Decimal(repr(cell))
        if isinstance(cell, dt.date | dt.time | dt.timedelta):
            raise ValueProblem(f"expected a number, found a date or time: {shown(str(cell))}")
        return amount_from_json(cell, read_amount)

    def moment(cell: Any) -> dt.datetime:
        if isinstance(cell, dt.datetime):
            return cell.astimezone(dt.UTC) if cell.tzinfo else localised(cell, zone, str(cell))
        if isinstance(cell, dt.date):
            midnight = dt.datetime(cell.year, cell.month, cell.day)
            return localised(midnight, zone, str(cell))
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            return excel_serial_date(float(cell), zone)
        if isinstance(cell, str):
            return read_moment(cell)
        raise ValueProblem(f"expected a date, found {shown(str(cell))}")

    def ident(cell: Any) -> str | None:
        return _text(cell)

    return Converters(amount, moment, ident, text.outcome)


class SpreadsheetRecords:
    """``read_header()`` on the chosen sheet (first non-empty row), then ``rows(checker)``."""

    def __init__(self, source: str | os.PathLike[str] | IO[Any], sheet: str | None) -> None:
        try:
            from python_calamine import CalamineWorkbook
        except ImportError:
            raise UnreadableFileError(_MISSING_EXTRA) from None
        try:
            if isinstance(source, str | os.PathLike):
                book = CalamineWorkbook.from_path(os.fspath(source))
            elif not isinstance(source.read(0), bytes):
                raise UnreadableFileError("A spreadsheet must be given as a binary file object")
            else:
                book = CalamineWorkbook.from_filelike(source)
        except UnreadableFileError:
            raise
        except Exception as error:  # calamine raises its own types, one per format
            raise UnreadableFileError(f"The spreadsheet cannot be read: {error}") from None
        names = book.sheet_names
        if sheet is None:
            if not names:
                raise UnreadableFileError("The spreadsheet has no sheets")
            sheet = names[0]
        elif sheet not in names:
            raise UnreadableFileError(
                f"The spreadsheet has no sheet {sheet!r} (it has: {', '.join(names)})"
            )
        self.sheet = sheet
        grid = book.get_sheet_by_name(sheet)
        self._first_column = grid.start[1] if grid.start else 0
        self._rows = enumerate(grid.iter_rows(), start=1)  # rows from the sheet's first
        self.header: list[str] = []

    def cell(self, line: int, position: int) -> str:
        return f"{self.sheet}!{column_letter(self._first_column + position)}{line}"

    def read_header(self, column_map: Mapping[str, str] | None = None) -> Columns:
        for line, cells in self._rows:
            texts = [_text(cell) or "" for cell in cells]
            if any(texts):
                self.header = texts
                self._header_line = line
                return Columns.from_header(texts, line, column_map)
        raise UnreadableFileError(f"The sheet {self.sheet!r} is empty (no header row)")

    def problem_at(self, columns: Columns) -> Callable[[int, str, str], RowProblem]:
        """How the checker names a problem: by cell, the field's own column."""
        where = {
            "amount": columns.amount,
            "sent_at": columns.sent_at,
            "decided_at": columns.decided_at,
            "estimate_id": columns.estimate_id,
            "outcome": columns.outcome,
        }

        def problem(line: int, field: str, text: str) -> RowProblem:
            position = where.get(field, -1)
            cell = self.cell(line, position) if position >= 0 else f"{self.sheet}!{line}"
            return CellProblem(line, field, text, cell)

        return problem

    def rows(self, columns: Columns, checker: RowChecker) -> Iterator[EstimateRow]:
        check = checker.check
        amount, sent, decided = columns.amount, columns.sent_at, columns.decided_at
        ident, outcome = columns.estimate_id, columns.outcome
        where = (amount, sent, decided, ident, outcome, columns.approved_at, columns.declined_at)
        for line, cells in self._rows:
            if not any(cell not in ("", None) for cell in cells):
                continue  # an empty row
            raw = [_text(cell) or "" for cell in cells]
            amount_value, sent_value, decided_value, ident_value, outcome_value, won, lost = (
                field_values(cells, where)
            )
            if columns.approved_at >= 0:
                decided_pair = decision(won, lost, outcome_value)
                if decided_pair is None:
                    position = columns.approved_at
                    checker.bad(
                        CellProblem(
                            line, "decided_at", BOTH_DECISION_DATES, self.cell(line, position)
                        ),
                        raw,
                    )
                    continue
                decided_value, outcome_value = decided_pair
            row = check(
                line, amount_value, sent_value, decided_value, ident_value, raw, outcome_value
            )
            if row is not None:
                yield row
