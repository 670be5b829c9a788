"""The typed facts of an AgentInput: every number and label the narrative may cite, by fact id."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from ..facts import FactKind, GroundingNumber
from ..grounding import numbers_in
from ..insights.catalogue import CATALOGUE
from ..narrative import NarrativeTopic

if TYPE_CHECKING:
    from .model import AgentInput

__all__ = ["fact_topic", "input_facts"]

# An insight value's kind, by the suffix of its name.
_SUFFIX_KIND: dict[str, FactKind] = {
    "n": "count", "pct": "percent", "chg": "percent", "pts": "points", "amt": "money",
    "days": "days",
}  # fmt: skip
_PERIOD = re.compile(r".*_(\d+)w")  # "win_rate_4w": the number of complete weeks it covers


def _n(
    fact: str, origin: str, kind: FactKind, value: float | Decimal, *, change: bool = False
) -> GroundingNumber:
    """A number fact, stated with the decimals it is written with in the JSON."""
    if type(value) is int:  # most facts: exact as it is, no decimals (bool still goes by str)
        number, decimals = Decimal(value), 0
    else:
        number = Decimal(str(value))
        exponent = number.as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return GroundingNumber(
        fact=fact, origin=origin, kind=kind, value=number, decimals=decimals, change=change
    )


def _cells(
    fact: str, origin: str, cells: list[tuple[float | None, str, FactKind]]
) -> list[GroundingNumber]:
    """The shown (non-null) values of one list on the wire, each named for messages."""
    return [_n(fact, f"{origin}.{name}", kind, v) for v, name, kind in cells if v is not None]


# The facts of a label depend on the label alone, and labels recur in every AgentInput (the
# same bands, the same recent weeks): built once each. The facts are frozen, so sharing is safe.
@lru_cache(maxsize=4096)
def _band_edges(fact: str, label: str, kind: FactKind) -> tuple[GroundingNumber, ...]:
    facts = [GroundingNumber(fact=fact, origin=f"band {label}", kind="band", label=label)]
    facts += [_n(fact, f"band {label} edge", kind, edge) for edge in numbers_in(label)]
    return tuple(facts)


@lru_cache(maxsize=4096)
def _week_label_facts(week: str) -> tuple[GroundingNumber, ...]:
    year, number = week.split("-W")
    monday = date.fromisocalendar(int(year), int(number), 1).isoformat()
    return (
        GroundingNumber(fact=week, origin=f"weeks[{week}]", kind="week", label=week),
        GroundingNumber(fact=week, origin=f"weeks[{week}]", kind="date", label=monday),
        _n(week, f"weeks[{week}]", "year", int(year)),
    )


def _week_facts(week: str, count: int | None) -> list[GroundingNumber]:
    out = list(_week_label_facts(week))
    if count is not None:
        out.append(_n(week, f"weeks[{week}]", "count", count))
    return out


def _outcome_and_money_facts(ai: AgentInput) -> list[GroundingNumber]:
    out: list[GroundingNumber] = []
    for group, record in (("outcomes", ai.outcomes), ("money", ai.money)):
        for name in type(record).model_fields if record else ():
            value = getattr(record, name)
            if value is None:
                continue
            kind = _SUFFIX_KIND.get(name.rsplit("_", 1)[-1], "count")
            out.append(_n(group, f"{group}.{name}", kind, value))
    return out


def _insight_facts(ai: AgentInput) -> list[GroundingNumber]:
    out: list[GroundingNumber] = []
    for code, insight in ai.insights.items():
        period = _PERIOD.fullmatch(code)
        if period:  # the period the code names ("win_rate_4w": 4 complete weeks)
            out.append(_n(code, f"{code} period", "count", int(period.group(1))))
        if insight.week is not None:
            out.append(GroundingNumber(fact=code, origin=code, kind="week", label=insight.week))
        if insight.band is not None:
            out += _band_edges(code, insight.band, "money")
        for name, value in insight.values.items():
            suffix = name.rsplit("_", 1)[-1]
            out.append(
                _n(code, f"{code}.{name}", _SUFFIX_KIND[suffix], value, change=suffix == "chg")
            )
    return out


def input_facts(ai: AgentInput) -> list[GroundingNumber]:
    """Every citable fact of ``ai``; a finding's numbers are checked against the facts whose
    ids it names (a week label, a band label, ``outcomes``, ``money``, an insight code...)."""
    out = [_n("n", "estimate_count", "count", ai.estimate_count)]
    if ai.suppressed_below is not None:
        out.append(_n("n", "suppressed_below", "count", ai.suppressed_below))
    weeks = ai.weekly_volume.labelled()
    out.append(_n("weeks", "weeks", "count", len(weeks)))
    for week, count in weeks.items():
        out += _week_facts(week, count)
    for band, (count, share, amount, win) in ai.price_distribution.items():
        out += _band_edges(band, band, "money")
        out += _cells(
            band,
            f"price[{band}]",
            [
                (count, "count", "count"),
                (share, "share", "percent"),
                (amount, "amount", "money"),
                (win, "win", "percent"),
            ],
        )
    for band, (count, share) in ai.decision_latency.items():
        out += _band_edges(band, band, "days")
        out += _cells(
            band, f"latency[{band}]", [(count, "count", "count"), (share, "share", "percent")]
        )
    if ai.median_days is not None:
        out.append(_n("median_days", "median_days", "days", ai.median_days))
    return out + _outcome_and_money_facts(ai) + _insight_facts(ai)


_INSIGHT_TOPIC: dict[str, NarrativeTopic] = {kind.code: kind.topic for kind in CATALOGUE}


def fact_topic(ai: AgentInput, fact_ids: tuple[str, ...]) -> NarrativeTopic:
    """The topic of the first fact named: an insight's own, ``outcomes``; a price band or
    ``money``: pricing; a latency band or ``median_days``: decision latency; a week, ``n`` or
    ``weeks`` (and a finding naming none): demand."""
    for fact in fact_ids:
        if fact in ai.insights:
            return _INSIGHT_TOPIC.get(fact, "outcomes")
        if fact == "outcomes":
            return "outcomes"
        if fact in ai.price_distribution or fact == "money":
            return "pricing"
        if fact in ai.decision_latency or fact == "median_days":
            return "decision_latency"
    return "demand"
