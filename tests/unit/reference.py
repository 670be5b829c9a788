"""An independent, deliberately plain re-statement of DESIGN.md's bucketing rules, for oracles."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from snapshot_core.domain import EstimateRow

PRICE = ["<500", "500-1k", "1k-2.5k", "2.5k-5k", "5k-10k", "10k+"]
LATENCY = ["0-2d", "3-7d", "8-14d", "15-30d", "31d+", "pending"]


def price_band(amount) -> str:  # type: ignore[no-untyped-def]
    if amount < 500:
        return "<500"
    if amount < 1000:
        return "500-1k"
    if amount < 2500:
        return "1k-2.5k"
    if amount < 5000:
        return "2.5k-5k"
    if amount < 10000:
        return "5k-10k"
    return "10k+"


def latency_band(row: EstimateRow) -> str:
    if row.decided_at is None:
        return "pending"
    days = int((row.decided_at - row.sent_at).total_seconds() // 86400)
    for upper, band in ((2, "0-2d"), (7, "3-7d"), (14, "8-14d"), (30, "15-30d")):
        if days <= upper:
            return band
    return "31d+"


def week(row: EstimateRow) -> str:
    return row.sent_at.astimezone(UTC).strftime("%G-W%V")


def reference_buckets(rows: list[EstimateRow]) -> dict[str, list[tuple[str, int]]]:
    weeks: dict[str, int] = {}
    for row in rows:
        weeks[week(row)] = weeks.get(week(row), 0) + 1
    filled: list[tuple[str, int]] = []
    if weeks:
        first, last = min(weeks), max(weeks)
        day = date.fromisocalendar(int(first[:4]), int(first[6:]), 1)
        while True:
            label = day.strftime("%G-W%V")
            filled.append((label, weeks.get(label, 0)))
            if label == last:
                break
            day += timedelta(days=7)
    return {
        "weekly_volume": filled,
        "price_distribution": [(b, sum(price_band(r.amount) == b for r in rows)) for b in PRICE],
        "decision_latency": [(b, sum(latency_band(r) == b for r in rows)) for b in LATENCY],
    }
