"""Dates as exports write them: ISO 8601 (the default), `01/05/2026` in the file's own day
order, a ``--date-format`` pattern, Excel serial numbers; naive times read in ``--timezone``.

Day order is never guessed. `13/05/2026` can only be day-first and `05/13/2026` only
month-first; `01/05/2026` could be either, so it waits (``UndecidedDayOrder``, held by the
row checker) until a row of the file settles the order, and if none does the file is
refused naming ``--date-format``. A row contradicting the settled order is a bad row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from snapshot_core.domain import RowProblem

from .amounts import Undecided
from .errors import UnreadableFileError
from .values import ISO_TIMESTAMP, ValueProblem, iso_timestamp_parser, shown

__all__ = [
    "AmbiguousDatesError",
    "DayOrder",
    "UndecidedDayOrder",
    "excel_serial_date",
    "localised",
    "time_zone",
    "timestamp_reader",
]

DayOrder = Literal["dmy", "mdy"]
_LOCAL = re.compile(
    r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})"
    r"(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?(?: ?([AaPp])\.?[Mm]\.?)?)?"
)
_SERIAL = re.compile(r"[0-9]{5}(?:\.[0-9]+)?")
# Serials from 1954 to 2119: a five-digit number in a date column has no other reading.
_SERIAL_RANGE = (20_000, 80_000)
_EXCEL_EPOCH = datetime(1899, 12, 30)  # the 1900 date system, right from 1900-03-01 on
_CACHE_SIZE = 4096
_PATTERN = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}


class UndecidedDayOrder(Undecided):
    """A date whose day order the file has not shown; if it never does, the whole file is
    refused (every date could be read two ways)."""

    whole_file = True


class AmbiguousDatesError(UnreadableFileError):
    """Every local date in the file reads two ways (day-first and month-first)."""

    meaning = (
        "No date in the file settles whether it is day-first or month-first; nothing was stored."
    )
    solution = "Give the date format: --date-format %d/%m/%Y (day first) or %m/%d/%Y (month first)."

    @classmethod
    def at(cls, line: int, column: str, problem: str) -> AmbiguousDatesError:
        return cls(
            "Every date in the file could be day-first or month-first: give --date-format",
            RowProblem(line, column, problem),
        )


def time_zone(name: str | None) -> tzinfo:
    """The IANA zone naive times are read in (``None``: UTC); an unknown name: ValueError."""
    if name is None or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: give an IANA name such as Europe/Berlin"
        ) from None


def localised(naive: datetime, zone: tzinfo, text: str) -> datetime:
    """A naive wall time in ``zone`` as a UTC moment."""
    if zone is UTC:
        return naive.replace(tzinfo=UTC)
    moment = naive.replace(tzinfo=zone).astimezone(UTC)
    # A wall time skipped when clocks go forward exists nowhere: a bad row, not a guess.
    if moment.astimezone(zone).replace(tzinfo=None) != naive:
        raise ValueProblem(f"{shown(text)} does not exist in {zone} (the clocks skipped it)")
    return moment


def excel_serial_date(serial: float, zone: tzinfo = UTC, text: str = "") -> datetime:
    """A spreadsheet's serial day number (1900 date system) as a UTC moment."""
    try:  # to the millisecond: a cell's binary fraction of a day is not exact
        naive = _EXCEL_EPOCH + timedelta(milliseconds=round(serial * 86_400_000))
    except (OverflowError, ValueError):
        raise ValueProblem(f"not a date: {shown(text or str(serial))}") from None
    return localised(naive, zone, text or str(serial))


