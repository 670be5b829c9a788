"""ISO weeks and decision latency: the one spelling of a week, spans, and days to decide."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..models import as_utc

__all__ = ["iso_week_label", "latency_days", "week_label", "weeks_between", "weeks_spanned"]

_ONE_DAY = timedelta(days=1)


def week_label(iso_year: int, iso_week: int) -> str:
    """The one spelling of a week everywhere (reports, the model's input): ``2026-W07``."""
    return f"{iso_year:04d}-W{iso_week:02d}"


def iso_week_label(moment: datetime) -> str:
    year, week, _ = as_utc(moment).isocalendar()
    return week_label(year, week)


def latency_days(sent_at: datetime, decided_at: datetime | None) -> int | None:
    """Whole days from sending to decision, rounded down; ``None`` while pending."""
    if decided_at is None:
        return None
    return (as_utc(decided_at) - as_utc(sent_at)) // _ONE_DAY


def _week_monday(label: str) -> date:
    year, week = label.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def weeks_spanned(first: str, last: str) -> int:
    """How many ISO weeks ``first`` to ``last`` cover, inclusive, without listing them."""
    return (_week_monday(last) - _week_monday(first)).days // 7 + 1


def weeks_between(first: str, last: str) -> list[str]:
    """Every ISO week label from ``first`` to ``last`` inclusive.

    Counted first and stepped from the first Monday, so the last week of year 9999 never
    asks for a Monday past ``date.max``.
    """
    monday = _week_monday(first)
    labels = []
    for weeks in range(weeks_spanned(first, last)):
        year, week, _ = (monday + timedelta(weeks=weeks)).isocalendar()
        labels.append(week_label(year, week))
    return labels
