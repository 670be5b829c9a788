"""The `snapshot` command: registration of the commands, and the boundary no traceback crosses.

Everything is imported inside `main`, so that Ctrl-C during start-up is handled like
Ctrl-C anywhere else: exit 130 and one line, "Interrupted".
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from snapshot_core.domain import SnapshotError

__all__ = ["main", "report", "run"]

INTERRUPTED = 130  # 128 + SIGINT, what shells report for a command stopped by Ctrl-C


def report(error: SnapshotError) -> None:
    """The catalogue's words, verbatim, on stderr: message, hints, then meaning and solution."""
    from rich.text import Text

    from snapshot_core.domain import InvalidInputError

    from .common import err

    err.print(Text.assemble(("Error:", "bold red"), f" {error.message}"), soft_wrap=True)
    for note in getattr(error, "__notes__", ()):  # hints added where the error was caught
        err.print(f"  {note}", soft_wrap=True)
    if isinstance(error, InvalidInputError):
        for problem in error.problems[:20]:
            err.print(f"  {problem}", soft_wrap=True)
        if error.total > 20:
            err.print(f"  … and {error.total - 20} more ({error.total} bad rows in all)")
    detail = getattr(error, "detail", "")
    if detail and isinstance(detail, str):  # which database, which host, what the server said
        err.print(f"  Detail: {detail}", markup=False)
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, (int, float)):  # how long the provider asked us to wait
        err.print(f"  retry after {retry_after:g} s", markup=False)
    if error.meaning:
        err.print(f"  Meaning: {error.meaning}", soft_wrap=True)
    if error.solution:
        err.print(f"  Solution: {error.solution}", soft_wrap=True)
    err.print(f"  Code: {error.code}", style="dim")


def _interrupted() -> int:
    print("Interrupted", file=sys.stderr)
    return INTERRUPTED


def _usage_error(usage: Exception) -> int:
    import io

    from .terminal import visible

    shown = io.StringIO()
    usage.show(file=shown)  # type: ignore[attr-defined]  # every Click exception has show()
    sys.stderr.write(visible(shown.getvalue()))
    code = getattr(usage, "exit_code", 2)
    return code if isinstance(code, int) else 2


def main(argv: list[str] | None = None) -> int:
    """Entry point. Exit 0 success, 1 a domain error, 2 a usage error, 130 Ctrl-C; never a
    traceback.

    Typer turns Ctrl-C inside a command into exit code 130 and hands usage errors back
    (exit 2); everything our code raises is caught here and reported in the catalogue's
    words.
    """
    try:
        from .loading import loading

        with loading():
            import typer

            from . import (
                db_command,
                demo_command,
                flow_commands,
                ingest_command,
                keys_command,
                validate_command,
            )
            from .app import root
            from .common import debug_enabled

        del db_command, demo_command, flow_commands, ingest_command, keys_command, validate_command
        try:
            # Not standalone: Typer hands usage errors back instead of printing them raw,
            # so they go through `visible` like everything else (an argument is data too).
            result = root(args=argv, prog_name="snapshot", standalone_mode=False)
        except SystemExit as done:
            code = done.code
            if code == INTERRUPTED:
                return _interrupted()
            return code if isinstance(code, int) else (0 if code is None else 1)
        except typer.Abort:  # end of input at a prompt
            print("Aborted!", file=sys.stderr)
            return 1
        except typer.exceptions.TyperException as usage:  # Click's usage errors: exit 2
            return _usage_error(usage)
        except ImportError as missing:  # an optional extra (openai, postgres) is not installed
            from .common import err

            err.print(f"Error: {missing}")
            return 1
        except Exception as unexpected:
            # The core is imported only now: `snapshot --help` never needs it.
            from snapshot_core.domain import SnapshotError, redact_text

            if isinstance(unexpected, SnapshotError):
                report(unexpected)
                return 1
            if debug_enabled():
                raise
            from .common import err

            err.print(
                f"Unexpected error ({type(unexpected).__name__}): {redact_text(str(unexpected))}\n"
                "  This is a bug; run again with SNAPSHOT_DEBUG=1 for the traceback."
            )
            return 1
    except KeyboardInterrupt:
        return _interrupted()
    code = result if isinstance(result, int) else 0  # Typer returns Exit codes, e.g. Ctrl-C
    return _interrupted() if code == INTERRUPTED else code


def run() -> None:
    try:
        # From here on, Ctrl-C raises KeyboardInterrupt again, so every `with` block unwinds
        # (the package's start-up handler exits at once; see snapshot_adapters/__init__.py).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from .loading import one_shot

        one_shot()
        code = main()
    except KeyboardInterrupt:  # between main's return and here: still one line, still 130
        code = _interrupted()
    if code == INTERRUPTED:
        # Leave at once with 130. Through sys.exit, CPython ends a process whose Ctrl-C was
        # handled mid-import by re-sending itself SIGINT (exit status -2, not 130). Every
        # transaction has already been rolled back by its context manager; flush what is
        # printed and skip only interpreter shutdown.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)
    _skip_the_last_collection()
    sys.exit(code)


def _skip_the_last_collection() -> None:
    """When the command took the light path, its store is closed now (what the interpreter's
    last garbage collection would have closed) and every object is frozen (``gc.freeze``),
    so that collection, which would go through all of them (a tenth of a second), skips
    them. Their memory is returned to the system as the process ends, as before."""
    import gc

    from . import common

    if common.release():
        gc.freeze()


if __name__ == "__main__":
    run()
