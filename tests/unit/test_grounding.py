"""The grounding checker reads numbers the way people write them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from snapshot_core.domain import numbers_in, numbers_in_values, ungrounded_numbers


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("1,250 estimates", {1250}),
        ("42% of jobs", {42}),
        ("between 2.5k and 5k", {2500, 5000}),
        ("0-2d and 31d+", {0, 2, 31}),
        ("week 2026-W01", {2026, 1}),
        ("3.0 and .5", {3, Decimal("0.5")}),
        ("no numbers at all", set()),
        ("Revenue hit USD5000 and x7", {5000, 7}),
        ("1.5M in quotes", {1_500_000}),
        ("shares 40,17 and 1,2500", {40, 17, 1, 2500}),
        ("week W07", {7}),
    ],
)
def test_numbers_are_normalised(text: str, numbers: set[object]) -> None:
    assert numbers_in(text) == {Decimal(n) for n in numbers}  # type: ignore[arg-type]


def test_a_number_absent_from_the_input_is_reported_once() -> None:
    allowed = numbers_in_values({"estimate_count": 412, "band": "2.5k-5k", "share_pct": 42})
    assert ungrounded_numbers("412 estimates, 42% at 2,500-5,000", allowed) == []
    assert ungrounded_numbers("413 estimates, 413 again, and 7", allowed) == ["413", "7"]


def test_neighbouring_values_do_not_merge_into_one_number() -> None:
    assert numbers_in_values([{"count": 0, "share_pct": 100}, [1, 250]]) == {0, 100, 1, 250}


@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=20), st.integers(0, 10**6))
@example(present=[0, 100], cited=0)  # "0,100" once read as one number
def test_cited_numbers_are_grounded_iff_present(present: list[int], cited: int) -> None:
    allowed = numbers_in_values(present)
    text = f"We saw {cited:,} of them." if cited % 2 else f"We saw {cited} of them."
    result = ungrounded_numbers(text, allowed)
    assert (result == []) == (cited in present)
