"""Value encodings behind exact SQL bucketing: decimal keys, scaled amounts, UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal

from snapshot_core.domain.estimate_columns import EPOCH, MICROS_PER_DAY
from snapshot_core.domain.estimate_columns import micros_of as epoch_micros
from snapshot_core.domain.estimate_columns import moment_of as from_epoch_micros
from snapshot_core.domain.models import Outcome

__all__ = [
    "AMOUNT_SCALE",
    "EPOCH",
    "KEY_PREFIXES",
    "MICROS_PER_DAY",
    "ONE_MICROSECOND",
    "OUTCOME_CODES",
    "OUTCOME_OF_CODE",
    "SCALED_AMOUNT_CAP",
    "SQLITE_DATETIME_FORMAT",
    "WeekKeys",
    "amount_columns",
    "decimal_from_key",
    "decimal_key",
    "epoch_micros",
    "from_epoch_micros",
    "scaled_amount",
    "scaled_edge",
    "sqlite_datetime",
]

# What SQLAlchemy's SQLite DATETIME writes (the tables other than estimates).
SQLITE_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
_KEY_DIGITS = 4  # width of the integer-part length prefix: up to 9999 integer digits
# The prefixes of the common lengths (amount_columns), made once: formatting costs more.
KEY_PREFIXES = tuple(f"{n:0{_KEY_DIGITS}d}" for n in range(16))

AMOUNT_SCALE = 4
SCALED_AMOUNT_CAP = 2**62  # fits a signed 64-bit integer on both backends
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)  # scaling never rounds

ONE_MICROSECOND = timedelta(microseconds=1)
_EPOCH_ORDINAL = EPOCH.toordinal()

# An estimate's outcome as a small integer (estimates.outcome): NULL when not known. Two
# bytes a row instead of a text value, and a win rate is a plain count(outcome = 1).
OUTCOME_CODES: dict[Outcome | None, int | None] = {None: None, "won": 1, "lost": 2, "pending": 3}
OUTCOME_OF_CODE: dict[int | None, Outcome | None] = {v: k for k, v in OUTCOME_CODES.items()}


def scaled_amount(amount: Decimal) -> int:
    """floor(amount * 10**AMOUNT_SCALE), capped at SCALED_AMOUNT_CAP.

    For an edge e with at most AMOUNT_SCALE decimals, E = e * 10**AMOUNT_SCALE is an integer
    and ``amount < e  <=>  floor(amount * 10**AMOUNT_SCALE) < E`` exactly; the cap keeps that
    true for any E <= cap. So banding compares 64-bit integers instead of decimals.
    """
    adjusted = amount.adjusted()
    if adjusted < 14:  # amount < 1e14: scaled < 1e18, under the cap (the common case)
        return int(amount.scaleb(AMOUNT_SCALE, _EXACT))
    if adjusted >= 15:  # amount >= 1e15: scaled >= 1e19 > cap
        return SCALED_AMOUNT_CAP
    return min(int(amount.scaleb(AMOUNT_SCALE, _EXACT)), SCALED_AMOUNT_CAP)


def scaled_edge(edge: Decimal) -> int | None:
    """E = edge * 10**AMOUNT_SCALE when that is an integer within the cap, else ``None``."""
    scaled = Decimal(edge).scaleb(AMOUNT_SCALE, _EXACT)
    if scaled != scaled.to_integral_value() or scaled > SCALED_AMOUNT_CAP:
        return None
    return int(scaled)


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


def amount_columns(amount: Decimal) -> tuple[str, int]:
    """``(decimal_key(amount), scaled_amount(amount))``, both from one ``str()`` for a plain
    amount below 1e14 (then the scaled value, under 1e18, needs no cap)."""
    whole, _, fraction = str(amount).partition(".")
    if len(whole) < 15 and whole.isdigit() and (fraction.isdigit() or not fraction):
        # Truncating the fraction to AMOUNT_SCALE digits is the floor of a non-negative amount.
        scaled = int(whole + (fraction + "0" * AMOUNT_SCALE)[:AMOUNT_SCALE])  # also sqlite_bulk
        return KEY_PREFIXES[len(whole)] + whole + "." + fraction.rstrip("0"), scaled
    return decimal_key(amount), scaled_amount(amount)


def decimal_from_key(key: str) -> Decimal:
    return Decimal(key[_KEY_DIGITS:].rstrip("."))


def sqlite_datetime(value: datetime) -> str:
    """A UTC moment as SQLAlchemy's SQLite DATETIME writes it: naive-UTC text, always with
    microseconds, so text order is time order."""
    if value.tzinfo is UTC:  # the common case, and the fast one: drop the "+00:00"
        return value.isoformat(" ", "microseconds")[:26]
    utc = value.astimezone(UTC) if value.tzinfo is not None else value
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds")


class WeekKeys(dict[int, int]):
    """Day number (days since 1970-01-01) -> ISO year * 100 + ISO week, computed once per
    day: rows share days, and a dict hit is cheaper than ``isocalendar()`` and its tuple."""

    _LIMIT = 4096  # bounded, so memory stays flat whatever the span of dates

    def __missing__(self, day: int) -> int:
        if len(self) >= self._LIMIT:
            self.clear()
        year, week, _ = date.fromordinal(day + _EPOCH_ORDINAL).isocalendar()
        self[day] = key = year * 100 + week
        return key
