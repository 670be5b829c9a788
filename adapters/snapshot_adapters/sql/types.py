"""Column types that keep timestamps in UTC and decimals exact on both SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "AMOUNT_SCALE",
    "SCALED_AMOUNT_CAP",
    "SQLITE_DATETIME_FORMAT",
    "ExactDecimal",
    "UtcDateTime",
    "decimal_from_key",
    "decimal_key",
    "scaled_amount",
    "scaled_edge",
    "sqlite_datetime",
]

# What SQLAlchemy's SQLite DATETIME writes; the bulk path writes the same text.
SQLITE_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
_KEY_DIGITS = 4  # width of the integer-part length prefix: up to 9999 integer digits


AMOUNT_SCALE = 4
SCALED_AMOUNT_CAP = 2**62  # fits a signed 64-bit integer on both backends
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)  # scaling never rounds


def scaled_amount(amount: Decimal) -> int:
    """floor(amount * 10**AMOUNT_SCALE), capped at SCALED_AMOUNT_CAP.

    For an edge e with at most AMOUNT_SCALE decimals, E = e * 10**AMOUNT_SCALE is an integer
    and ``amount < e  <=>  floor(amount * 10**AMOUNT_SCALE) < E`` exactly; the cap keeps that
    true for any E <= cap. So banding compares 64-bit integers instead of decimals.
    """
    if amount.adjusted() >= 15:  # amount >= 1e15: scaled >= 1e19 > cap
        return SCALED_AMOUNT_CAP
    return min(int(amount.scaleb(AMOUNT_SCALE, _EXACT)), SCALED_AMOUNT_CAP)


def scaled_edge(edge: Decimal) -> int | None:
    """E = edge * 10**AMOUNT_SCALE when that is an integer within the cap, else ``None``."""
    scaled = Decimal(edge).scaleb(AMOUNT_SCALE, _EXACT)
    if scaled != scaled.to_integral_value() or scaled > SCALED_AMOUNT_CAP:
        return None
    return int(scaled)


def sqlite_datetime(value: datetime) -> str:
    """A UTC moment as SQLite stores it here: naive-UTC text, always with microseconds, so
    text order is time order (the same text SQLAlchemy's SQLite DATETIME writes)."""
    if value.tzinfo is UTC:  # the common case, and the fast one: drop the "+00:00"
        return value.isoformat(" ", "microseconds")[:26]
    utc = value.astimezone(UTC) if value.tzinfo is not None else value
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out: ``timestamptz`` on PostgreSQL, naive-UTC text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = (
            # a raw SQLite value read without the DATETIME processor
            datetime.fromisoformat(value) if isinstance(value, str) else value
        )
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


def decimal_key(value: Decimal) -> str:
    """Encode a non-negative decimal as text whose byte order is numeric order (for SQLite).

    ``<integer digit count, 4 digits><integer digits>.<fraction without trailing zeros>``:
    more integer digits means larger; then digits compare left to right. Exact, unlike REAL,
    so an amount of exactly 999.99 or 1000 lands in the same band as in Python.
    """
    text = str(value)  # exact; plain digits unless the exponent is large or small
    if value.is_finite() and text[0] != "-" and "E" not in text:
        whole, _, fraction = text.partition(".")
        if len(whole) < 10**_KEY_DIGITS:
            return f"{len(whole):0{_KEY_DIGITS}d}{whole}.{fraction.rstrip('0')}"
    if not value.is_finite() or value < 0:
        raise ValueError(f"amount must be a finite decimal >= 0, got {value}")
    # copy_abs, not abs(): abs() rounds to the context's 28 digits; -0 becomes 0 either way.
    text = format(value.copy_abs(), "f")
    whole, _, fraction = text.partition(".")
    whole = whole.lstrip("0") or "0"
    if len(whole) >= 10**_KEY_DIGITS:
        raise ValueError("amount has too many integer digits to store")
    return f"{len(whole):0{_KEY_DIGITS}d}{whole}.{fraction.rstrip('0')}"


def decimal_from_key(key: str) -> Decimal:
    return Decimal(key[_KEY_DIGITS:].rstrip("."))


class ExactDecimal(TypeDecorator[Decimal]):
    """``numeric`` on PostgreSQL; an order-preserving exact text key on SQLite.

    Comparisons with literals go through the same encoding (``coerce_compared_value``
    keeps this type), so ``amount < 1000`` is exact on both backends.
    """

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return decimal_key(Decimal(value))
        return Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return decimal_from_key(value)
        return Decimal(value)
