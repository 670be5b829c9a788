"""What every command shares: consoles, the --user option, settings, the container, output."""

from __future__ import annotations

import builtins
import os
import re
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast, overload

import typer

from .terminal import data_console, emit_json

if TYPE_CHECKING:
    from rich.console import Console

    from ..container import Container
    from ..settings import Settings
    from .light_start import LightContainer

__all__ = [
    "UserOption",
    "container",
    "err",
    "out",
    "print_json",
    "refuse_empty_user",
    "release",
    "require_user",
    "set_database_url",
    "settings",
    "sqlite_file",
]


class _LazyConsole:
    """A Rich console made on first use: importing Rich costs more than `--help` may."""

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = data_console(stderr=self._stderr)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)

    def print(self, *objects: Any, **options: Any) -> None:
        """``Console.print``; a line Rich would print unchanged is written without loading
        Rich (a tenth of a one-row ingest), until a console is made."""
        if self._console is None and _unchanged_by_rich(objects, options, self._stderr):
            stream = sys.stderr if self._stderr else sys.stdout
            stream.write(f"{objects[0]}\n")
            stream.flush()
            return
        self.console.print(*objects, **options)


_PLAIN = re.compile(r"[ -~]*")  # printable ASCII: one cell a character, nothing to strip


def _unchanged_by_rich(objects: tuple[Any, ...], options: dict[str, Any], stderr: bool) -> bool:
    """Whether ``data_console(stderr=...).print(*objects, **options)`` would write the one
    string given and a newline: printable ASCII, no option but markup and emoji off (as the
    console has them), not a terminal (Rich's own tests: TTY_COMPATIBLE, FORCE_COLOR, Jupyter),
    and shorter than the width Rich gives a console that is not a terminal (``Console.size``:
    COLUMNS, else the first standard stream that is a terminal, else 80)."""
    if len(objects) != 1 or type(objects[0]) is not str or not _PLAIN.fullmatch(objects[0]):
        return False
    if any(options.get(name, False) for name in ("markup", "emoji")):
        return False
    if set(options) - {"markup", "emoji"}:
        return False
    stream = sys.stderr if stderr else sys.stdout
    if "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
        return False
    if "get_ipython" in vars(builtins) or stream.isatty():
        return False
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
    else:
        width = 0
        for descriptor in (0, 1, 2):
            try:
                width = os.get_terminal_size(descriptor).columns
            except (AttributeError, ValueError, OSError):
                continue
            break
        width = width or 80
    return len(objects[0]) < width


# stdout carries results only; stderr everything a person reads along the way.
out = cast("Console", _LazyConsole(stderr=False))
err = cast("Console", _LazyConsole(stderr=True))

UserOption = Annotated[
    str | None,
    typer.Option("--user", "-u", envvar="SNAPSHOT_USER", help="Your user id (or SNAPSHOT_USER)."),
]

_database_url: str | None = None


def set_database_url(url: str | None) -> None:
    """The global ``--db URL``: wins over SNAPSHOT_DATABASE_URL and the .env files."""
    global _database_url
    _database_url = url
    if url:  # plugin commands (`snapshot serve`) load their settings from the environment
        os.environ["SNAPSHOT_DATABASE_URL"] = url
    settings.cache_clear()
    _container.cache_clear()
    _light.cache_clear()


@cache
def settings() -> Settings:
    """The settings of this process: environment, .env.local, .env, then ``--db``."""
    from ..settings import load_settings

    return load_settings(database_url=_database_url) if _database_url else load_settings()


def sqlite_file(database_url: str) -> Path | None:
    """The absolute path of an ``sqlite:///FILE`` URL; ``None`` for any other database."""
    scheme, _, rest = database_url.partition("://")
    if scheme.split("+")[0] != "sqlite" or not rest.startswith("/"):
        return None
    path = rest[1:].partition("?")[0]
    if path in ("", ":memory:") or path.startswith("file:"):
        return None
    return Path(path).resolve()


@cache
def _container() -> Container:
    from ..container import build_container

    return build_container(settings())


@cache
def _light() -> LightContainer | None:
    from .light_start import light_container

    return light_container(_database_url)


@overload
def container(*, creates: bool = False) -> Container: ...
@overload
def container(*, creates: bool = False, light: Literal[True]) -> Container | LightContainer: ...
def container(*, creates: bool = False, light: bool = False) -> Container | LightContainer:
    """One container per process. A command that only reads (``creates=False``) never
    makes a new SQLite file: a missing one is ``NoDatabaseError``. One that writes says
    on stderr where it creates it, so a file made in the wrong directory is noticed.
    ``light=True``: a command that calls only what ``LightContainer`` has gets one when
    the settings allow (see light_start.py)."""
    quick = _light() if light else None
    path = sqlite_file(quick.settings().database_url if quick else settings().database_url)
    if path is not None and not path.exists():
        if not creates:
            from snapshot_core.domain import NoDatabaseError

            raise NoDatabaseError(str(path))
        err.print(f"Creating a new SQLite database at {path}")
    return quick or _container()


def release() -> bool:
    """After a command on the light path (``LightContainer``, no ``Container``): close its
    store and say ``True``: nothing else this process made holds a connection or a file."""
    quick = _light() if _light.cache_info().currsize else None
    if quick is None or _container.cache_info().currsize:
        return False
    quick.close()
    return True


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
    if not user:  # the light settings' user when they are read: Settings' own
        quick = _light()
        user = quick.settings().user if quick else settings().user
    if not user:
        raise typer.BadParameter("missing --user (or set SNAPSHOT_USER)", param_hint="--user")
    return user


def print_json(value: Any) -> None:
    """Machine-readable output on stdout, one document, no colour or wrapping."""
    import json

    emit_json(value if isinstance(value, str) else json.dumps(value, indent=2, default=str))


def debug_enabled() -> bool:
    return os.environ.get("SNAPSHOT_DEBUG", "") not in ("", "0", "false")
