"""CSV rows with the physical line each starts on, even when quoted fields span lines."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping, Sequence
from itertools import chain, islice
from typing import Any

from snapshot_core.domain import EstimateRow, RowProblem
from snapshot_core.domain.estimate_columns import EstimateColumns

from .columns import Columns
from .errors import UnreadableFileError
from .lines import TextSource
from .outcomes import BOTH_DECISION_DATES, decision
from .plain_rows import BATCH_ROWS, PlainRows
from .rows import RowChecker

__all__ = ["DELIMITERS", "CsvRecords", "sniff_delimiter"]

DELIMITERS = (",", ";", "\t", "|")
_QUOTED = re.compile(r'"[^"]*"')
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def sniff_delimiter(header: str, line: int) -> str:
    """The delimiter of a header line: whichever of ``DELIMITERS`` it holds most often
    outside quotes; a tie is refused (naming --delimiter) rather than guessed."""
    bare = _QUOTED.sub("", header)
    counts = sorted(((bare.count(d), d) for d in DELIMITERS), reverse=True)
    (best, delimiter), (runner_up, other) = counts[0], counts[1]
    if not best:
        return ","
    if best == runner_up:
        raise UnreadableFileError(
            f"Cannot tell the delimiter: the header has as many {_NAMES[delimiter]}s as "
            f"{_NAMES[other]}s; give --delimiter",
            RowProblem(line, "header", f"{best} of each of {delimiter!r} and {other!r}"),
        )
    return delimiter


class CsvRecords:
    """``read_header()`` first; then ``rows(checker)`` for the data rows (blank lines skipped).

    The reader is ``strict``: a stray quote is a bad row rather than silently glued text.
    A record's line is the one it starts on: one past where the reader stood before it.
    """

    def __init__(self, source: TextSource, delimiter: str | None = None) -> None:
        self._source = source
        self.delimiter = delimiter
        self.header: list[str] = []

    def _open_reader(self) -> Any:
        """The CSV reader, its delimiter given or sniffed from the first non-blank line
        (the lines read to find it are handed to the reader first: numbering is kept)."""
        lines = self._source.lines
        delimiter = self.delimiter
        if delimiter is None:
            seen: list[str] = []
            try:
                for text in lines:
                    seen.append(text)
                    if text.strip():
                        break
            except UnicodeDecodeError as error:
                raise self._source.decode_error(error) from None
            delimiter = sniff_delimiter(seen[-1], len(seen)) if seen else ","
            self.delimiter = delimiter
            return csv.reader(chain(seen, lines), delimiter=delimiter, strict=True)
        return csv.reader(lines, delimiter=delimiter, strict=True)

    def read_header(self, column_map: Mapping[str, str] | None = None) -> Columns:
        reader = self._reader = self._open_reader()
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
        return Columns.from_header(header, start, column_map)

    def rows(
        self, columns: Columns, checker: RowChecker
    ) -> Iterator[EstimateRow | EstimateColumns]:
        """The data rows checked into EstimateRows (bad ones reported to ``checker``): a
        batch at a time on the default path (plain_rows.py), else one by one."""
        plain = PlainRows.for_file(checker, columns)
        if plain is not None:
            return self._batched_rows(columns.width, checker, plain)
        return self._single_rows(columns, checker)

    def _single_rows(self, columns: Columns, checker: RowChecker) -> Iterator[EstimateRow]:
        reader, check, bad = self._reader, checker.check, checker.bad
        width, amount, sent = columns.width, columns.amount, columns.sent_at
        decided, ident, outcome = columns.decided_at, columns.estimate_id, columns.outcome
        approved, declined = columns.approved_at, columns.declined_at
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
                    decided_value = (fields[decided].strip() or None) if decided >= 0 else None
                    outcome_value = (fields[outcome].strip() or None) if outcome >= 0 else None
                    if approved >= 0:
                        decided_pair = decision(
                            fields[approved].strip() or None,
                            fields[declined].strip() or None,
                            outcome_value,
                        )
                        if decided_pair is None:
                            bad(RowProblem(line, "decided_at", BOTH_DECISION_DATES), fields)
                            continue
                        decided_value, outcome_value = decided_pair
                    # Spelled out rather than a loop: this runs once per row of a huge file.
                    row = check(
                        line,
                        fields[amount].strip() or None,
                        fields[sent].strip() or None,
                        decided_value,
                        (fields[ident].strip() or None) if ident >= 0 else None,
                        fields,
                        outcome_value,
                    )
                    if row is not None:
                        yield row
                return
            except csv.Error as error:
                line, before = before + 1, reader.line_num
                bad(*self._malformed(error, line, before))
            except UnicodeDecodeError as error:
                raise self._source.decode_error(error) from None

    def _batched_rows(
        self, width: int, checker: RowChecker, plain: PlainRows
    ) -> Iterator[EstimateRow | EstimateColumns]:
        """``_single_rows`` for the default path: records are read ``BATCH_ROWS`` at a time
        (all in C), and the well-shaped ones go to ``plain`` as batches; a batch is let go
        before anything else happens (a bad row, an error while reading ahead, the end), so
        rows are judged in file order and every error comes where it came one by one."""
        reader = self._reader
        before = reader.line_num
        while True:
            chunk: list[list[str]] = []
            failure: Exception | None = None
            try:
                # extend() keeps what it read before an error: those rows come first.
                chunk.extend(islice(reader, BATCH_ROWS))
            except (csv.Error, UnicodeDecodeError, UnreadableFileError) as error:
                failure = error
            if chunk:
                if failure is None and reader.line_num - before == len(chunk):
                    starts: Sequence[int] = range(before + 1, before + 1 + len(chunk))
                    after = reader.line_num  # a line a record: the common case
                else:
                    starts, after = _record_lines(chunk, before)
                    # Without an error the reader stands where the last record ends.
                    assert failure is not None or after == reader.line_num
                yield from self._chunk_rows(chunk, starts, width, checker, plain)
                before = after
            if failure is None:
                if len(chunk) < BATCH_ROWS:
                    return
                continue
            if isinstance(failure, csv.Error):
                line, before = before + 1, reader.line_num
                checker.bad(*self._malformed(failure, line, before))  # may raise: a fatal one
                continue
            # Reading ahead met a bad byte or a limit (size, NUL, line length).
            if isinstance(failure, UnicodeDecodeError):
                raise self._source.decode_error(failure) from None
            raise failure from None

    @staticmethod
    def _chunk_rows(
        chunk: list[list[str]],
        starts: Sequence[int],
        width: int,
        checker: RowChecker,
        plain: PlainRows,
    ) -> Iterator[EstimateRow | EstimateColumns]:
        """The rows of records read in one go (``starts``: the line each starts on): one
        batch when all are well-shaped."""
        if all(map(width.__eq__, map(len, chunk))):  # all well-shaped (no bytecode a record)
            yield from plain.rows(list(starts), chunk)
            return
        lines: list[int] = []
        records: list[list[str]] = []
        for fields, line in zip(chunk, starts, strict=True):
            if len(fields) == width:
                lines.append(line)
                records.append(fields)
                continue
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # a blank line
            if lines:
                full, lines, records = (lines, records), [], []
                yield from plain.rows(*full)
            problem = f"expected {width} fields as in the header, found {len(fields)}"
            checker.bad(RowProblem(line, "row", problem), fields)
        if lines:
            yield from plain.rows(lines, records)

    def _malformed(self, error: csv.Error, line: int, before: int) -> tuple[RowProblem, list[str]]:
        """The bad row for a record the reader refused (lines ``line``..``before``); raises
        for a field over the size limit, after which nothing can be trusted."""
        if "field larger than field limit" in str(error):
            # The reader gave up inside the field: what follows cannot be trusted.
            limit = csv.field_size_limit()
            raise UnreadableFileError(
                f"Line {line} has a field longer than {limit:,} characters",
                RowProblem(line, "row", f"a field longer than {limit:,} characters"),
            ) from None
        return RowProblem(line, "row", f"malformed CSV: {error}"), [
            self._source.raw_lines(line, before)
        ]


def _record_lines(records: list[list[str]], before: int) -> tuple[list[int], int]:
    """The line each record starts on, and the line the last ends on (``before``: where the
    reader stood before the first). A record takes one line more for each newline in its
    fields: lines are split on LF, and the reader ends a record at a line's end unless the
    line ends inside a quoted field, which then holds that LF."""
    starts = []
    line = before + 1
    for fields in records:
        starts.append(line)
        line += 1 + "".join(fields).count("\n")
    return starts, line - 1
