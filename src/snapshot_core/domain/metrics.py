"""Business metrics of a source (win rate, money, medians), as exact tallies and their reference.

A storage backend computes ``MetricTallies`` (SQL backends push it down); ``tally_metrics`` is
the plain-Python reference every backend must agree with exactly. Rates and roundings are
derived from the tallies by the functions here, so every backend shows the same figures.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, localcontext

from pydantic import Field

from .models import Amount, EstimateRow, FrozenModel, as_utc

__all__ = [
    "EXACT",
    "STALE_AFTER_DAYS",
    "BandOutcomes",
    "MetricTallies",
    "average",
    "median_of",
    "money",
    "rate_pct",
    "tally_metrics",
]

STALE_AFTER_DAYS = 30
# Sums and medians of amounts never round (an amount may carry 30+ digits, as PostgreSQL's
# numeric keeps them); only the shown figures are rounded, by ``money`` and ``rate_pct``.
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
_CENT, _TENTH = Decimal("0.01"), Decimal("0.1")


def money(value: Decimal) -> Decimal:
    """An amount rounded to cents, half up (the way an invoice rounds)."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def rate_pct(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """100 * part / whole to one decimal, half up; ``None`` when ``whole`` is zero."""
    if not whole:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(_TENTH, ROUND_HALF_UP)


def average(total: Decimal, count: int) -> Decimal | None:
    return money(total / count) if count else None


def median_of(values: Sequence[Decimal | int]) -> Decimal | None:
    """``statistics.median`` (the mean of the middle two for an even count); ``None`` if empty."""
    if not values:
        return None
    return Decimal(statistics.median([Decimal(v) for v in values]))


class BandOutcomes(FrozenModel):
    """One week's or one price band's money and decided counts."""

    amount_total: Amount = Field(default=Decimal(0), description="sum of amounts")
    won: int = Field(default=0, ge=0, description="estimates marked won")
    lost: int = Field(default=0, ge=0, description="estimates marked lost")


class MetricTallies(FrozenModel):
    """Exact sums and counts a backend computes from a source's estimates; unrounded."""

    won: int = Field(default=0, ge=0, description="estimates whose outcome is won")
    lost: int = Field(default=0, ge=0, description="estimates whose outcome is lost")
    pending: int = Field(default=0, ge=0, description="estimates whose outcome is pending")
    won_amount: Amount = Field(default=Decimal(0), description="sum of won amounts")
    lost_amount: Amount = Field(default=Decimal(0), description="sum of lost amounts")
    open_amount: Amount = Field(default=Decimal(0), description="sum of pending amounts")
    total_amount: Amount = Field(default=Decimal(0), description="sum of every amount")
    median_amount: Amount | None = Field(default=None, description="median of every amount")
    median_latency_days: Decimal | None = Field(
        default=None, description="median whole days to decision, over estimates with a date"
    )
    stale_pending: int = Field(
        default=0,
        ge=0,
        description=f"pending estimates sent over {STALE_AFTER_DAYS} days before the latest one",
    )
    stale_amount: Amount = Field(default=Decimal(0), description="sum of their amounts")
    weeks: Mapping[str, BandOutcomes] = Field(default_factory=dict, description="by ISO week")
    price_bands: Mapping[str, BandOutcomes] = Field(
        default_factory=dict, description="by price band label"
    )

    @property
    def has_outcomes(self) -> bool:
        """Whether any estimate carries an outcome (older sources carry none)."""
        return self.won + self.lost + self.pending > 0


def _add(into: dict[str, BandOutcomes], key: str, row: EstimateRow) -> None:
    seen = into.get(key) or BandOutcomes()
    into[key] = BandOutcomes(
        amount_total=seen.amount_total + row.amount,
        won=seen.won + (row.outcome == "won"),
        lost=seen.lost + (row.outcome == "lost"),
    )


def tally_metrics(
    rows: Iterable[EstimateRow],
    week_of: Callable[[EstimateRow], str],
    band_of: Callable[[EstimateRow], str],
) -> MetricTallies:
    """The reference computation, in plain Python; ``week_of``/``band_of`` label a row as the
    bucketing tally does (``tally_estimates`` passes its own rules)."""
    with localcontext(EXACT):
        return _tally_metrics(list(rows), week_of, band_of)


def _tally_metrics(
    listed: list[EstimateRow],
    week_of: Callable[[EstimateRow], str],
    band_of: Callable[[EstimateRow], str],
) -> MetricTallies:
    weeks: dict[str, BandOutcomes] = {}
    bands: dict[str, BandOutcomes] = {}
    sums = {"won": Decimal(0), "lost": Decimal(0), "pending": Decimal(0)}
    counts = {"won": 0, "lost": 0, "pending": 0}
    for row in listed:
        if row.outcome is not None:
            counts[row.outcome] += 1
            sums[row.outcome] += row.amount
        _add(weeks, week_of(row), row)
        _add(bands, band_of(row), row)
    days = [
        (as_utc(r.decided_at) - as_utc(r.sent_at)) // timedelta(days=1)
        for r in listed
        if r.decided_at is not None
    ]
    stale_rows: list[EstimateRow] = []
    if listed:
        latest: datetime = max(as_utc(r.sent_at) for r in listed)
        cutoff = latest - timedelta(days=STALE_AFTER_DAYS)
        stale_rows = [r for r in listed if r.outcome == "pending" and as_utc(r.sent_at) < cutoff]
    return MetricTallies(
        won=counts["won"],
        lost=counts["lost"],
        pending=counts["pending"],
        won_amount=sums["won"],
        lost_amount=sums["lost"],
        open_amount=sums["pending"],
        total_amount=sum((r.amount for r in listed), Decimal(0)),
        median_amount=median_of([r.amount for r in listed]),
        median_latency_days=median_of(days),
        stale_pending=len(stale_rows),
        stale_amount=sum((r.amount for r in stale_rows), Decimal(0)),
        weeks=weeks,
        price_bands=bands,
    )
