"""Typer's value coercion without pydantic for the values that need none: none at all, text,
a flag's bool, a choice spelled exactly, a list of texts, and a path.

Typer (0.26 and later) coerces every parameter value through a pydantic ``TypeAdapter`` it
builds on first use: importing pydantic and building the adapters cost a read command more than
its own work. A missing value is ``None`` (``()`` for a repeatable option); a ``str`` or
``bool`` parameter given a ``str`` or ``bool`` gets it back unchanged; for
an ``Enum`` parameter given one of its members, or a value spelled exactly as a member's value
(case-sensitive, no token normaliser), it returns that member; a ``list[str]`` option given
texts gets them as a list. A ``Path`` parameter given a text that ``Path`` keeps as it is
(``a/b.csv``, not ``./a//b.csv/``) gets Typer's own path checks (exists, file or directory,
readable) on ``Path(text)``, which is what Typer checks after pydantic has made that ``Path``;
the texts are UTF-8 (pydantic refuses a lone surrogate, ``Path`` would not). Those cases are
answered here; every other value (bytes, another spelling, a bad choice, any path Typer's
checks refuse, and its error message) still goes to Typer's own coercion. Typer versions
without this hook are left alone.
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Any

__all__ = ["evaluate_annotations", "evaluate_callback", "quicken", "quicken_param"]


class _QuickCoercion:
    """Stands in for Typer's runtime coercion of one parameter (``RuntimeParam.coerce``)."""

    def __init__(self) -> None:
        self._typer: Any = None

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:  # Typer's coercion of a missing value
            return () if param.multiple else None
        annotation = param.type_descriptor.annotation
        if annotation in (str, bool) and type(value) is annotation:  # a subclass is converted
            return value
        if annotation == list[str] and type(value) in (tuple, list):
            if all(type(item) is str for item in value):
                return list(value)
        elif annotation is Path and type(value) is str and _kept_by_path(value):
            try:
                return _path_checks(Path(value), param.type_descriptor.parameter_info, param, ctx)
            except Exception:  # refused: Typer's own coercion says so in its words
                pass
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            if isinstance(value, annotation):
                return value
            normalise = getattr(ctx, "token_normalize_func", None)
            if isinstance(value, str) and normalise is None:
                for member in annotation:
                    if value == str(member.value):
                        return member
        return self._typer_coercion(param).coerce(value, param=param, ctx=ctx)

    def _typer_coercion(self, param: Any) -> Any:
        if self._typer is None:
            param._runtime_param = None  # get_runtime_param builds Typer's own
            self._typer = param.get_runtime_param()
            param._runtime_param = self
        return self._typer


def _kept_by_path(text: str) -> bool:
    """``Path(text)`` spells ``text`` as it is, and pydantic reads ``text`` as a string."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return os.fspath(Path(text)) == text


try:  # Typer's path checks (exists, file_okay, dir_okay, readable, ...), where it has them
    from typer._param_types import coerce_cli_path as _typer_path_checks
except ImportError:  # another Typer: its own coercion does every path
    _typer_path_checks = None  # type: ignore[assignment]


def _path_checks(path: Path, info: Any, param: Any, ctx: Any) -> Any:
    assert _typer_path_checks is not None  # _plain said so
    return _typer_path_checks(path, info, path_type=Path, param=param, ctx=ctx)


def _plain(param: Any) -> bool:
    descriptor = getattr(param, "type_descriptor", None)
    info = getattr(descriptor, "parameter_info", None)
    if descriptor is None or info is None or getattr(info, "parser", None) is not None:
        return False
    annotation = descriptor.annotation
    if param.nargs != 1 or (param.multiple and annotation != list[str]):
        return False
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return bool(getattr(info, "case_sensitive", False))
    if annotation is Path:
        return _typer_path_checks is not None and getattr(info, "path_type", None) is None
    return annotation in (str, bool, list[str])


def quicken(command: Any, ctx: Any = None) -> Any:
    """``command`` with its plain parameters coerced here first (see the module's docstring),
    its ``--help`` option too when ``ctx`` is given (Click makes that option on first use)."""
    params = list(getattr(command, "params", ()))
    if ctx is not None and hasattr(command, "get_help_option"):
        params.append(command.get_help_option(ctx))
    for param in params:
        quicken_param(param)
    return command


def quicken_param(param: Any) -> Any:
    """``param`` coerced here first when it is a plain one (and Typer has this hook)."""
    if (
        hasattr(param, "get_runtime_param")
        and getattr(param, "_runtime_param", False) is None
        and _plain(param)
    ):
        param._runtime_param = _QuickCoercion()
    return param


def evaluate_callback(callback: Any) -> None:
    """Evaluate a command's string annotations once, ahead of Typer.

    Under ``from __future__ import annotations`` every annotation is a string, and Typer
    evaluates each one twice when it builds a command (``inspect.signature(eval_str=True)``,
    then ``typing.get_type_hints``). Replacing the callback's ``__annotations__`` with what
    ``get_type_hints`` returns gives Typer the same types with nothing left to evaluate.
    """
    import typing

    if callback is None:
        return
    try:
        callback.__annotations__ = typing.get_type_hints(callback, include_extras=True)
    except Exception:  # left as it is: Typer reports it in its own words
        return


def evaluate_annotations(app: Any) -> None:
    """``evaluate_callback`` for every command and callback of a Typer app and its groups."""
    for info in app.registered_commands:
        evaluate_callback(info.callback)
    if app.registered_callback is not None:
        evaluate_callback(app.registered_callback.callback)
    for group in app.registered_groups:
        evaluate_annotations(group.typer_instance)
