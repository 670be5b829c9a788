"""The template narrative: a deterministic narrative written from an AgentInput's ranked
insights and headline figures, citing each number as written and naming its fact ids.

The fake model writes it, and ``SNAPSHOT_NARRATIVE_FALLBACK=template`` saves it when the model
call fails. It passes the typed grounding check by construction (a test checks that on
random inputs).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..narrative import Finding, SnapshotNarrative

if TYPE_CHECKING:
    from ..agent_input import AgentInput, AgentInputInsight

__all__ = ["currency_prefix", "template_narrative"]

MAX_FINDINGS = 4  # a short read, and every output token is paid for


def _num(value: float | int) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def currency_prefix(currency: str) -> str:
    """How amounts are written: ``$1,200`` for USD, ``CHF 1,200`` for a code without a sign."""
    return _SYMBOLS.get(currency, f"{currency} ")


def _money(value: float | int, symbol: str) -> str:
    return f"{symbol}{int(value):,}"


def _insight_text(code: str, i: AgentInputInsight, symbol: str) -> str | None:
    """The text of one insight; ``None`` for a code this template does not know."""
    v = i.values
    up = i.dir == "good"
    if code == "win_rate_4w":
        verb = "rose" if v["after_pct"] > v["before_pct"] else "fell"
        return (
            f"Win rate {verb} from {_num(v['before_pct'])}% to {_num(v['after_pct'])}% "
            f"in the last 4 complete weeks."
        )
    if code == "volume_4w":
        verb = "rose" if up else "fell"
        return (
            f"Estimates sent {verb} from {_num(v['before_n'])} to {_num(v['after_n'])} "
            f"({_num(abs(v['change_chg']))}%) in the last 4 complete weeks."
        )
    if code == "avg_amount_4w":
        verb = "rose" if up else "fell"
        return (
            f"The average estimate {verb} from {_money(v['before_amt'], symbol)} to "
            f"{_money(v['after_amt'], symbol)} ({_num(abs(v['change_chg']))}%) in the last "
            f"4 complete weeks."
        )
    if code == "volume_trend":
        way = "up" if up else "down"
        return (
            f"Weekly estimates are trending {way} by about {_num(abs(v['per_week_n']))} a week "
            f"over {_num(v['weeks_n'])} complete weeks."
        )
    if code == "unusual_week" and i.week:
        way = "busy" if up else "quiet"
        return (
            f"{i.week} was unusually {way}: {_num(v['count_n'])} estimates against a typical "
            f"{_num(v['typical_n'])}."
        )
    if code == "band_win_rate" and i.band:
        return (
            f"Estimates in the {i.band} band win {_num(v['band_win_pct'])}% of decisions, "
            f"against {_num(v['overall_win_pct'])}% overall."
        )
    if code == "stale_pipeline":
        return (
            f"{_num(v['n'])} estimates open over a month: {_money(v['amt'], symbol)}, "
            f"{_num(v['share_pct'])}% of open."
        )
    if code == "price_concentration" and i.band:
        return f"The {i.band} band holds {_num(v['money_share_pct'])}% of the money quoted."
    return None


def _largest(bands: dict[str, tuple[int | None, ...]]) -> tuple[str, tuple[int | None, ...]] | None:
    shown = [(band, cells) for band, cells in bands.items() if cells[0]]
    return max(shown, key=lambda item: item[1][0] or 0) if shown else None


def _base_findings(ai: AgentInput, symbol: str) -> Iterable[Finding]:
    o = ai.outcomes
    if o is not None and o.win_pct is not None and o.won is not None and o.lost is not None:
        money = f" ({_money(o.won_amt, symbol)})" if o.won_amt is not None else ""
        yield Finding(
            text=f"Won {o.won}{money}, lost {o.lost}: {_num(o.win_pct)}% win rate.",
            facts=("outcomes",),
        )
    weeks = [(count, week) for week, count in ai.weekly_volume.labelled().items() if count]
    if weeks:
        count, week = max(weeks)
        yield Finding(
            text=f"Peak week: {week}, {count} estimates.",
            facts=(week,),
        )
    price = _largest(ai.price_distribution)  # type: ignore[arg-type]
    if price is not None:
        band, (_, share, *_rest) = price
        yield Finding(
            text=f"Most estimates ({share}%) are in the {band} band.",
            facts=(band,),
        )
    latency = _largest(ai.decision_latency)  # type: ignore[arg-type]
    if latency is not None:
        band, (latency_count, share) = latency
        yield Finding(
            text=f"Most decisions take {band} ({latency_count} estimates, {share}%).",
            facts=(band,),
        )


def _headline(ai: AgentInput, symbol: str) -> str:
    """What a contractor asks first: am I winning, and what is still open?"""
    o = ai.outcomes
    if o is not None and o.win_pct is not None:
        still_open = f"; {_money(o.open_amt, symbol)} still open" if o.open_amt is not None else ""
        return f"{_num(o.win_pct)}% win rate{still_open}."
    return f"{ai.estimate_count} estimates analysed ({ai.confidence_level} confidence)."


def template_narrative(agent_input: AgentInput) -> SnapshotNarrative:
    """The same input always gives the same narrative, grounded in that input."""
    currency_symbol = currency_prefix(agent_input.currency)
    findings: list[Finding] = []
    for code, insight in agent_input.insights.items():
        written = _insight_text(code, insight, currency_symbol)
        if written is not None:
            findings.append(Finding(text=written, facts=(code,)))
    findings += list(_base_findings(agent_input, currency_symbol))
    if not findings:
        findings.append(Finding(text="Every count is too small to show."))
    headline = _headline(agent_input, currency_symbol)
    narrative = SnapshotNarrative(headline=headline, findings=tuple(findings[:MAX_FINDINGS]))
    return narrative.filed(agent_input.topic_of)  # as a model's reply is filed
