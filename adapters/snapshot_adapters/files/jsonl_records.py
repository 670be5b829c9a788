"""JSON Lines rows: one object per line, blank lines ignored, numbers read exactly."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from itertools import chain
from typing import Any

from snapshot_core.domain import EstimateRow, RowProblem, text_problem

from .columns import KNOWN, column_key, display_name
from .errors import UnreadableFileError
from .lines import TextSource
from .rows import RowChecker

__all__ = ["JsonlRecords"]

_MAX_LAYOUTS = 1024  # distinct key sets remembered; beyond that each row is mapped afresh
_MAX_IGNORED = 100  # names kept for the notice, so junk keys cannot grow memory

# For each known column, the key that holds it in an object (None when absent).
_Layout = tuple[str | None, ...]


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object, refused if a key repeats: json's default keeps the last value silently."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return obj


class JsonlRecords:
    """``read_header()`` finds the first object (JSON Lines has no header); then ``rows()``."""

    def __init__(self, source: TextSource, column_map: Mapping[str, str] | None = None) -> None:
        self._source = source
        # key (as column_key spells it) -> field, for keys column_map names
        self._mapped = {column_key(key): field for field, key in (column_map or {}).items()}
        self._lines = enumerate(source.lines, start=1)
        self._first: tuple[int, str] | None = None
        self._layouts: dict[tuple[str, ...], _Layout | RowProblem] = {}
        self._ignored: dict[str, None] = {}  # an ordered set

    @property
    def ignored(self) -> tuple[str, ...]:
        return tuple(self._ignored)

    def read_header(self) -> None:
        try:
            for line, text in self._lines:
                if text.strip():
                    self._first = line, text
                    return
        except UnicodeDecodeError as error:
            raise self._source.decode_error(error) from None
        raise UnreadableFileError("The file is empty (no JSON objects)")

    def _layout(self, keys: tuple[str, ...], line: int) -> _Layout | RowProblem:
        found: dict[str, str] = {}
        for key in keys:
            if text_problem(key) is not None:  # a key is shown in notices and problems
                return RowProblem(line, "row", f"a key {text_problem(key)}")
            name = self._mapped.get(column_key(key)) or column_key(key)
            if name not in KNOWN:
                if len(self._ignored) < _MAX_IGNORED:
                    self._ignored.setdefault(display_name(key), None)
            elif name in found:
                return RowProblem(line, name, f"given twice (as {found[name]!r} and {key!r})")
            else:
                found[name] = key
        return tuple(found.get(name) for name in KNOWN)

    def _values(self, line: int, text: str) -> tuple[Any, ...] | RowProblem:
        try:
            obj = json.loads(
                text,
                parse_float=Decimal,
                parse_constant=_no_constants,
                object_pairs_hook=_unique_keys,
            )
        except _RepeatedKey as repeated:
            name = column_key(repeated.key)
            column = name if name in KNOWN else "row"
            shown = display_name(repeated.key)
            return RowProblem(line, column, f"given twice (key {shown!r})")
        except json.JSONDecodeError as error:
            return RowProblem(line, "row", f"not valid JSON: {error.msg} (column {error.colno})")
        except (ValueError, RecursionError) as error:
            return RowProblem(line, "row", f"not valid JSON: {error}")
        if not isinstance(obj, dict):
            return RowProblem(line, "row", f"expected a JSON object, found {type(obj).__name__}")
        keys = tuple(obj)
        layout = self._layouts.get(keys)
        if layout is None:
            layout = self._layout(keys, line)
            if len(self._layouts) < _MAX_LAYOUTS:
                self._layouts[keys] = layout
        if isinstance(layout, RowProblem):
            return RowProblem(line, layout.column, layout.problem)
        values = []
        for key in layout:
            value = obj.get(key) if key is not None else None
            if isinstance(value, str):
                value = value.strip() or None
            values.append(value)
        return tuple(values)

    def rows(self, checker: RowChecker) -> Iterator[EstimateRow]:
        first, self._first = self._first, None
        check, bad = checker.check, checker.bad
        try:
            for line, text in chain([first] if first else [], self._lines):
                if not text.strip():
                    continue
                text = text.rstrip("\r\n")  # so a JSON error's column is on this line
                values = self._values(line, text)
                raw = [text]
                if isinstance(values, RowProblem):
                    bad(values, raw)
                    continue
                amount, sent, decided, ident, outcome = values
                row = check(line, amount, sent, decided, ident, raw, outcome)
                if row is not None:
                    yield row
        except UnicodeDecodeError as error:
            raise self._source.decode_error(error) from None
