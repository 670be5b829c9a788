"""`snapshot ingest FILE`: a CSV or JSON Lines file into a new source; prints its id."""

from __future__ import annotations

import enum
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .app import app
from .common import UserOption, container, err, print_json, require_user
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
            if not err.is_terminal or time.monotonic() - self._started < _PROGRESS_AFTER:
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


@app.command()
def ingest(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="FILE",
            help="A .csv, .jsonl or .ndjson file.",
        ),
    ],
    user: UserOption = None,
    name: Annotated[
        str | None, typer.Option("--name", help="A name for the source (default: file name).")
    ] = None,
    fmt: Annotated[
        FormatChoice | None,
        typer.Option("--format", help="csv or jsonl (default: from the file's extension)."),
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
            help="Write every bad row (line, column, problem, original fields) to this CSV.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Store the estimates of a CSV or JSON Lines file as a new source; prints its id.

    Columns: amount and sent_at (required), decided_at and estimate_id (optional); any
    other column is ignored and never stored.
    """
    from snapshot_core.domain import InvalidInputError

    from ..files import IngestLimits, UnreadableFileError, detect_format, ingest_file

    user_id = require_user(user)
    try:
        file_format = detect_format(file, fmt.value if fmt else None)
    except UnreadableFileError as error:
        raise typer.BadParameter(error.message, param_hint="--format") from None
    if rejects is not None and rejects.exists() and rejects.resolve() == file.resolve():
        raise typer.BadParameter("must not be the input file", param_hint="--rejects")
    if rejects is not None and not rejects.resolve().parent.is_dir():
        raise typer.BadParameter(f"no directory {rejects.parent}", param_hint="--rejects")
    c = container(creates=True)  # says so when it makes a new SQLite file
    settings = c.settings()
    progress = _LateProgress()
    try:
        report = ingest_file(
            file,
            uow_factory=c.storage(),
            ids=c.ids(),
            clock=c.clock(),
            user_id=user_id,
            name=name,
            format=file_format,
            on_bad_rows=on_bad_rows.value,
            rejects=rejects,
            limits=IngestLimits(settings.ingest_max_bytes, settings.ingest_max_rows),
            progress=progress,
            notify=_notice,
        )
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
