"""Typed grounding: an adversarial set of narratives (a number of the wrong kind, slightly off,
more precise than its fact, a week number outside its label, number and ratio words) is
rejected, and a set of faithful ones is accepted; the template narrative always passes."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snapshot_core.domain import (
    AgentInput,
    build_agent_input,
    check_findings,
    rank_insights,
    template_narrative,
)

from .test_insights import buckets_of, source


def _input() -> AgentInput:
    rows = source(1, mean=[10 + 3 * w for w in range(16)], win=[0.2] * 11 + [0.7] * 5)
    # Decision dates for the latency bands: a third of the decided, 1 to 20 days later.
    from datetime import timedelta

    rows = [
        r.model_copy(update={"decided_at": r.sent_at + timedelta(days=i % 20)})
        if r.outcome != "pending" and i % 3 == 0
        else r
        for i, r in enumerate(rows)
    ]
    buckets = buckets_of(rows)
    return build_agent_input(buckets, rank_insights(buckets, 4))


AI = _input()
DATA = json.loads(AI.to_json())
FACT_IDS = sorted({f.fact for f in AI.grounding_facts()})
WEEKS = AI.weekly_volume.labelled()


def values(code: str) -> dict[str, float]:
    """An insight's numbers on the wire: ``{code: {"good" | "bad": {name: value}}}``."""
    (inner,) = DATA["insights"][code].values()
    return inner  # type: ignore[no-any-return]


STALE = values("stale_pipeline")


def grounded(text: str, facts: list[str]) -> bool:
    return not check_findings("A snapshot.", [(text, facts)], AI.grounding_facts())


def _faithful() -> list[tuple[str, list[str]]]:
    texts: list[tuple[str, list[str]]] = []
    o, m = DATA["outcomes"], DATA["money"]
    texts += [
        (f"You won {o['won']} estimates and lost {o['lost']}.", ["outcomes"]),
        (f"{o['open']} estimates are still open.", ["outcomes"]),
        (f"Win rate is {o['win_pct']}%.", ["outcomes"]),
        (f"Win rate is about {round(o['win_pct'])}%.", ["outcomes"]),
        (f"Close rate is {o['close_pct']} percent.", ["outcomes"]),
        (f"${o['won_amt']:,} won, ${o['lost_amt']:,} lost.", ["outcomes"]),
        (f"The open pipeline is worth ${o['open_amt']:,}.", ["outcomes"]),
        (f"The open pipeline is worth ${o['open_amt'] / 1000:.0f}k.", ["outcomes"]),
        (f"The open pipeline is worth {o['open_amt']:,} USD.", ["outcomes"]),
        (f"By money, you win {o['money_win_pct']}% of decided work.", ["outcomes"]),
        (f"The average estimate is ${m['avg']:,}; the median ${m['median']:,}.", ["money"]),
        (f"You quoted ${m['total'] / 1e6:.1f}m in total.", ["money"]),
        (f"{DATA['n']} estimates in all.", ["n"]),
        (f"The median decision takes {DATA['median_days']} days.", ["median_days"]),
    ]
    for week, count in WEEKS.items():
        texts.append((f"In {week}, {count} estimates went out.", [week]))
    for band, (count, share, amount, win) in DATA["price"].items():
        texts.append((f"The {band} band has {count} estimates ({share}%).", [band]))
        if win is not None:
            texts.append((f"Jobs in {band} win {win}% of the time, ${amount:,} quoted.", [band]))
    for band, (count, share) in DATA["days"].items():
        if band != "pending":
            texts.append((f"{count} decisions took {band} ({share}%).", [band]))
    wr = values("win_rate_4w")
    texts += [
        (f"Win rate climbed {wr['change_pts']} points to {wr['after_pct']}%.", ["win_rate_4w"]),
        (f"Up from {wr['before_pct']}% to {wr['after_pct']}%.", ["win_rate_4w"]),
        (
            f"Volume grows by about {values('volume_trend')['per_week_n']} a week.",
            ["volume_trend"],
        ),
        (
            f"Over {values('volume_trend')['weeks_n']} complete weeks the trend is up.",
            ["volume_trend"],
        ),
        ("Win rate in the last four complete weeks rose.", ["win_rate_4w"]),  # "four" is a count
        (f"Won {o['won']} of them, lost {o['lost']}.", ["outcomes"]),
        (f"Of ${m['total']:,} quoted, ${o['won_amt']:,} was won.", ["money", "outcomes"]),
        (f"{DATA['n']:,} estimates, {o['won']} won.", ["n", "outcomes"]),
        (f"The pipeline: {o['open']} open, worth ${o['open_amt']:,}.", ["outcomes"]),
        (f"{STALE['n']} open estimates are over a month old.", ["stale_pipeline"]),
        (f"Stale work worth ${STALE['amt']:,}.", ["stale_pipeline"]),
        (f"Stale work worth about ${STALE['amt'] / 1000:.0f}k.", ["stale_pipeline"]),
        ("Estimates over $10k are rare; 10k+ had none.", ["10k+"]),
        ("Week 2026-W10 started on 2026-03-02.", ["2026-W10"]),
        ("In 2026 the business grew.", ["2026-W10"]),
        ("One of the bands stands out.", ["1k-2.5k"]),
    ]
    return texts


