"""ingest_file: a CSV or JSON Lines file (path or file object) into a new source, streaming."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import IO

from snapshot_core.ports import Clock, IdFactory, UnitOfWorkFactory
from snapshot_core.use_cases.ingest import ingest_row_stream

from .csv_records import CsvRecords
from .errors import LimitExceededError
from .jsonl_records import JsonlRecords
from .lines import TextSource
from .options import (
    REPORTED_PROBLEMS,
    BadRowPolicy,
    FileFormat,
    IngestLimits,
    IngestReport,
    detect_format,
)
from .rejects import check_rejects_path, open_rejects
from .rows import Converters, FileRows, RowChecker

__all__ = ["InputFile", "ingest_file"]

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
) -> IngestReport:
    """Store the estimates of a CSV or JSON Lines file as a new source (status ``uploaded``).

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
    """
    if on_bad_rows not in ("reject", "skip"):
        raise ValueError(f"on_bad_rows must be 'reject' or 'skip', not {on_bad_rows!r}")
    if isinstance(rejects, str | os.PathLike):
        inputs = [source] if isinstance(source, str | os.PathLike) else []
        check_rejects_path(rejects, inputs=inputs, overwrite=overwrite_rejects)
    file_format = detect_format(
        source if isinstance(source, str | os.PathLike) else getattr(source, "name", None),
        format,
    )
    with _opened_input(source, limits) as (stream, size):
        text = TextSource(stream, limits.max_bytes)
        records: CsvRecords | JsonlRecords
        if file_format == "csv":
            records = CsvRecords(text)
            columns = records.read_header()
            header, ignored = records.header, columns.ignored
            if ignored and notify is not None:
                notify(_ignored_notice(ignored))
        else:
            records = JsonlRecords(text)
            records.read_header()
            header, ignored = ["raw"], ()
        with open_rejects(rejects, overwrite=overwrite_rejects) as writer:
            if writer is not None:
                writer.start(header)
            checker = RowChecker(
                Converters.text() if file_format == "csv" else Converters.json(),
                skip_bad=on_bad_rows == "skip",
                max_rows=limits.max_rows,
                max_problems=REPORTED_PROBLEMS,
                rejects=writer,
                progress=(lambda: progress(text.bytes_read, size)) if progress else None,
            )
            if isinstance(records, CsvRecords):
                rows = FileRows(records.rows(columns, checker), checker)
            else:
                rows = FileRows(records.rows(checker), checker)
            try:
                source_id, stored = ingest_row_stream(
                    uow_factory=uow_factory,
                    ids=ids,
                    clock=clock,
                    user_id=user_id,
                    rows=rows,
                    name=_default_name(source) if name is None else name,
                )
            finally:
                if isinstance(records, JsonlRecords):
                    ignored = records.ignored
                    if ignored and notify is not None:
                        notify(_ignored_notice(ignored))
    return IngestReport(
        source_id=source_id,
        format=file_format,
        stored_rows=stored,
        bad_rows=checker.bad_rows,
        problems=tuple(checker.problems),
        ignored_columns=ignored,
    )


def _ignored_notice(ignored: tuple[str, ...]) -> str:
    names = ", ".join(ignored)
    return f"Ignored column{'s' if len(ignored) > 1 else ''} (not stored): {names}"
