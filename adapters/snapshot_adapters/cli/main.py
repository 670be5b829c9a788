"""The `snapshot` command: Typer app, command registration, and the no-traceback error boundary."""

from __future__ import annotations

import sys

from rich.text import Text

from snapshot_core.domain import InvalidInputError, SnapshotError, redact_text

# Commands live in their own modules; importing them registers them on `app`.
from . import db_command, demo_command, flow_commands, ingest_command, validate_command  # noqa: F401
from .app import app
from .common import debug_enabled, err

__all__ = ["app", "main"]


def report(error: SnapshotError) -> None:
    """The catalogue's words, verbatim, on stderr: message, then meaning and solution."""
    err.print(Text.assemble(("Error:", "bold red"), f" {error.message}"))
    if isinstance(error, InvalidInputError):
        for problem in error.problems[:20]:
            err.print(f"  {problem}", markup=False)
        if error.total > 20:
            err.print(f"  … and {error.total - 20} more ({error.total} bad rows in all)")
    detail = getattr(error, "detail", "")
    if detail and isinstance(detail, str):  # which database, which host, what the server said
        err.print(f"  Detail: {detail}", markup=False)
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, (int, float)):  # how long the provider asked us to wait
        err.print(f"  retry after {retry_after:g} s", markup=False)
    if error.meaning:
        err.print(f"  Meaning: {error.meaning}", markup=False)
    if error.solution:
        err.print(f"  Solution: {error.solution}", markup=False)
    err.print(f"  Code: {error.code}", markup=False, style="dim")


def main(argv: list[str] | None = None) -> int:
    """Entry point. Exit 0 success, 1 a domain error, 2 a usage error; never a traceback.

    Typer (standalone mode) reports usage errors itself and exits with 2; everything
    our code raises is caught here and reported in the catalogue's words.
    """
    try:
        app(args=argv, prog_name="snapshot")
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except SnapshotError as error:
        report(error)
        return 1
    except ImportError as missing:  # an optional extra (openai, postgres) is not installed
        err.print(Text.assemble(("Error:", "bold red"), f" {missing}"))
        return 1
    except KeyboardInterrupt:
        err.print("Interrupted.")
        return 130
    except Exception as unexpected:
        if debug_enabled():
            raise
        err.print(
            f"Unexpected error ({type(unexpected).__name__}): {redact_text(str(unexpected))}\n"
            "  This is a bug; run again with SNAPSHOT_DEBUG=1 for the traceback.",
            markup=False,
        )
        return 1
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