class _LocalDates:
    """`DD/MM/YYYY` or `MM/DD/YYYY` (separator `/`, `.` or `-`, optional time, AM/PM), the
    order settled by the file (``order``, ``decided_by``), and five-digit Excel serials."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.order: DayOrder | None = None
        self.decided_by = ""

    def __call__(self, text: str, iso_problem: ValueProblem) -> datetime:
        match = _LOCAL.fullmatch(text)
        if match is None:
            if _SERIAL.fullmatch(text) and _SERIAL_RANGE[0] <= float(text) < _SERIAL_RANGE[1]:
                return excel_serial_date(float(text), self.zone, text)
            raise ValueProblem(f"{iso_problem} (or give --date-format)") from None
        first, _, second, year, hour, minute, second_, meridiem = match.groups()
        a, b = int(first), int(second)
        order: DayOrder | None = "dmy" if a > 12 else "mdy" if b > 12 else None
        settled = self.order
        if order is None and a != b:
            if settled is None:
                raise UndecidedDayOrder(
                    f"{shown(text)} could be day-first or month-first and no other date "
                    f"settles which: give --date-format {_PATTERN['dmy']} or {_PATTERN['mdy']}"
                )
            order = settled
        elif order is not None and settled is not None and order != settled:
            first_word = "day" if order == "dmy" else "month"
            raise ValueProblem(
                f"{shown(text)} is {first_word}-first, but the file's other dates (such as "
                f"{shown(self.decided_by)}) are not: fix it or give --date-format"
            )
        day, month = (a, b) if order == "dmy" else (b, a)
        hours = int(hour or 0)
        if meridiem is not None:
            if not 1 <= hours <= 12:
                raise ValueProblem(f"not a valid time: {shown(text)}")
            hours = hours % 12 + (12 if meridiem in "Pp" else 0)
        try:
            naive = datetime(int(year), month, day, hours, int(minute or 0), int(second_ or 0))
        except ValueError as error:
            raise ValueProblem(f"not a valid date: {shown(text)} ({error})") from None
        moment = localised(naive, self.zone, text)
        if order is not None and settled is None:  # a valid date that can be read one way only
            self.order, self.decided_by = order, text
        return moment


def timestamp_reader(
    date_format: str | None = None, timezone: str | None = None
) -> Callable[[str], datetime]:
    """text -> UTC datetime. The default is strict ISO 8601 (``parse_timestamp``), falling
    back to local day-ordered dates and serials only for values ISO cannot read
    (``iso_timestamp_parser``); with
    ``date_format`` (strftime, e.g. ``%d.%m.%Y %H:%M``) every value must match it."""
    zone = time_zone(timezone)
    if date_format is not None:
        return _pattern_reader(date_format, zone)
    local = _LocalDates(zone)
    if zone is UTC:
        return iso_timestamp_parser(local)
    fromisoformat = datetime.fromisoformat

    def read_in_zone(text: str) -> datetime:
        if ISO_TIMESTAMP.fullmatch(text) is None:
            return local(text, ValueProblem(f"not an ISO 8601 date or date-time: {shown(text)}"))
        try:
            moment = fromisoformat(text)
        except ValueError as error:
            raise ValueProblem(f"not a valid date: {shown(text)} ({error})") from None
        if moment.tzinfo is None:
            return localised(moment, zone, text)
        return moment.astimezone(UTC)

    return read_in_zone


def _pattern_reader(date_format: str, zone: tzinfo) -> Callable[[str], datetime]:
    try:
        datetime.strptime(datetime(2026, 1, 5).strftime(date_format), date_format)
    except ValueError:
        raise ValueError(f"--date-format {date_format!r} is not a strftime pattern") from None
    cache: dict[str, datetime] = {}
    strptime = datetime.strptime

    def read(text: str) -> datetime:
        moment = cache.get(text)
        if moment is not None:
            return moment
        try:
            parsed = strptime(text, date_format)
        except ValueError:
            raise ValueProblem(
                f"does not match --date-format {date_format!r}: {shown(text)}"
            ) from None
        try:
            moment = (
                parsed.astimezone(UTC) if parsed.tzinfo is not None
                else localised(parsed, zone, text)
            )  # fmt: skip
        except OverflowError:
            raise ValueProblem(f"not a valid date: {shown(text)}") from None
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        cache[text] = moment
        return moment

    return read
