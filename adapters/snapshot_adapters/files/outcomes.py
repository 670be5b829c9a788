"""Outcomes from the status words exports use: won, lost or pending, never a guess."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, get_args

from snapshot_core.domain.models import Outcome

from .values import ValueProblem, shown

__all__ = [
    "BOTH_DECISION_DATES",
    "DEFAULT_STATUSES",
    "OUTCOMES",
    "OutcomeReader",
    "decision",
    "parse_outcome_map",
    "status_key",
]

OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)

# What field-service and accounting tools write in a status column, by the outcome it means.
_WORDS: dict[Outcome, tuple[str, ...]] = {
    "won": ("won", "accepted", "approved", "converted", "sold", "invoiced"),
    "lost": ("lost", "declined", "rejected", "expired", "cancelled", "canceled", "archived"),
    "pending": (
        "pending", "draft", "sent", "awaiting", "awaiting response", "open", "changes requested",
    ),
}  # fmt: skip
_SPACES = re.compile(r"[\s_-]+")


def status_key(text: str) -> str:
    """Statuses match with case, surrounding spaces and ``_``/``-``/space runs ignored."""
    return _SPACES.sub(" ", text.strip().casefold())


DEFAULT_STATUSES: dict[str, Outcome] = {
    status_key(word): outcome for outcome, words in _WORDS.items() for word in words
}


def parse_outcome_map(
    entries: Mapping[str, str] | list[str] | tuple[str, ...],
) -> dict[str, Outcome]:
    """``{"On hold": "pending"}`` or ``["On hold=pending"]`` (the CLI's --outcome-map) as a
    status vocabulary; an outcome other than won, lost or pending is a ``ValueError``."""
    pairs: list[tuple[str, str]] = []
    if isinstance(entries, Mapping):
        pairs = list(entries.items())
    else:
        for entry in entries:
            status, equals, outcome = entry.rpartition("=")
            if not equals or not status.strip():
                raise ValueError(f"expected STATUS=OUTCOME, got {entry!r}")
            pairs.append((status, outcome))
    mapped: dict[str, Outcome] = {}
    for status, outcome in pairs:
        value = outcome.strip().lower()
        if value not in OUTCOMES:
            raise ValueError(
                f"{status.strip()!r} maps to {outcome!r}: an outcome is won, lost or pending"
            )
        mapped[status_key(status)] = value
    return mapped


class OutcomeReader:
    """Reads a status value; an unknown one is a ``ValueProblem`` naming what is accepted."""

    def __init__(self, extra: Mapping[str, Outcome] | None = None) -> None:
        self._statuses = {**DEFAULT_STATUSES, **(extra or {})}

    def __call__(self, text: str) -> Outcome:
        outcome = self._statuses.get(text) or self._statuses.get(status_key(text))
        if outcome is None:
            known = ", ".join(sorted({k for k in self._statuses}))
            raise ValueProblem(
                f"unknown status {shown(text)} (known: {known}; add one with "
                '--outcome-map "STATUS=won|lost|pending")'
            )
        return outcome


BOTH_DECISION_DATES = "both the approved and the declined date are set"


def decision(approved: Any, declined: Any, stated: Any) -> tuple[Any, Any] | None:
    """For exports with approved and declined date columns (values already normalised:
    ``None`` when empty): ``(decided_at, outcome)``, the decision date whichever is set and
    the outcome following from it (a status column, ``stated``, still gives the outcome);
    ``None`` when both dates are set (a bad row, ``BOTH_DECISION_DATES``)."""
    if approved is not None:
        return None if declined is not None else (approved, stated or "won")
    if declined is not None:
        return declined, stated or "lost"
    return None, stated or "pending"
