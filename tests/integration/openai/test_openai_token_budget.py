"""The cost goal of issue 11 stays met: benchmarks/bench_tokens.py's request + typical narrative."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from snapshot_adapters.openai import SYSTEM_PROMPT

BENCH = Path(__file__).parents[3] / "benchmarks" / "bench_tokens.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_tokens", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_snapshot_stays_within_600_tokens_and_a_quarter_cent():
    bench = _bench()
    agent_input = bench.bucketed_agent_input(bench.sixteen_weeks_with_outcomes())
    measured = bench.measure(agent_input)
    assert measured["total"] <= bench.GOAL_TOKENS, measured
    assert measured["cost"] is not None and measured["cost"] <= bench.GOAL_USD, measured
    # The compact encoding carries the same facts: the insights and every band still go.
    sent = json.loads(agent_input.to_json())
    assert set(sent["insights"]) == {"stale_pipeline", "win_rate_4w"}
    assert all(len(row) == 4 and None not in row for row in sent["price"].values())
    assert all(len(row) == 2 and None not in row for row in sent["days"].values())


def test_the_prompt_states_every_layout_and_rule_it_relies_on():
    for needed in (
        "weeks: counts from the first ISO week",
        "price, days (to decide): band:[n,share%,amount,win%]",
        "null: hidden",
        "Cite numbers as written",
        "money with currency sign",
        "weeks by label",
        "derive none",
        "Point: [text, keys cited]",
    ):
        assert needed in SYSTEM_PROMPT
