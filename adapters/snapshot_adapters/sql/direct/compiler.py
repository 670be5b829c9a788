"""The direct store's statements, compiled from the SQL repositories themselves (development
time only: this module loads SQLAlchemy).

Each repository method the direct store runs is called on a recording unit of work with a
distinct sentinel for each argument; every statement it executes is compiled for SQLite, and
each positional parameter is recorded as the argument whose sentinel it carries (with the
conversion its column type applies) or as the constant the repository put there. So the SQL
is written once, in ``sql/``; ``scripts/compile_sqlite_statements.py`` writes the result to
``statements.py``, and a test compiles it again and compares.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import ClauseElement
from sqlalchemy.dialects import sqlite

from snapshot_core.domain import Source, SourceStatus

from ..estimates import SqlEstimates
from ..records import SqlBuckets
from ..sources import SqlSources
from ..types import JsonDocument, UtcDateTime
from .statement import Statement

__all__ = ["compile_statements", "render_module"]

_DIALECT = sqlite.dialect()
_NOW = datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=UTC)
_CREATED = datetime(2002, 3, 4, 5, 6, 7, 8, tzinfo=UTC)
_LEASE = datetime(2003, 4, 5, 6, 7, 8, 9, tzinfo=UTC)
_SENTINELS: dict[str, Any] = {
    "source_id": "<source_id>",
    "user_id": "<user_id>",
    "name": "<name>",
    "estimate_count": 987_654_321,
    "created_at": _CREATED,
    "attempt": 123_456_789,
    "lease_expires_at": _LEASE,
    "now": _NOW,
    "body": "<body>",
    "source_key": 555_555_555,
}


def _conversion(type_: Any) -> str:
    """The name of the conversion a bound value of this column type goes through."""
    if isinstance(type_, UtcDateTime):
        return "utc_text"
    if isinstance(type_, JsonDocument):
        return "json"
    return ""


class _Result:
    def __init__(self, rowcount: int, scalar: Any) -> None:
        self.rowcount = rowcount
        self._scalar = scalar

    def one_or_none(self) -> None:
        return None

    def scalar_one_or_none(self) -> Any:
        return self._scalar

    def scalar_one(self) -> Any:
        return self._scalar

    def first(self) -> Any:
        return (self._scalar,)


class _Recorder:
    """A unit of work that compiles what it is asked to execute, answering each statement
    with ``rowcount`` rows changed and ``scalar`` as the value read."""

    dialect = "sqlite"

    def __init__(self, sentinels: Mapping[str, Any], rowcount: int, scalar: Any) -> None:
        self.compiled: list[Statement] = []
        self._sentinels, self._rowcount, self._scalar = sentinels, rowcount, scalar

    def execute(self, statement: ClauseElement, params: Mapping[str, Any] | None = None) -> Any:
        compiled: Any = statement.compile(dialect=_DIALECT, column_keys=list(params or {}))
        values = compiled.construct_params(dict(params or {}))
        binds = compiled.binds
        parameters: list[tuple[str, Any, str]] = []
        for name in compiled.positiontup or ():
            value, conversion = values[name], _conversion(binds[name].type)
            argument = _argument(value, self._sentinels)
            if argument is None:
                parameters.append(("const", value, conversion))
            else:
                parameters.append(("arg", argument, conversion))
        columns = tuple(
            (column[0], _conversion(column[3]))
            for column in getattr(compiled, "_result_columns", ())
        )
        self.compiled.append(Statement(compiled.string, tuple(parameters), columns))
        return _Result(self._rowcount, self._scalar)


def _argument(value: Any, sentinels: Mapping[str, Any]) -> str | None:
    """The name of the argument whose sentinel ``value`` is (by type and value)."""
    for name, sentinel in sentinels.items():
        if value is not None and type(value) is type(sentinel) and value == sentinel:
            return name
    return None


def _source() -> Source:
    fields = ("source_id", "user_id", "name", "estimate_count", "created_at")
    given = {name: _SENTINELS[name] for name in fields}
    return Source(
        **given,
        status=SourceStatus.GENERATING,
        attempt=_SENTINELS["attempt"],
        lease_expires_at=_LEASE,
    )


def _recorded(
    run: Callable[[Any], object], *, status: Any = None, rowcount: int = 1
) -> list[Statement]:
    """The statements ``run`` executes on a recorder; ``status``: the sentinel of a status
    given as an argument (none: every status is the repository's constant)."""
    sentinels = {**_SENTINELS, "status": status} if status is not None else _SENTINELS
    recorder = _Recorder(sentinels, rowcount, _SENTINELS["source_key"])
    run(recorder)
    return recorder.compiled


def _add_source(uow: Any) -> None:
    SqlSources(uow).add(_source())


class _Buckets:
    """What ``SqlBuckets.save`` reads of a bucket set, its document a sentinel (the whole
    JSON body is one parameter)."""

    source_id = _SENTINELS["source_id"]
    estimate_count = _SENTINELS["estimate_count"]
    created_at = _CREATED

    def model_dump(self, *, mode: str) -> Any:
        return _SENTINELS["body"]


def _save_buckets(uow: Any) -> None:
    SqlBuckets(uow).save(cast(Any, _Buckets()))


def compile_statements() -> dict[str, Statement]:
    """Each statement the direct store runs, by the name ``statements.py`` gives it."""
    sid, uid, count = _SENTINELS["source_id"], _SENTINELS["user_id"], _SENTINELS["estimate_count"]
    uploaded = SourceStatus.UPLOADED
    key, last = _recorded(lambda uow: SqlEstimates(uow)._next(sid))
    (add,) = _recorded(_add_source, status=SourceStatus.GENERATING)
    set_status = _recorded(
        lambda uow: SqlSources(uow).set_status(sid, uploaded, count), status=uploaded.value
    )
    set_status_only = _recorded(
        lambda uow: SqlSources(uow).set_status(sid, uploaded), status=uploaded.value
    )
    (get,) = _recorded(lambda uow: SqlSources(uow).get(sid, uid))
    mark, exists = _recorded(
        lambda uow: SqlSources(uow).mark_bucketed(sid, count, _NOW), rowcount=0
    )
    (save,) = _recorded(_save_buckets)
    return {
        "SOURCE_ADD": add,
        "SOURCE_GET": get,
        "SOURCE_SET_STATUS": set_status_only[0],
        "SOURCE_SET_STATUS_AND_COUNT": set_status[0],
        "SOURCE_MARK_BUCKETED": mark,
        "SOURCE_EXISTS": exists,
        "SOURCE_KEY": key,
        "ESTIMATES_LAST_SEQ": last,
        "BUCKETS_SAVE": save,
    }


def render_module(statements: Mapping[str, Statement], script: str) -> str:
    """``statements.py``'s text."""
    lines = [
        '"""The direct store\'s statements, as SQLAlchemy compiles them for SQLite. Generated by',
        f"``{script}``: do not edit (a test compares it with a fresh compile).",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from .statement import Statement",
        "",
        f"__all__ = {sorted(statements)!r}",
        "",
    ]
    for name, statement in statements.items():
        lines += [
            f"{name} = Statement(",
            f"    sql=({_pieces(statement.sql)}),",
            f"    parameters={statement.parameters!r},",
            f"    columns={statement.columns!r},",
            ")",
            "",
        ]
    return "\n".join(lines)


def _pieces(sql: str, width: int = 72) -> str:
    """The SQL as adjacent string literals of about ``width`` characters (split after a
    space), so the generated module keeps to the line length."""
    pieces, piece = [], ""
    for word in re.split(r"(?<= )", sql):
        if piece and len(piece) + len(word) > width:
            pieces.append(piece)
            piece = ""
        piece += word
    return " ".join(repr(text) for text in [*pieces, piece])
