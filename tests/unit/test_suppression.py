"""Small-cell suppression: nothing from 1 to k-1 shows, and no lone hidden cell can be recovered."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from snapshot_core.domain import suppress_small_cells


def test_off_by_default_and_for_k_one() -> None:
    assert suppress_small_cells([0, 1, 2], 0) == [0, 1, 2]
    assert suppress_small_cells([0, 1, 2], 1) == [0, 1, 2]


def test_a_lone_small_cell_takes_the_smallest_other_with_it() -> None:
    assert suppress_small_cells([0, 3, 10, 12, 8], 5) == [0, None, 10, 12, None]


def test_zeros_are_shown() -> None:
    assert suppress_small_cells([0, 0, 30], 5) == [0, 0, 30]


@given(st.lists(st.integers(0, 40), min_size=1, max_size=14), st.integers(2, 10))
@example([0, 4, 0], 5)  # only one positive cell, and it is small: nothing to pair it with
def test_no_small_count_shows_and_no_single_cell_is_hidden(counts: list[int], k: int) -> None:
    shown = suppress_small_cells(counts, k)
    assert all(c is None or c == 0 or c >= k for c in shown)
    hidden = [i for i, c in enumerate(shown) if c is None]
    positive = [c for c in counts if c]
    if len(positive) > 1:
        assert len(hidden) != 1
    for original, after in zip(counts, shown, strict=True):
        assert after is None or after == original
