"""CSV rows with the physical line each starts on, even when quoted fields span lines."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from snapshot_core.domain import EstimateRow, RowProblem

from .columns import Columns
from .errors import UnreadableFileError
from .lines import TextSource
from .rows import RowChecker

__all__ = ["CsvRecords"]


class CsvRecords:
    """``read_header()`` first; then ``rows(checker)`` for the data rows (blank lines skipped).

    The reader is ``strict``: a stray quote is a bad row rather than silently glued text.
    A record's line is the one it starts on: one past where the reader stood before it.
    """

    def __init__(self, source: TextSource) -> None:
        self._source = source
        self._reader = csv.reader(source.lines, strict=True)
        self.header: list[str] = []

    def read_header(self) -> Columns:
        reader = self._reader
        while True:
            start = reader.line_num + 1
            try:
                header = next(reader)
            except StopIteration:
                raise UnreadableFileError("The file is empty (no header row)") from None
            except csv.Error as error:
                raise UnreadableFileError(
                    "The header row is not valid CSV", RowProblem(start, "header", str(error))
                ) from None
            except UnicodeDecodeError as error:
                raise self._source.decode_error(error) from None
            if header and (len(header) > 1 or header[0].strip()):
                break
        self.header = header
        return Columns.from_header(header, start)

    def rows(self, columns: Columns, checker: RowChecker) -> Iterator[EstimateRow]:
        reader, check, bad = self._reader, checker.check, checker.bad
        width, amount, sent = columns.width, columns.amount, columns.sent_at
        decided, ident, outcome = columns.decided_at, columns.estimate_id, columns.outcome
        before = reader.line_num
        while True:
            try:
                # A plain for loop keeps the line iteration in C; a csv.Error leaves the
                # reader usable, so the loop is simply entered again after one.
                for fields in reader:
                    line, before = before + 1, reader.line_num
                    if len(fields) != width:
                        if not fields or (len(fields) == 1 and not fields[0].strip()):
                            continue  # a blank line
                        problem = f"expected {width} fields as in the header, found {len(fields)}"
                        bad(RowProblem(line, "row", problem), fields)
                        continue
                    # Spelled out rather than a loop: this runs once per row of a huge file.
                    row = check(
                        line,
                        fields[amount].strip() or None,
                        fields[sent].strip() or None,
                        (fields[decided].strip() or None) if decided >= 0 else None,
                        (fields[ident].strip() or None) if ident >= 0 else None,
                        fields,
                        (fields[outcome].strip() or None) if outcome >= 0 else None,
                    )
                    if row is not None:
                        yield row
                return
            except csv.Error as error:
                line, before = before + 1, reader.line_num
                if "field larger than field limit" in str(error):
                    # The reader gave up inside the field: what follows cannot be trusted.
                    limit = csv.field_size_limit()
                    raise UnreadableFileError(
                        f"Line {line} has a field longer than {limit:,} characters",
                        RowProblem(line, "row", f"a field longer than {limit:,} characters"),
                    ) from None
                raw = [self._source.raw_lines(line, before)]
                bad(RowProblem(line, "row", f"malformed CSV: {error}"), raw)
            except UnicodeDecodeError as error:
                raise self._source.decode_error(error) from None
