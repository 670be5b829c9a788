"""The rejects file: every bad row with its line, column and problem, and what the user wrote.

Written safely: a path that is the input, the database (or its -wal/-shm/-journal) or a file
that is not a regular file is refused; an existing file is refused unless overwriting is
asked for; the rows go to a temporary file beside the target, renamed into place only when
complete; a cell a spreadsheet would run as a formula is neutralised (OWASP CSV injection).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from snapshot_core.domain import FileNotWrittenError, InvalidInputError, RowProblem

from .errors import UnreadableFileError

__all__ = [
    "FORMULA_TRIGGERS",
    "REJECTS_PREFIX",
    "RejectsPathError",
    "RejectsWriter",
    "check_rejects_path",
    "neutralise_cell",
    "open_rejects",
    "restore_cell",
    "sqlite_companions",
]

REJECTS_PREFIX = ("line", "column", "problem")

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets
# (OWASP "CSV Injection"); "'" is included so that the escape itself is reversible.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise_cell(text: str) -> str:
    """``=SUM(A1)`` -> ``'=SUM(A1)``: shown as text by spreadsheets; ``restore_cell`` undoes it."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def restore_cell(text: str) -> str:
    """The text the user wrote, from a cell of a rejects file (drops one leading ``'``)."""
    return text[1:] if text.startswith("'") else text


class RejectsPathError(ValueError):
    """A rejects path that must not be written (the input, the database, an existing file)."""


def sqlite_companions(database: str | os.PathLike[str]) -> tuple[Path, ...]:
    """A SQLite database file and the files SQLite keeps beside it."""
    path = Path(database)
    return (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal")))


def _is(target: Path, other: Path) -> bool:
    """The same file: the same inode (hard links, symlinks) or, if absent, the same path."""
    try:
        return os.path.samefile(target, other)
    except OSError:
        return target.resolve() == other.resolve()


def check_rejects_path(
    target: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    protected: Iterable[str | os.PathLike[str]] = (),
    overwrite: bool = False,
) -> None:
    """Raise ``RejectsPathError`` unless ``target`` may receive the rejects.

    ``inputs`` (the file being read) and ``protected`` (e.g. ``sqlite_companions(db)``) are
    refused whatever ``overwrite`` says, as is anything but a regular file; another existing
    file only with ``overwrite``.
    """
    path = Path(target)
    for other in inputs:
        if _is(path, Path(other)):
            raise RejectsPathError("must not be the input file")
    for other in protected:
        if _is(path, Path(other)):
            raise RejectsPathError(f"must not be the database file ({other})")
    try:
        found = path.stat()
    except FileNotFoundError:
        found = None
    except OSError as error:
        raise RejectsPathError(f"cannot use {path}: {error.strerror}") from None
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise RejectsPathError(f"{path} exists and is not a regular file")
    if found is not None and not overwrite:
        raise RejectsPathError(f"{path} already exists (give --force to replace it)")
    if not path.resolve().parent.is_dir():
        raise RejectsPathError(f"no directory {path.parent}")


def _not_written(target: object, error: OSError) -> FileNotWrittenError:
    reason = error.strerror or os.strerror(error.errno or errno.EIO)
    return FileNotWrittenError(str(target), reason)


class RejectsWriter:
    """Writes CSV to a text stream opened with ``newline=""``.

    The header is ``line,column,problem`` then the input's own header (CSV), or ``raw``
    (JSON Lines: the original line). Each bad row follows with its original fields, so
    fixing the values and deleting the first three columns gives a file to ingest again.
    A record that was not even valid CSV keeps its raw text in the first field. Cells a
    spreadsheet would run as formulas get a leading ``'`` (``restore_cell`` removes it).

    A failed write (a full disk) is remembered, not raised through the rows being stored;
    ``finish()`` raises it as ``FileNotWrittenError`` before anything is committed.
    """

    def __init__(
        self,
        stream: IO[str],
        name: object = "the rejects stream",
        place: Callable[[], None] | None = None,
    ) -> None:
        self._stream = stream
        self._writer = csv.writer(stream, lineterminator="\n")
        self._name = name
        self._place = place  # puts a complete file where it belongs, once
        self._failure: OSError | None = None
        self._finished = False
        self.written = 0

    def _row(self, cells: Sequence[object]) -> None:
        if self._failure is not None:
            return
        try:
            self._writer.writerow(
                [neutralise_cell(cell) if isinstance(cell, str) else cell for cell in cells]
            )
        except OSError as error:
            self._failure = error

    def start(self, header: Sequence[str]) -> None:
        self._row([*REJECTS_PREFIX, *header])

    def write(self, problem: RowProblem, raw: Sequence[str]) -> None:
        self._row([problem.line, problem.column, problem.problem, *raw])
        self.written += 1

    def finish(self) -> None:
        """Flush to the disk and put the file in place (before the rows are committed);
        raise ``FileNotWrittenError`` if any of it did not get there. Once is enough."""
        if self._finished:
            return
        if self._failure is None:
            try:
                self._stream.flush()
                descriptor = _regular_file_descriptor(self._stream)
                if descriptor is not None:
                    os.fsync(descriptor)  # on the disk before the rows are committed
            except OSError as error:
                self._failure = error
        if self._failure is not None:
            raise _not_written(self._name, self._failure)
        if self._place is not None:
            self._place()
        self._finished = True


def _regular_file_descriptor(stream: IO[str]) -> int | None:
    """The stream's descriptor if it is a regular file (a pipe or a terminal has no fsync)."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.StringIO and other in-memory streams
        return None
    return descriptor if stat.S_ISREG(os.fstat(descriptor).st_mode) else None


def _move(temporary: str, path: Path, overwrite: bool) -> None:
    if not overwrite:
        try:
            os.link(temporary, path)  # atomic, and never replaces an existing file
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: check, then rename
            if path.exists():
                raise FileExistsError(path) from None
        else:
            os.unlink(temporary)
            return
    os.replace(temporary, path)


@contextlib.contextmanager
def open_rejects(
    target: str | os.PathLike[str] | IO[str] | None, *, overwrite: bool = False
) -> Iterator[RejectsWriter | None]:
    """A ``RejectsWriter`` for a path (written atomically) or a text stream, or ``None``.

    The path's rows go to a temporary file in the same directory, moved to the target only
    when they are complete: after a good ingest, or one refused for its bad rows (the
    rejects say why). Anything else (an unreadable file, a full disk, an interrupt) removes
    the temporary file, so no partial rejects file is ever left behind. Without
    ``overwrite`` the move is a hard link, which fails if a file appeared at the target
    meanwhile (checked before, but another process may have been quicker).
    """
    if target is None:
        yield None
        return
    if not isinstance(target, str | os.PathLike):
        yield RejectsWriter(target)
        return
    path = Path(target)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
        stream = open(handle, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed below)
    except OSError as error:
        raise _not_written(path, error) from None
    placed = False

    def place() -> None:
        nonlocal placed
        try:
            stream.close()
            _move(temporary, path, overwrite)
        except FileExistsError:
            raise FileNotWrittenError(str(path), "a file appeared there meanwhile") from None
        except OSError as error:  # the last buffered bytes did not fit, or the rename failed
            raise _not_written(path, error) from None
        placed = True

    writer = RejectsWriter(stream, path, place)
    try:
        try:
            yield writer
        except InvalidInputError as refused:
            if not isinstance(refused, UnreadableFileError):
                writer.finish()
            raise
        writer.finish()
    finally:
        if not placed:
            with contextlib.suppress(OSError):
                stream.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
