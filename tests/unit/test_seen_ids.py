"""SeenIds, the compact duplicate-id check: exact answers, first lines kept, and about 16
bytes an id (a dict of the ids costs ~150)."""

from __future__ import annotations

import sys

from hypothesis import given
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
