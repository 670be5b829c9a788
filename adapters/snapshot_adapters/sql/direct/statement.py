"""A compiled statement of the direct store: its SQL, and how each positional parameter and
each result column is made from and into Python values as SQLAlchemy's column types would."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from ..encodings import decimal_from_key, epoch_micros, from_epoch_micros, sqlite_datetime

__all__ = ["Statement"]


def _aware(value: datetime) -> datetime:
    """What both UTC column types require of a parameter."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value


def _utc_text(value: datetime | None) -> str | None:
    """``UtcDateTime`` then SQLite's DATETIME, as a parameter: naive-UTC text."""
    return None if value is None else sqlite_datetime(_aware(value))


def _utc_moment(value: str | None) -> datetime | None:
    """``UtcDateTime`` as a result: the stored text, an aware UTC moment."""
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _utc_micros(value: datetime | None) -> int | None:
    """``UtcMicroseconds`` on SQLite as a parameter: microseconds since the epoch."""
    return None if value is None else epoch_micros(_aware(value))


def _utc_from_micros(value: int | None) -> datetime | None:
    """``UtcMicroseconds`` on SQLite as a result: an aware UTC moment."""
    return None if value is None else from_epoch_micros(value)


def _exact_decimal(value: str | None) -> Any:
    """``ExactDecimal`` on SQLite as a result: the decimal its stored key encodes."""
    return None if value is None else decimal_from_key(value)


def _json(value: Any) -> str:
    """``JsonDocument`` on SQLite as a parameter: SQLAlchemy's JSON, ``json.dumps``."""
    return json.dumps(value)


def _same(value: Any) -> Any:
    return value


_TO_PARAMETER: dict[str, Callable[[Any], Any]] = {
    "utc_text": _utc_text,
    "utc_micros": _utc_micros,
    "json": _json,
    "": _same,
}
_FROM_COLUMN: dict[str, Callable[[Any], Any]] = {
    "utc_text": _utc_moment,
    "utc_micros": _utc_from_micros,
    "exact_decimal": _exact_decimal,
    "": _same,
}


class Statement(NamedTuple):
    """``parameters``: one ``(kind, value, conversion)`` each, in order: ``("arg", name,
    conversion)`` takes the argument of that name, ``("const", value, conversion)`` is a value the
    repository itself binds. ``columns``: each result column's name and conversion."""

    sql: str
    parameters: tuple[tuple[str, Any, str], ...]
    columns: tuple[tuple[str, str], ...] = ()

    def bind(self, arguments: Mapping[str, Any]) -> tuple[Any, ...]:
        """The positional parameters for these arguments."""
        return tuple(
            _TO_PARAMETER[conversion](arguments[value] if kind == "arg" else value)
            for kind, value, conversion in self.parameters
        )

    def values(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """A result row, each value as the column's type reads it."""
        if all(not conversion for _, conversion in self.columns):
            return values
        return tuple(
            _FROM_COLUMN[conversion](value)
            for (_, conversion), value in zip(self.columns, values, strict=True)
        )

    def row(self, values: tuple[Any, ...]) -> dict[str, Any]:
        """A result row by column name, each value as the column's type reads it."""
        return {
            name: _FROM_COLUMN[conversion](value)
            for (name, conversion), value in zip(self.columns, values, strict=True)
        }
