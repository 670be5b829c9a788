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

from snapshot_core.domain import BandScheme, Source, SourceStatus

from ..estimates import SqlEstimates
from ..median_positions import Piece
from ..metric_medians import at_query
from ..records import SqlBuckets
from ..sources import SqlSources
from ..stale_pipeline import scan_query
from ..tally import tally_query
from ..types import ExactDecimal, JsonDocument, UtcDateTime, UtcMicroseconds
from .statement import Statement
from .tally_names import CELLS, MAX_PIVOTS, at_name, at_shapes, scan_name

__all__ = ["compile_statements", "compile_tally_statements", "render_module"]

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
# The tally's arguments (ints distinct from every constant its statements bind).
_TALLY_SENTINELS: dict[str, Any] = {
    "source_key": _SENTINELS["source_key"],
    "stale_before": datetime(2004, 5, 6, 7, 8, 9, 10, tzinfo=UTC),
    "start": 444_444_441,
    "end": 444_444_442,
    "offset": 333_333_331,
    "limit": 333_333_332,
    **{f"pivot_{i}": 222_222_220 + i for i in range(MAX_PIVOTS)},
}


def _conversion(type_: Any) -> str:
    """The name of the conversion a bound value of this column type goes through."""
    if isinstance(type_, UtcDateTime):
        return "utc_text"
    if isinstance(type_, JsonDocument):
        return "json"
    if isinstance(type_, UtcMicroseconds):
        return "utc_micros"
    if isinstance(type_, ExactDecimal):
        return "exact_decimal"
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
        **compile_tally_statements(),
    }


def compile_tally_statements() -> dict[str, Statement]:
    """The tally's statements for the default band scheme, one for each shape a step takes
    (``tally_names``): the cells, the plain scan with 0 to MAX_PIVOTS pivots, and the read of
    each piece of a band holding the median (every amount exact)."""
    scheme, given = BandScheme(), _TALLY_SENTINELS
    key, before = given["source_key"], given["stale_before"]
    recorder = _Recorder(given, 0, None)
    named = {CELLS: tally_query(key, scheme)}
    for count in range(MAX_PIVOTS + 1):
        pivots = [given[f"pivot_{i}"] for i in range(count)]
        named[scan_name(count)] = scan_query(key, before, pivots)
    rows, offset, limit = 4_000_000_000, given["offset"], given["limit"]
    for index, start, end in at_shapes(len(scheme.price_edges) + 1):
        for first in (offset, rows - offset - limit):  # read from the start, from the end
            piece = Piece(
                index,
                given["start"] if start else None,
                given["end"] if end else None,
                rows,
                [first, first + limit - 1],
            )
            named[at_name(piece)] = at_query(key, scheme, piece, exact=True)
    compiled = {}
    for name, query in named.items():
        recorder.execute(query)
        compiled[name] = recorder.compiled[-1]
    return compiled


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
