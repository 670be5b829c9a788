"""build_agent_input: the AgentInput of buckets as they may be shown and the selected insights."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ..insights.model import Insight
from ..models import EstimateBuckets
from .model import (
    AgentInput,
    AgentInputInsight,
    AgentInputMoney,
    AgentInputOutcomes,
    AgentInputWeeks,
)

__all__ = ["build_agent_input"]


def _share(count: int | None, total: int) -> int | None:
    if count is None or total == 0:
        return None
    return round(100 * count / total)


def _whole(value: Decimal | None) -> int | None:
    return None if value is None else int(value.quantize(Decimal(1), ROUND_HALF_UP))


def _three_figures(value: Decimal | None) -> int | None:
    """A median to three significant figures: for an odd count the median is one estimate's
    own amount, which must not reach the model (2,345.67 -> 2350)."""
    if value is None or value < 1000:
        return _whole(value)
    digits = len(str(int(value)))
    return int(value.scaleb(3 - digits).quantize(Decimal(1), ROUND_HALF_UP).scaleb(digits - 3))


def _pct(value: Decimal | None) -> int | float | None:
    """A rate as written: ``38.7``, and ``35`` rather than ``35.0``."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _insight(insight: Insight) -> AgentInputInsight:
    values: dict[str, float | int] = {
        name: float(v) if "." in str(v) else int(v) for name, v in insight.values.items()
    }
    return AgentInputInsight(
        dir=insight.direction, week=insight.week, band=insight.band, values=values
    )


def build_agent_input(
    buckets: EstimateBuckets,
    insights: tuple[Insight, ...] | list[Insight] = (),
    currency: str = "USD",
) -> AgentInput:
    """From buckets as they may be shown (``suppress_buckets``) and the selected insights.

    Amounts are sent in whole units, and never one that rests on a single estimate (nor one
    recoverable as a total minus the others): they come from the buckets suppressed with
    k >= 2 even when suppression is off.
    """
    from ..suppression import suppress_money  # suppression imports nothing from here

    n = buckets.estimate_count
    if buckets.min_cell_count >= 2:
        o, m, bands = buckets.outcomes, buckets.money, buckets.price_distribution
    else:  # only the money figures are suppressed with 2: the rest is not built
        o, m, bands = suppress_money(buckets, 2)
    amounts = {b.band: b.amount_total for b in bands}
    outcomes = AgentInputOutcomes(
        won=buckets.outcomes.won, lost=buckets.outcomes.lost, open=buckets.outcomes.pending,
        win_pct=_pct(buckets.outcomes.win_rate_pct),
        close_pct=_pct(buckets.outcomes.close_rate_pct),
        won_amt=_whole(o.won_amount), lost_amt=_whole(o.lost_amount),
        open_amt=_whole(o.open_amount),
        money_win_pct=_pct(buckets.outcomes.dollar_win_rate_pct),
    )  # fmt: skip
    money = AgentInputMoney(
        total_amt=_whole(m.total_amount),
        avg_amt=_whole(m.average_amount),
        median_amt=_three_figures(m.median_amount),
    )
    return AgentInput(
        estimate_count=n,
        confidence_level=buckets.confidence_level,
        currency=currency,
        suppressed_below=buckets.min_cell_count if buckets.min_cell_count > 1 else None,
        weekly_volume=AgentInputWeeks(
            first=buckets.weekly_volume[0].week if buckets.weekly_volume else "0001-W01",
            counts=tuple(w.count for w in buckets.weekly_volume),
        ),
        price_distribution={
            b.band: (b.count, _share(b.count, n), _whole(amounts[b.band]), _pct(b.win_rate_pct))
            for b in buckets.price_distribution
        },
        decision_latency={b.band: (b.count, _share(b.count, n)) for b in buckets.decision_latency},
        median_days=_pct(buckets.median_latency_days),
        outcomes=outcomes if outcomes != AgentInputOutcomes() else None,
        money=money if money != AgentInputMoney() else None,
        insights={insight.code: _insight(insight) for insight in insights},
    )
