"""SeenIds, the compact duplicate-id check: exact answers, first lines kept, and about 16
bytes an id (a dict of the ids costs ~150)."""

from __future__ import annotations

import sys

from hypothesis import example, given
from hypothesis import strategies as st

from snapshot_core.domain import SeenIds


@given(st.lists(st.text(max_size=6), max_size=300))
def test_it_answers_exactly_as_a_dict_of_first_lines_does(idents: list[str]) -> None:
    seen, reference = SeenIds(), {}
    for line, ident in enumerate(idents, start=2):
        expected = reference.get(ident)
        reference.setdefault(ident, line)
        assert seen.first(ident, line) == expected
    assert seen.count == len(reference)


def test_ids_whose_64_bit_keys_collide_are_still_told_apart(monkeypatch) -> None:
    # Force every id onto one key: only the CRC-32 separates them, as in a real collision.
    import snapshot_core.domain.seen_ids as module

    monkeypatch.setattr(module, "hash", lambda _text: 42, raising=False)
    seen = SeenIds()
    assert [seen.first(ident, n) for n, ident in enumerate(["a", "b", "c"], start=1)] == [
        None,
        None,
        None,
    ]
    assert seen.first("b", 9) == 2 and seen.first("d", 10) is None


def test_it_costs_about_16_bytes_an_id() -> None:
    seen = SeenIds()
    count = 300_000
    for line in range(count):
        seen.first(f"EST-{line:08d}", line)
    # Every byte the structure holds: the bucket lists and each array with its spare room.
    columns = [*seen._keys, *seen._payloads]
    held = sys.getsizeof(seen._keys) * 2 + sum(sys.getsizeof(a) for a in columns if a is not None)
    assert held / count < 20  # a dict of the ids would hold ~150 bytes an id


# Batches of ids as RowChecker.new_ids hands them over: ids repeated within and across
# batches, ids of the batch's other rows, and lines in file order (some past 2**32).
BATCHES = st.lists(
    st.tuples(
        st.lists(st.sampled_from(["a", "b", "c", "é", "\ud800", ""]) | st.text(max_size=3)),
        st.lists(st.sampled_from(["a", "b", "x"]), max_size=2),
    ),
    max_size=6,
)


def _reference_add_new(
    reference: dict[str, int], idents: list[str], lines: list[int], others: list[str]
) -> list[int]:
    """add_new's contract, written out with a dict: positions refused, the rest recorded."""
    skip = set(others) | {ident for ident in idents if idents.count(ident) > 1}
    refused = []
    for position, (ident, line) in enumerate(zip(idents, lines, strict=True)):
        if ident in skip or ident in reference:
            refused.append(position)
        else:
            reference[ident] = min(line, 0xFFFFFFFF)
    return refused


@given(BATCHES, st.sampled_from([2, 2**32 - 3]))
@example([(["a", "b"], []), (["b", "c", "c"], ["a"]), (["d"], [])], 2)
@example([(["a", "b", "c"], [])], 2**32 - 3)  # the last line is past what a payload holds
def test_add_new_answers_as_a_dict_of_first_lines_does(
    batches: list[tuple[list[str], list[str]]], start: int
) -> None:
    seen, reference = SeenIds(), {}
    line = start
    for idents, others in batches:
        lines = list(range(line, line + len(idents)))
        line += len(idents)
        expected = _reference_add_new(reference, idents, lines, others)
        assert seen.add_new(idents, lines, set(others)) == expected
    assert seen.count == len(reference)
    for ident, first_line in reference.items():
        assert seen.first(ident, 1) == first_line


def test_add_new_tells_ids_whose_64_bit_keys_collide_apart(monkeypatch) -> None:
    import snapshot_core.domain.seen_ids as module

    monkeypatch.setattr(module, "hash", lambda _text: 42, raising=False)
    seen = SeenIds()
    assert seen.add_new(["a", "b"], [1, 2]) == []
    assert seen.add_new(["c", "b", "d"], [3, 4, 5]) == [1]
    assert [seen.first(ident, 9) for ident in "abcde"] == [1, 2, 3, 5, None]
