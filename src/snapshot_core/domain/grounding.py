"""The grounding check: every number the narrative cites must occur in the AgentInput."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

__all__ = ["numbers_in", "numbers_in_values", "ungrounded_numbers"]

# 1,250 | 1250 | 12.5 | .5, with an optional k (thousand) or m (million) right after.
# Digits count wherever they stand, after a letter too ("USD5000", "x5000"): only a digit
# or a point before them means they belong to the number already read.
_NUMBER = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+(?!\d)|\d+)?(\.\d+)?([kKmM](?![a-zA-Z]))?")
_MULTIPLIER = {"k": 1000, "m": 1_000_000}


def _scan(text: str) -> Iterable[tuple[str, Decimal]]:
    for match in _NUMBER.finditer(text):
        whole, fraction, suffix = match.groups()
        if not whole and not fraction:
            continue
        literal = match.group(0).strip()
        try:
            value = Decimal((whole or "0").replace(",", "") + (fraction or ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only digits
            continue
        if suffix:
            value *= _MULTIPLIER[suffix.lower()]
        yield literal, value.normalize()


@lru_cache(maxsize=4096)  # labels ("2026-W07", "2.5k-5k") recur in every AgentInput
def _label_numbers(text: str) -> frozenset[Decimal]:
    return frozenset(value for _, value in _scan(text))


def numbers_in(text: str) -> set[Decimal]:
    """Every number in ``text`` as a normalised Decimal (``1,250`` -> 1250, ``2.5k`` -> 2500)."""
    return set(_label_numbers(text)) if len(text) <= 32 else {value for _, value in _scan(text)}


def numbers_in_values(value: object) -> set[Decimal]:
    """Every number in a JSON-like value: numeric leaves as they are, strings as ``numbers_in``.

    Walking the structure (rather than scanning its JSON text) keeps neighbouring values
    such as ``0,100`` from reading as one number.
    """
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, int | float | Decimal):
        return {Decimal(str(value)).normalize()}
    if isinstance(value, str):
        return numbers_in(value)
    if isinstance(value, dict):  # keys too: a week label such as "2026-W07" is cited as 2026
        value = [*value.keys(), *value.values()]
    if isinstance(value, list | tuple):
        return set().union(*(numbers_in_values(item) for item in value))
    raise TypeError(f"not a JSON-like value: {type(value).__name__}")


def ungrounded_numbers(narrative_text: str, allowed: set[Decimal]) -> list[str]:
    """The literals in ``narrative_text`` whose value is not in ``allowed``, each once."""
    seen: list[str] = []
    for literal, value in _scan(narrative_text):
        if value not in allowed and literal not in seen:
            seen.append(literal)
    return seen
