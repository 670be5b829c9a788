"""How the report writes a number: counts, money, rates, days and week dates, from typed values.

``None`` is written as what it means: a small cell hidden by suppression (``<k``) for a count,
or unknown/hidden (``–``) for an amount or rate. Nothing here is markup; the page escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from snapshot_core.domain.insights.template import currency_prefix

__all__ = ["DASH", "Figures", "day_label"]

DASH = "–"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_label(day: date, previous: date | None = None) -> str:
    """``12 Jan``; with the year when it is the first label or the year changed."""
    short = f"{day.day} {_MONTHS[day.month - 1]}"
    return short if previous is not None and previous.year == day.year else f"{short} {day.year}"


@dataclass(frozen=True)
class Figures:
    """Writes the figures of one snapshot: its suppression threshold and display currency."""

    min_cell_count: int = 0
    currency: str = "USD"

    @property
    def hidden(self) -> str:
        return f"<{self.min_cell_count}" if self.min_cell_count > 1 else DASH

    def count(self, value: int | None) -> str:
        return self.hidden if value is None else f"{value:,}"

    def money(self, value: Decimal | None, cents: bool = False) -> str:
        if value is None:
            return DASH
        places = Decimal("0.01") if cents else Decimal(1)
        amount = value.quantize(places, ROUND_HALF_UP)
        return f"{currency_prefix(self.currency)}{amount:,}"

    def money_short(self, value: Decimal) -> str:
        """An axis label: ``$12k``, ``$1.5m``, ``$800``."""
        prefix = currency_prefix(self.currency)
        for size, suffix in ((Decimal(1_000_000), "m"), (Decimal(1000), "k")):
            if abs(value) >= size:
                return f"{prefix}{(value / size).normalize():f}{suffix}"
        return f"{prefix}{value.normalize():f}"

    def pct(self, value: Decimal | None) -> str:
        return DASH if value is None else f"{value:.1f}%"

    def days(self, value: Decimal | None) -> str:
        if value is None:
            return DASH
        return f"{value.normalize():f} day" + ("" if value == 1 else "s")
