"""An independent, deliberately plain re-statement of DESIGN.md's bucketing rules, for oracles."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from decimal import Decimal

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


# --- metrics, restated plainly (docs/metrics.md) ------------------------------------------


def half_up(value, places: int):  # type: ignore[no-untyped-def]
    """Round a Fraction or Decimal half up to ``places`` decimals, via exact fractions."""
    from fractions import Fraction

    scaled = Fraction(value) * 10**places
    whole = int(scaled + Fraction(1, 2)) if scaled >= 0 else -int(-scaled + Fraction(1, 2))
    return Decimal(whole).scaleb(-places)


def pct(part, whole):  # type: ignore[no-untyped-def]
    from fractions import Fraction

    return None if not whole else half_up(Fraction(100) * Fraction(part) / Fraction(whole), 1)


def reference_metrics(rows: list[EstimateRow]) -> dict[str, object]:
    """The snapshot's metric fields of these rows, computed the obvious way."""
    import statistics
    from fractions import Fraction

    n = len(rows)
    won = [r for r in rows if r.outcome == "won"]
    lost = [r for r in rows if r.outcome == "lost"]
    pending = [r for r in rows if r.outcome == "pending"]
    known = bool(won or lost or pending)

    def total(group: list[EstimateRow]) -> Decimal:
        return sum((Fraction(r.amount) for r in group), Fraction(0))  # type: ignore[return-value]

    outcomes: dict[str, object] = dict.fromkeys(
        ["won", "lost", "pending", "win_rate_pct", "close_rate_pct", "won_amount",
         "lost_amount", "open_amount", "dollar_win_rate_pct", "stale_pending", "stale_amount"]
    )  # fmt: skip
    if known:
        latest = max(r.sent_at for r in rows)
        stale = [r for r in pending if (latest - r.sent_at) > timedelta(days=30)]
        outcomes = {
            "won": len(won),
            "lost": len(lost),
            "pending": len(pending),
            "win_rate_pct": pct(len(won), len(won) + len(lost)),
            "close_rate_pct": pct(len(won) + len(lost), n),
            "won_amount": half_up(total(won), 2),
            "lost_amount": half_up(total(lost), 2),
            "open_amount": half_up(total(pending), 2),
            "dollar_win_rate_pct": (
                pct(total(won), total(won) + total(lost)) if won or lost else None
            ),
            "stale_pending": len(stale),
            "stale_amount": half_up(total(stale), 2),
        }
    if outcomes["dollar_win_rate_pct"] is None and known and (won or lost):
        outcomes["dollar_win_rate_pct"] = None  # both sums zero: undefined
    days = [
        int((r.decided_at - r.sent_at).total_seconds() // 86400)
        for r in rows
        if r.decided_at is not None
    ]
    money = {
        "total_amount": half_up(total(rows), 2),
        "average_amount": half_up(total(rows) / n, 2) if n else None,
        "median_amount": (
            half_up(statistics.median([Fraction(r.amount) for r in rows]), 2) if n else None
        ),
    }
    bands = {}
    for band in PRICE:
        members = [r for r in rows if price_band(r.amount) == band]
        w = sum(r.outcome == "won" for r in members)
        lo = sum(r.outcome == "lost" for r in members)
        bands[band] = {
            "amount_total": half_up(total(members), 2),
            "win_rate_pct": pct(w, w + lo) if known else None,
        }
    weeks: dict[str, tuple[object, object]] = {}
    for r in rows:
        w_, l_ = weeks.get(week(r), (0, 0))
        weeks[week(r)] = (w_ + (r.outcome == "won"), l_ + (r.outcome == "lost"))  # type: ignore[operator]
    return {
        "outcomes": outcomes,
        "money": money,
        "median_days": statistics.median(days) if days else None,
        "bands": bands,
        "weeks": {k: v if known else (None, None) for k, v in weeks.items()},
    }
