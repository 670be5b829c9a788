"""What every command shares: consoles, the --user option, the container, JSON output."""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Annotated, Any

import typer
from rich.console import Console

from ..container import Container, build_container

__all__ = [
    "UserOption",
    "container",
    "err",
    "out",
    "print_json",
    "refuse_empty_user",
    "require_user",
]

# stdout carries results only; stderr everything a person reads along the way. Markup and
# emoji codes are off: names, file paths and model text are data, never formatting (a
# source called "[/]" must print as itself). Styles are applied with rich.text.Text.
out = Console(highlight=False, markup=False, emoji=False)
err = Console(stderr=True, highlight=False, markup=False, emoji=False)

UserOption = Annotated[
    str | None,
    typer.Option("--user", "-u", envvar="SNAPSHOT_USER", help="Your user id (or SNAPSHOT_USER)."),
]


@cache
def container() -> Container:
    """One container per process, from the environment and .env files."""
    return build_container()


def refuse_empty_user(user: str | None) -> None:
    """A usage error for ``--user ""`` (or blanks): never read as "no user given"."""
    if user is not None and not user.strip():
        raise typer.BadParameter("must not be empty", param_hint="--user")


def require_user(user: str | None) -> str:
    """``--user``, else SNAPSHOT_USER from the environment or the .env files.

    An empty ``--user ""`` is refused, not replaced by SNAPSHOT_USER: a script whose
    variable came out empty must not act as whoever the environment names.
    """
    refuse_empty_user(user)
    user = user or container().settings().user
    if not user:
        raise typer.BadParameter("missing --user (or set SNAPSHOT_USER)", param_hint="--user")
    return user


def print_json(value: Any) -> None:
    """Machine-readable output on stdout, one document, no colour or wrapping."""
    text = value if isinstance(value, str) else json.dumps(value, indent=2, default=str)
    print(text)


def debug_enabled() -> bool:
    return os.environ.get("SNAPSHOT_DEBUG", "") not in ("", "0", "false")
