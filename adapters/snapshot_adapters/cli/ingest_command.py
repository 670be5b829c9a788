"""`snapshot ingest FILE`: a CSV or JSON Lines file into a new source; prints its id."""

from __future__ import annotations

import enum
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .app import app
from .common import UserOption, container, err, print_json, require_user
from .loading import loading
from .terminal import emit

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from ..files import IngestReport

__all__ = ["ingest"]

_SHOWN_PROBLEMS = 20
_PROGRESS_AFTER = 0.5  # seconds: a quick file should not flash a bar


class FormatChoice(enum.StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    xlsx = "xlsx"


class BadRows(enum.StrEnum):
    reject = "reject"
    skip = "skip"


class _LateProgress:
    """A Rich bar on stderr that appears only once ingestion has taken a moment, and only
    when stderr is a terminal (so logs and pipes never receive control sequences)."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, done: int, total: int | None) -> None:
        if self._bar is None:
            # The time first: asking Rich whether stderr is a terminal loads Rich.
            if time.monotonic() - self._started < _PROGRESS_AFTER or not err.is_terminal:
                return
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("Ingesting"),
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
                console=err.console,  # type: ignore[attr-defined]  # the lazy console's own
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("ingest", total=total)
        assert self._task is not None
        self._bar.update(self._task, completed=done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _notice(text: str) -> None:
    err.print(text, markup=False, emoji=False)


def _rows(count: int, noun: str = "row") -> str:
    return f"{count:,} {noun}{'s' if count != 1 else ''}"


def _summarise(report: IngestReport, rejects: Path | None) -> None:
    _notice(f"Stored {_rows(report.stored_rows)} ({report.format}).")
    if not report.bad_rows:
        return
    _notice(f"Skipped {_rows(report.bad_rows, 'bad row')}:")
    for problem in report.problems[:_SHOWN_PROBLEMS]:
        _notice(f"  {problem}")
    if report.bad_rows > _SHOWN_PROBLEMS:
        _notice(f"  … and {report.bad_rows - _SHOWN_PROBLEMS:,} more")
    if rejects is not None:
        _notice(f"Bad rows written to {rejects}")


def _database_files(database_url: str) -> tuple[Path, ...]:
    """The files of a SQLite database, which a rejects file must never replace."""
    if not database_url.startswith("sqlite:"):
        return ()
    from sqlalchemy.engine import make_url  # SQLAlchemy stores the source anyway

    try:
        database = make_url(database_url).database
    except Exception:  # an unparsable URL is reported when the store is opened
        return ()
    from ..files import sqlite_companions

    return sqlite_companions(database) if database and database != ":memory:" else ()


def _pairs(entries: list[str] | None, option: str) -> dict[str, str] | None:
    """``['amount=Total', ...]`` as ``{"amount": "Total"}``; surrounding quotes dropped."""
    if not entries:
        return None
    pairs: dict[str, str] = {}
    for entry in entries:
        key, equals, value = entry.partition("=")
        if not equals or not key.strip() or not value.strip():
            raise typer.BadParameter(f"expected KEY=VALUE, got {entry!r}", param_hint=option)
        pairs[key.strip()] = value.strip().strip('"')
    return pairs


def _delimiter(text: str | None) -> str | None:
    if text is None:
        return None
    delimiter = {"tab": "\t", "\\t": "\t"}.get(text.lower(), text)
    if len(delimiter) != 1:
        raise typer.BadParameter("one character, or tab", param_hint="--delimiter")
    return delimiter


@app.command()
def ingest(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="FILE",
            help="A .csv/.tsv, .jsonl/.ndjson or spreadsheet (.xlsx/.xls/.ods) file.",
        ),
    ],
    user: UserOption = None,
    name: Annotated[
        str | None, typer.Option("--name", help="A name for the source (default: file name).")
    ] = None,
    fmt: Annotated[
        FormatChoice | None,
        typer.Option("--format", help="csv, jsonl or xlsx (default: from the file's extension)."),
    ] = None,
    on_bad_rows: Annotated[
        BadRows,
        typer.Option(
            "--on-bad-rows",
            help="reject: store nothing if any row is bad; skip: store the good rows.",
        ),
    ] = BadRows.reject,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            dir_okay=False,
            help="Write every bad row (line, column, problem, original fields) to this CSV "
            "(a new file; cells a spreadsheet would run as formulas start with ').",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the --rejects file if it exists.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    column_map: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar='FIELD="COLUMN"',
            help="Read FIELD (amount, sent_at, decided_at, estimate_id, outcome, approved_at, "
            "declined_at) from COLUMN; repeatable.",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            exists=True,
            dir_okay=False,
            help="A saved mapping (TOML: [columns], [outcomes], [read]); options given win.",
        ),
    ] = None,
    outcome_map: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome-map",
            metavar='"STATUS=OUTCOME"',
            help="Also read STATUS as won, lost or pending; repeatable.",
        ),
    ] = None,
    decimal_comma: Annotated[
        bool, typer.Option("--decimal-comma", help="Amounts use a decimal comma (1.234,50).")
    ] = False,
    decimal_point: Annotated[
        bool, typer.Option("--decimal-point", help="Amounts use a decimal point (1,234.50).")
    ] = False,
    delimiter: Annotated[
        str | None,
        typer.Option("--delimiter", help="CSV delimiter: , ; | or tab (default: sniffed)."),
    ] = None,
    date_format: Annotated[
        str | None,
        typer.Option("--date-format", help="strftime pattern of the dates, e.g. %d.%m.%Y."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="IANA zone naive times are in (default UTC)."),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="Text encoding, e.g. cp1252 (default: detected)."),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="The spreadsheet's sheet to read (default: the first)."),
    ] = None,
) -> None:
    """Store the estimates of a CSV or JSON Lines file as a new source; prints its id.

    Columns: amount and sent_at (required), decided_at, estimate_id and outcome (optional),
    by name, by a common spelling (Total, Date Sent, Quote #, Status: a notice says which),
    or by --map; any other column is ignored and never stored.
    """
    with loading():
        from snapshot_core.domain import InvalidInputError

        from ..files import (
            IngestLimits,
            RejectsPathError,
            UnreadableFileError,
            check_rejects_path,
            detect_format,
            ingest_file,
        )

    user_id = require_user(user)
    try:
        file_format = detect_format(file, fmt.value if fmt else None)
    except UnreadableFileError as error:
        raise typer.BadParameter(error.message, param_hint="--format") from None
    if decimal_comma and decimal_point:
        raise typer.BadParameter("give one of --decimal-comma and --decimal-point")
    columns = _pairs(column_map, "--map")
    c = container(creates=True, light=True)  # says so when it makes a new SQLite file
    settings = c.settings()
    if rejects is not None:
        try:
            check_rejects_path(
                rejects,
                inputs=[file],
                protected=_database_files(settings.database_url),
                overwrite=force,
            )
        except RejectsPathError as refused:
            raise typer.BadParameter(str(refused), param_hint="--rejects") from None
    with loading():
        storage = c.storage()  # SQLAlchemy and the SQL store, for a store made here
    progress = _LateProgress()
    try:
        report = ingest_file(
            file,
            uow_factory=storage,
            ids=c.ids(),
            clock=c.clock(),
            user_id=user_id,
            name=name,
            format=file_format,
            on_bad_rows=on_bad_rows.value,
            rejects=rejects,
            overwrite_rejects=force,
            limits=IngestLimits(settings.ingest_max_bytes, settings.ingest_max_rows),
            progress=progress,
            notify=_notice,
            column_map=columns,
            outcome_map=_pairs(outcome_map, "--outcome-map"),
            mapping=mapping,
            decimal="comma" if decimal_comma else "point" if decimal_point else None,
            delimiter=_delimiter(delimiter),
            date_format=date_format,
            timezone=timezone,
            encoding=encoding,
            sheet=sheet,
            max_weeks=settings.max_weeks,
            parallel=True,  # a large file is read in a second process: this one only stores
        )
    except ValueError as error:  # an option's value: a usage error, not bad input
        progress.close()
        raise typer.BadParameter(str(error)) from None
    except InvalidInputError as error:
        progress.close()
        if rejects is not None and error.total and not isinstance(error, UnreadableFileError):
            _notice(f"Bad rows written to {rejects}")
        raise
    finally:
        progress.close()
    _summarise(report, rejects)
    if as_json:
        print_json(report.to_dict())
    else:
        emit(report.source_id)