def _wrong() -> list[tuple[str, list[str]]]:
    o, m = DATA["outcomes"], DATA["money"]
    all_ids = FACT_IDS
    texts: list[tuple[str, list[str]]] = []
    for week in list(WEEKS)[:12]:
        ww = int(week[-2:])
        texts.append((f"Win rate rose {ww}% in {week}.", [week, "outcomes"]))  # 14% from W14
    texts += [
        (f"Win rate was {o['won']}%.", ["outcomes"]),  # a count cited as a percent
        (f"{o['win_pct']} estimates were won.", ["outcomes"]),  # a rate as a count
        (f"You won {o['won_amt']} estimates.", ["outcomes"]),  # a sum as a count
        (f"{m['total']} jobs were quoted.", ["money"]),
        ("500 estimates were small jobs.", ["<500", "500-1k"]),  # a band edge as a count
        ("2500 estimates were mid-size.", ["1k-2.5k"]),
        (f"Win rate is {o['win_pct']}0%.", ["outcomes"]),  # finer than its fact
        (f"You won {o['won']}.0 estimates.", ["outcomes"]),
        (f"The average is ${m['avg']}.50.", ["money"]),
        (f"Win rate is {round(o['win_pct'] + 0.1, 1)}%.", ["outcomes"]),  # slightly off
        (f"Win rate is {round(o['win_pct']) + 1}%.", ["outcomes"]),
        (f"You won {o['won'] + 1} estimates.", ["outcomes"]),
        (f"${o['won_amt'] + 1:,} won.", ["outcomes"]),
        (f"${(o['won_amt'] + 600) / 1000:.1f}k won.", ["outcomes"]),
        (f"{DATA['n'] - 1} estimates in all.", ["n"]),
        ("Win rate rose fourteen percent.", ["outcomes"]),  # number words
        ("Ninety-nine estimates were won.", ["outcomes"]),
        ("A dozen estimates were lost.", ["outcomes"]),
        ("Two thousand estimates went out.", ["n"]),
        ("Volume doubled.", ["volume_trend"]),  # ratio words without such a change
        ("Win rate tripled.", ["outcomes"]),
        ("Open money halved.", ["outcomes"]),
        (f"Half of the estimates were won: {o['won']} of them.", ["outcomes"]),  # 35 %
        ("About half of the decided money was won.", ["outcomes"]),  # 42.4 %
        ("Estimates rose 3x.", ["volume_trend"]),
        ("W14 was the best week.", all_ids),  # a bare week number
        ("Week 14 was the best week.", all_ids),
        ("2026-W60 was the best week.", all_ids),  # no such label
        ("2026-03-03 was a Tuesday.", all_ids),  # not a week start
        (f"The median decision takes {DATA['median_days']} weeks, {o['won']} days.", all_ids),
        (f"{o['win_pct']} days to decide.", all_ids),
        (f"${o['won']:,} won.", ["outcomes"]),  # a count as money
        (f"{DATA['price']['1k-2.5k'][1]} estimates are in 1k-2.5k.", ["1k-2.5k"]),  # share as count
    ]
    # The right number, the wrong fact: each finding is checked against the facts it names.
    texts += [
        (f"Win rate is {o['win_pct']}%.", ["money"]),
        (f"You won {o['won']} estimates.", ["n"]),
        (f"The average estimate is ${m['avg']:,}.", ["outcomes"]),
        (
            f"Win rate climbed to {values('win_rate_4w')['after_pct']}%.",
            ["outcomes"],
        ),
        ("A number with no fact id: 12 estimates.", ["no_such_fact"]),
    ]
    for band, (count, share, amount, _win) in list(DATA["price"].items())[:5]:
        if count:
            texts.append((f"{band} has {count + 1} estimates.", [band]))
            texts.append((f"{band} has {share + 1}% of estimates.", [band]))
            texts.append((f"{band} holds {amount} estimates.", [band]))
    return texts


FAITHFUL, WRONG = _faithful(), _wrong()


def test_the_sets_are_large_enough() -> None:
    assert len(FAITHFUL) >= 60 and len(WRONG) >= 60


@pytest.mark.parametrize(("text", "facts"), FAITHFUL)
def test_a_faithful_text_is_accepted(text: str, facts: list[str]) -> None:
    assert grounded(text, facts), check_findings("", [(text, facts)], AI.grounding_facts())


@pytest.mark.parametrize(("text", "facts"), WRONG)
def test_a_wrong_kind_or_slightly_off_text_is_rejected(text: str, facts: list[str]) -> None:
    assert not grounded(text, facts)


def test_the_headline_may_cite_any_fact_and_problems_name_what_and_where() -> None:
    facts = AI.grounding_facts()
    assert not check_findings(f"{DATA['n']} estimates.", [], facts)
    [problem] = check_findings("14% up.", [], facts)
    assert (problem.literal, problem.reason) == ("14%", "headline: no percent fact")


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    k=st.sampled_from([0, 3, 10]),
    trend=st.booleans(),
    top=st.integers(0, 8),
)
def test_the_template_narrative_is_always_grounded(
    seed: int, k: int, trend: bool, top: int
) -> None:
    mean = [8 + 2 * w for w in range(16)] if trend else 20.0
    buckets = buckets_of(source(seed, mean=mean, win=[0.3] * 10 + [0.6] * 6), k)  # type: ignore[arg-type]
    agent_input = build_agent_input(buckets, rank_insights(buckets, top))
    narrative = template_narrative(agent_input)
    findings = [(f.text, f.facts) for f in narrative.findings]
    assert check_findings(narrative.headline, findings, agent_input.grounding_facts()) == []


def test_a_decimal_fact_is_never_matched_by_a_finer_literal() -> None:
    assert Decimal(str(DATA["outcomes"]["win_pct"])).as_tuple().exponent == -1
