"""The `snapshot` command: Typer app, command registration, and the no-traceback error boundary."""

from __future__ import annotations

import sys

import click
import typer

from snapshot_core.domain import InvalidInputError, SnapshotError

from .common import debug_enabled, err

__all__ = ["app", "main"]

app = typer.Typer(
    name="snapshot",
    help="Turn estimates into bucketed aggregates and a grounded narrative snapshot.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Commands live in their own modules; importing them registers them on `app`.
from . import flow_commands, demo_command, db_command  # noqa: E402,F401
from . import ingest_command, validate_command  # noqa: E402,F401


def report(error: SnapshotError) -> None:
    """The catalogue's words, verbatim, on stderr: message, then meaning and solution."""
    err.print(f"[bold red]Error:[/] {error.message}", markup=True)
    if isinstance(error, InvalidInputError):
        for problem in error.problems[:20]:
            err.print(f"  {problem}", markup=False)
        if error.total > 20:
            err.print(f"  … and {error.total - 20} more ({error.total} bad rows in all)")
    if error.meaning:
        err.print(f"  Meaning: {error.meaning}", markup=False)
    if error.solution:
        err.print(f"  Solution: {error.solution}", markup=False)
    err.print(f"  Code: {error.code}", markup=False, style="dim")


def main(argv: list[str] | None = None) -> int:
    """Entry point. Exit 0 success, 1 a domain error, 2 a usage error; never a traceback."""
    try:
        app(args=argv, standalone_mode=False)
    except SnapshotError as error:
        report(error)
        return 1
    except click.exceptions.Exit as done:
        return int(done.exit_code or 0)
    except click.exceptions.Abort:
        err.print("Aborted.")
        return 130
    except click.ClickException as usage:
        usage.show()
        return usage.exit_code
    except ModuleNotFoundError as missing:
        err.print(f"Error: {missing}", markup=False)
        return 1
    except KeyboardInterrupt:
        err.print("Interrupted.")
        return 130
    except Exception as unexpected:  # noqa: BLE001 - the boundary: no traceback for users
        if debug_enabled():
            raise
        err.print(
            f"Unexpected error ({type(unexpected).__name__}): {unexpected}\n"
            "  This is a bug; run again with SNAPSHOT_DEBUG=1 for the traceback.",
            markup=False,
        )
        return 1
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
