"""ForkedRows: a large file's rows read and checked in a second process while this one stores them.

Reading and checking a CSV file takes about as long as storing its rows. With a second core,
``ingest_file(..., parallel=True)`` forks a child that runs the very ``FileRows`` the
sequential path runs — same reader, same checker, same order — and sends each batch of
checked rows (``EstimateColumns``) through a pipe to this process, which stores them as they
come. Whatever the child's checker decides reaches this process unchanged: the batches, the
notices and progress it reports (relayed in order), the verdict of ``rejection()``, the bad
rows' count and problems, and any exception it raised (raised here in its place). So the
result is the same as reading in this process; only the time differs.

Forking is safe here because nothing in the child touches what it inherited but the file
and the pipe: it ignores Ctrl-C (this process stops it), and it leaves through ``os._exit``
(``multiprocessing``'s fork start), never closing a database connection it inherited. It is
for command-line tools and job workers: forking a process that runs other threads (a web
server) is not safe, which is why ``parallel`` is off by default.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from snapshot_core.domain import EstimateRow, InvalidInputError, RowProblem
from snapshot_core.domain.estimate_columns import EstimateColumns

from .file_rows import FileRows

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

__all__ = ["PARALLEL_MIN_BYTES", "ForkedRows", "Relay", "can_fork"]

# Starting the second process costs about as much as it saves on a 1 MB file (10,000 rows);
# a 4 MB one goes in about a quarter faster, and the gain grows with the file.
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
_STOP_WAIT_S = 5.0
_PIPE_BYTES = 1024 * 1024


def can_fork() -> bool:
    """Whether a second process can read while this one stores: on Linux (where fork is
    Python's default way to start one; macOS's system libraries are not safe to fork) when
    this process may run on at least two CPUs."""
    return sys.platform == "linux" and len(os.sched_getaffinity(0)) >= 2


class Relay:
    """The ``progress`` and ``notify`` callbacks as the reader calls them: straight through in
    this process; in the child, sent through the pipe to be called here, in order."""

    def __init__(
        self,
        progress: Callable[[int, int | None], None] | None,
        notify: Callable[[str], None] | None,
    ) -> None:
        self.progress_to, self.notify_to = progress, notify
        self.channel: Connection | None = None  # set in the child

    def progress(self, done: int, total: int | None) -> None:
        if self.channel is not None:
            self.channel.send(("progress", done, total))
        elif self.progress_to is not None:
            self.progress_to(done, total)

    def notify(self, text: str) -> None:
        if self.channel is not None:
            self.channel.send(("notify", text))
        elif self.notify_to is not None:
            self.notify_to(text)


class ForkedRows:
    """The ``RowStream`` (and ``ColumnStream``) of ``rows``, read by a forked child: call
    ``start()`` before reading and ``close()`` when done, in a ``finally`` (it stops the child
    if it is still running)."""

    def __init__(self, rows: FileRows, relay: Relay) -> None:
        self._rows, self._relay = rows, relay
        self._process: BaseProcess | None = None
        self._channel: Connection | None = None
        self._rejection: InvalidInputError | None = None
        self.bad_rows = 0
        self.problems: list[RowProblem] = []

    def start(self) -> None:
        """Fork the child, which starts reading at once."""
        import multiprocessing  # loaded only for a file large enough to read this way

        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        _widen(receiving.fileno())
        self._channel = receiving
        self._process = context.Process(
            target=_read_in_child,
            args=(self._rows, self._relay, sending, receiving),
            name="snapshot-reader",
            daemon=True,
        )
        # The child is born with Ctrl-C blocked, so it never sees one before ignoring it.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._process.start()
        finally:
            sending.close()  # the child's end: EOF here once the child has gone
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def __iter__(self) -> Iterator[EstimateRow]:
        for batch in self.column_batches():
            yield from batch.rows()

    def column_batches(self) -> Iterator[EstimateColumns]:
        """The child's batches in order, calling ``progress``/``notify`` as it asked; its
        exception, if it raised one, is raised here."""
        assert self._channel is not None, "start() first"
        receive, relay = self._channel.recv, self._relay
        while True:
            try:
                message = receive()
            except (EOFError, OSError):  # OSError: the child died in the middle of a message
                raise RuntimeError(self._gone()) from None
            if type(message) is EstimateColumns:
                yield message
            elif message[0] == "progress":
                relay.progress(message[1], message[2])
            elif message[0] == "notify":
                relay.notify(message[1])
            elif message[0] == "end":
                _, rejection, self.bad_rows, self.problems = message
                self._rejection = None if rejection is None else _revived(rejection)
                return
            else:  # "raised": what reading raised in the child, raised here
                raise _revived(message[1])

    def rejection(self) -> InvalidInputError | None:
        return self._rejection

    def close(self) -> None:
        """Stop the child (if still running) and wait for it."""
        process = self._process
        try:
            if process is not None and process.pid is not None:  # started (fork may fail)
                if process.is_alive():
                    process.kill()
                process.join(_STOP_WAIT_S)
        finally:
            if self._channel is not None:
                self._channel.close()

    def _gone(self) -> str:
        assert self._process is not None
        self._process.join(_STOP_WAIT_S)
        code = self._process.exitcode
        return f"The process reading the file stopped unexpectedly (exit code {code})"


def _widen(pipe: int) -> None:
    """A pipe of 1 MiB (Linux's limit for a process without privileges), not 64 KiB: about 50
    batches in flight, so neither process waits on the other's every pause."""
    import fcntl  # POSIX only, as fork is

    with contextlib.suppress(OSError):
        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


def _read_in_child(
    rows: FileRows, relay: Relay, channel: Connection, parents_end: Connection
) -> None:
    """In the child: every batch of ``rows`` through ``channel``, then the verdict; whatever
    happens, nothing is printed here (the parent reports), and a parent that has gone ends
    this process quietly: with the pipe's other end closed here, its next send fails."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops this process
    parents_end.close()  # else this process would keep the pipe open for itself, and wait
    relay.channel = channel
    send = channel.send
    try:
        for batch in rows.column_batches():
            send(batch)
        rejection = rows.rejection()
        verdict = None if rejection is None else _portable(rejection)
        send(("end", verdict, rows.bad_rows, rows.problems))
    except BaseException as error:  # raised in the parent instead
        with contextlib.suppress(OSError):  # a broken pipe: the parent has gone, no one to tell
            _send_raised(send, error)


def _send_raised(send: Callable[[object], None], error: BaseException) -> None:
    try:
        send(("raised", _portable(error)))
    except Exception:  # not picklable at all: its class and words
        send(("raised", _carried(RuntimeError(f"{type(error).__name__}: {error}"))))


def _portable(error: BaseException) -> Any:
    """The exception itself when pickle makes it again exactly (same class, text and
    attributes: the built-in ones keep some in C fields, a file name say); else its class,
    arguments and attributes (``_carried``), for one whose ``__init__`` takes others."""
    try:
        again = pickle.loads(pickle.dumps(error))
    except Exception:  # any failure to round-trip: carried instead
        return _carried(error)
    same = type(again) is type(error) and str(again) == str(error)
    return error if same and vars(again) == vars(error) else _carried(error)


def _carried(error: BaseException) -> tuple[type[BaseException], tuple[Any, ...], dict[str, Any]]:
    """An exception as its class, arguments and attributes: what pickle needs to make it again
    exactly, whatever its ``__init__`` takes."""
    return type(error), error.args, dict(vars(error))


def _revived(carried: Any) -> Any:
    if isinstance(carried, BaseException):  # sent as it is (``_portable``)
        return carried
    kind, args, attributes = carried
    error = kind.__new__(kind, *args)
    error.args = args
    vars(error).update(attributes)
    return error
