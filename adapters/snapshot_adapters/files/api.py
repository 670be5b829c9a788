"""ingest_file: a CSV, JSON Lines or spreadsheet file (path or file object) into a new source."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from typing import IO

from snapshot_core.domain import RowProblem, RunPolicy
from snapshot_core.ports import Clock, IdFactory, UnitOfWorkFactory
from snapshot_core.use_cases.ingest import ingest_row_stream

from .amounts import DecimalMark
from .converters import Converters
from .csv_records import CsvRecords
from .encodings import decoded_stream
from .errors import LimitExceededError
from .file_rows import FileRows
from .forked_rows import PARALLEL_MIN_BYTES, ForkedRows, Relay, can_fork
from .jsonl_records import JsonlRecords
from .lines import TextSource
from .mapping import load_mapping
from .options import (
    REPORTED_PROBLEMS,
    BadRowPolicy,
    FileFormat,
    IngestLimits,
    IngestReport,
    detect_format,
)
from .rejects import check_rejects_path, open_rejects
from .rows import RowChecker
from .xlsx_records import SpreadsheetRecords, cell_converters

__all__ = ["DEFAULT_MAX_WEEKS", "InputFile", "ingest_file", "recognised_notice"]

DEFAULT_MAX_WEEKS: int = RunPolicy.model_fields["max_weeks"].default  # SNAPSHOT_MAX_WEEKS

InputFile = str | os.PathLike[str] | IO[bytes] | IO[str]


@contextlib.contextmanager
def _opened_input(
    source: InputFile, limits: IngestLimits
) -> Iterator[tuple[IO[bytes] | IO[str], int | None]]:
    if isinstance(source, str | os.PathLike):
        size = os.path.getsize(source)
        if size > limits.max_bytes:  # refuse before reading a byte or opening a transaction
            raise LimitExceededError(
                f"The file is larger than the limit of {limits.max_bytes:,} bytes ({size:,} bytes)"
            )
        with open(source, "rb") as stream:
            yield stream, size
    else:
        yield source, None


def _default_name(source: InputFile) -> str:
    name = source if isinstance(source, str | os.PathLike) else getattr(source, "name", "")
    return os.path.basename(os.fsdecode(name)) if isinstance(name, str | os.PathLike) else ""


def ingest_file(
    source: InputFile,
    *,
    uow_factory: UnitOfWorkFactory,
    ids: IdFactory,
    clock: Clock,
    user_id: str,
    name: str | None = None,
    format: FileFormat | None = None,
    on_bad_rows: BadRowPolicy = "reject",
    rejects: str | os.PathLike[str] | IO[str] | None = None,
    overwrite_rejects: bool = False,
    limits: IngestLimits = IngestLimits(),
    progress: Callable[[int, int | None], None] | None = None,
    notify: Callable[[str], None] | None = None,
    decimal: DecimalMark | None = None,
    delimiter: str | None = None,
    column_map: Mapping[str, str] | None = None,
    outcome_map: Mapping[str, str] | None = None,
    mapping: str | os.PathLike[str] | None = None,
    date_format: str | None = None,
    timezone: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    max_weeks: int | None = DEFAULT_MAX_WEEKS,
    parallel: bool = False,
) -> IngestReport:
    """Store the estimates of a CSV, JSON Lines or spreadsheet file as a new source
    (status ``uploaded``).

    ``source`` is a path or a file object (binary, as a web framework hands over an upload,
    or text). The file is read once, in a stream, and written in one transaction. Bad rows
    are reported by physical line: with ``on_bad_rows="reject"`` any bad row raises
    ``InvalidInputError`` and nothing is stored; with ``"skip"`` the good rows are stored
    and the report lists what was left out. ``rejects`` (a path or text stream) receives
    every bad row with its line, problem and original fields; a path is written atomically
    and must not be the input file, nor an existing file unless ``overwrite_rejects``
    (``RejectsPathError``, a ``ValueError``, says why). A file that cannot be read
    at all raises ``UnreadableFileError`` (code ``invalid_input`` too). ``progress`` is
    called now and then with (bytes read, total bytes or None); ``notify`` with notices.

    ``decimal`` (``"point"`` or ``"comma"``) fixes how amounts are read; without it the
    file's own rows decide, and an amount that depends on it (`5.250`) with no row to
    decide is a bad row naming the option (see docs/ingest.md, "Amounts").

    ``column_map`` (``{"amount": "Total"}``) says which header feeds which field; without
    it exact field names, then known spellings are used (a notice says which). ``outcome_map``
    adds status words (``{"On hold": "pending"}``). ``mapping`` is a saved TOML mapping
    (``files.mapping``); arguments given here take precedence over it. ``date_format`` is
    a strftime pattern (default: ISO 8601, or local dates in the file's own day order);
    ``timezone`` an IANA name naive times are read in (default UTC). ``encoding`` names the
    text encoding (default: UTF-8, UTF-16/32 by byte order mark, or Windows-1252 detected
    from the file's start, with a notice). Spreadsheets (.xlsx, .xls, .ods; the ``xlsx``
    extra) are read from their first sheet or ``sheet``; problems name the cell.
    A sent_at more than ``max_weeks`` weeks from the file's median is a bad row
    (``None``: no such check; see ``files.plausibility``).

    ``parallel=True`` lets a large CSV file (a path, 4 MiB or more, without ``rejects``) be
    read and checked in a forked second process while this one stores its rows, on Linux
    when this process may run on two CPUs; the result is the same. Use it in command-line
    tools and job workers, never in a process running other threads (``files.forked_rows``).
    """
    if mapping is not None:
        saved = load_mapping(mapping)
        column_map = {**saved.columns, **(column_map or {})}
        outcome_map = {**saved.outcomes, **(outcome_map or {})}
        read = saved.read
        decimal = decimal or read.get("decimal")  # type: ignore[assignment]
        delimiter = delimiter or read.get("delimiter")
        date_format = date_format or read.get("date_format")
        timezone = timezone or read.get("timezone")
        encoding = encoding or read.get("encoding")
        sheet = sheet or read.get("sheet")
    if on_bad_rows not in ("reject", "skip"):
        raise ValueError(f"on_bad_rows must be 'reject' or 'skip', not {on_bad_rows!r}")
    if isinstance(rejects, str | os.PathLike):
        inputs = [source] if isinstance(source, str | os.PathLike) else []
        check_rejects_path(rejects, inputs=inputs, overwrite=overwrite_rejects)
    file_format = detect_format(
        source if isinstance(source, str | os.PathLike) else getattr(source, "name", None),
        format,
    )
    with _opened_input(source, limits) as (raw, size):
        relay: Relay | None = None
        if (
            parallel
            and file_format == "csv"
            and rejects is None
            and size is not None
            and size >= PARALLEL_MIN_BYTES
            and can_fork()
        ):
            relay = Relay(progress, notify)  # the child's calls come back here, in order
            notify = relay.notify
            progress = relay.progress if progress is not None else None
        records: CsvRecords | JsonlRecords | SpreadsheetRecords
        text: TextSource | None = None
        if file_format == "xlsx":
            records = SpreadsheetRecords(raw, sheet)  # python-calamine, imported only now
        else:
            text = TextSource(decoded_stream(raw, encoding, notify), limits.max_bytes)
            records = (
                CsvRecords(text, delimiter)
                if file_format == "csv"
                else JsonlRecords(text, column_map)
            )
        ignored: tuple[str, ...] = ()
        if isinstance(records, JsonlRecords):
            records.read_header()
            header = ["raw"]
        else:
            columns = records.read_header(column_map)
            header, ignored = records.header, columns.ignored
            if notify is not None:
                if columns.recognised:
                    notify(recognised_notice(columns.recognised))
                if ignored:
                    notify(_ignored_notice(ignored))
        with open_rejects(rejects, overwrite=overwrite_rejects) as writer:
            if writer is not None:
                writer.start(header)
            converters = {"csv": Converters.text, "jsonl": Converters.json}.get(
                file_format, cell_converters
            )

            def bytes_read() -> int:
                return text.bytes_read if text is not None else 0

            checker = RowChecker(
                converters(decimal, outcome_map, date_format, timezone),
                skip_bad=on_bad_rows == "skip",
                max_rows=limits.max_rows,
                max_problems=REPORTED_PROBLEMS,
                rejects=writer,
                progress=(lambda: progress(bytes_read(), size)) if progress else None,
                max_weeks=max_weeks,
                problem_at=(
                    records.problem_at(columns)
                    if isinstance(records, SpreadsheetRecords)
                    else RowProblem
                ),
            )
            rows: FileRows | ForkedRows
            if isinstance(records, JsonlRecords):
                rows = FileRows(records.rows(checker), checker)
            else:
                rows = FileRows(records.rows(columns, checker), checker)
            if relay is not None:
                rows = ForkedRows(rows, relay)
            try:
                if isinstance(rows, ForkedRows):
                    rows.start()
                source_id, stored = ingest_row_stream(
                    uow_factory=uow_factory,
                    ids=ids,
                    clock=clock,
                    user_id=user_id,
                    rows=rows,
                    name=_default_name(source) if name is None else name,
                )
            finally:
                if isinstance(rows, ForkedRows):
                    rows.close()
                if isinstance(records, JsonlRecords):
                    ignored = records.ignored
                    if ignored and notify is not None:
                        notify(_ignored_notice(ignored))
    return IngestReport(
        source_id=source_id,
        format=file_format,
        stored_rows=stored,
        bad_rows=rows.bad_rows,
        problems=tuple(rows.problems),
        ignored_columns=ignored,
    )


def recognised_notice(recognised: tuple[tuple[str, str], ...]) -> str:
    pairs = ", ".join(f"{field} from {name!r}" for field, name in recognised)
    return f'Columns used: {pairs} (--map FIELD="COLUMN" to choose others)'


def _ignored_notice(ignored: tuple[str, ...]) -> str:
    names = ", ".join(ignored)
    return f"Ignored column{'s' if len(ignored) > 1 else ''} (not stored): {names}"
