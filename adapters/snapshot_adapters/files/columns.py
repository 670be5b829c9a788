"""The columns of an estimates file: which header feeds which field, and which are ignored.

A field's column is, in order: the one ``column_map`` names (``--map amount="Total"``), the
one named exactly as the field (`amount`, ` Amount `), or the one whose name is a known
synonym (`Total`, `Date Sent`, `Quote #`: case, spaces and punctuation ignored), reported
in a notice. Two synonyms for one field (`Subtotal` and `Total`) are refused with the
``--map`` that resolves it: a column is never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from snapshot_core.domain import RowProblem

from .errors import UnreadableFileError

__all__ = [
    "DECISION_COLUMNS",
    "KNOWN",
    "MAPPABLE",
    "OPTIONAL",
    "REQUIRED",
    "SYNONYMS",
    "AmbiguousColumnError",
    "Columns",
    "column_key",
    "display_name",
    "header_key",
]

REQUIRED = ("amount", "sent_at")
OPTIONAL = ("decided_at", "estimate_id", "outcome")
KNOWN = (*REQUIRED, *OPTIONAL)
# Exports with one date column per decision instead of a status: the decision date is
# whichever is set, and the outcome follows from which one it is.
DECISION_COLUMNS = ("approved_at", "declined_at")
MAPPABLE = (*KNOWN, *DECISION_COLUMNS)

_WORDS: dict[str, tuple[str, ...]] = {
    "amount": (
        "amount", "total", "quote total", "estimate total", "grand total", "total amount",
        "subtotal", "sub total", "amount total", "total price", "quote amount",
        "estimate amount",
    ),
    "sent_at": (
        "sent", "sent at", "date sent", "sent on", "sent date", "issued", "issued at",
        "issued on", "date issued", "issue date", "created", "created at", "created on",
        "date created", "creation date", "quote date", "estimate date",
    ),
    "decided_at": (
        "decided", "decided at", "decided on", "decision date", "date decided", "closed",
        "closed at", "closed on", "date closed", "close date",
    ),
    "approved_at": (
        "approved", "approved at", "approved on", "date approved", "approval date",
        "accepted", "accepted at", "accepted on", "date accepted", "won at", "date won",
    ),
    "declined_at": (
        "declined", "declined at", "declined on", "date declined", "rejected", "rejected at",
        "rejected on", "date rejected", "lost at", "date lost",
    ),
    "estimate_id": (
        "id", "quote #", "estimate #", "quote number", "estimate number", "quote id",
        "estimate id", "number", "#", "quote no", "estimate no", "reference",
    ),
    "outcome": ("status", "stage", "outcome", "quote status", "estimate status", "result"),
}  # fmt: skip
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def column_key(name: str) -> str:
    """Header names match with surrounding spaces and letter case ignored: ` Amount ` is amount."""
    return name.strip().lower()


def header_key(name: str) -> str:
    """The key synonyms match on: case, spaces and punctuation ignored, `#` read as number."""
    return _NOT_ALNUM.sub("", name.casefold().replace("#", "number"))


SYNONYMS: dict[str, frozenset[str]] = {
    field: frozenset(header_key(word) for word in words) for field, words in _WORDS.items()
}


def display_name(name: str, position: int | None = None) -> str:
    """A column name safe to print in a notice: short, control characters escaped."""
    name = name.strip()
    if not name:
        return f"(unnamed column {position + 1})" if position is not None else "(unnamed)"
    if len(name) > 60:
        name = name[:60] + "…"
    return name if name.isprintable() else repr(name)


class AmbiguousColumnError(UnreadableFileError):
    """Two or more columns could feed one field; the message lists them."""

    meaning = "More than one column could be this field; nothing was stored."
    solution = 'Say which column it is: --map FIELD="Header" (column_map= in Python).'


def _header_list(header: Sequence[str]) -> str:
    return (", ".join(display_name(n, i) for i, n in enumerate(header)) or "nothing")[:200]


@dataclass(frozen=True, slots=True)
class Columns:
    """Positions of the fields in a CSV header (-1 when an optional one is absent).

    ``approved_at``/``declined_at`` are set only when both decision-date columns stand in
    for ``decided_at``; ``recognised`` lists ``(field, header)`` found by synonym or map.
    """

    width: int
    amount: int
    sent_at: int
    decided_at: int
    estimate_id: int
    outcome: int
    ignored: tuple[str, ...]
    approved_at: int = -1
    declined_at: int = -1
    recognised: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_header(
        cls, header: Sequence[str], line: int, column_map: Mapping[str, str] | None = None
    ) -> Columns:
        positions: dict[str, int] = {}
        recognised: list[tuple[str, str]] = []
        for field, wanted in (column_map or {}).items():
            if field not in MAPPABLE:
                raise ValueError(f"cannot map {field!r}: the fields are {', '.join(MAPPABLE)}")
            found = [i for i, n in enumerate(header) if column_key(n) == column_key(wanted)]
            if not found:
                raise UnreadableFileError(
                    f"--map {field}={wanted!r}: the header has no such column",
                    RowProblem(line, field, f"no column {wanted!r} (the header has: "
                               f"{_header_list(header)})"),
                )  # fmt: skip
            positions[field] = found[0]
            recognised.append((field, display_name(header[found[0]])))
        taken = set(positions.values())
        for position, name in enumerate(header):
            key = column_key(name)
            if key not in KNOWN or key in positions or position in taken:
                continue
            twice = [i for i, n in enumerate(header) if column_key(n) == key]
            if len(twice) > 1:
                raise UnreadableFileError(
                    f"The header names the column {key} twice",
                    RowProblem(
                        line, key, f"appears twice (columns {twice[0] + 1} and {twice[1] + 1})"
                    ),
                )
            positions[key] = position
        taken = set(positions.values())
        for field in ("amount", "sent_at", "estimate_id", "outcome", "decided_at"):
            if field not in positions:
                cls._by_synonym(field, header, line, positions, taken, recognised)
        if "decided_at" not in positions:
            for field in DECISION_COLUMNS:
                if field not in positions:
                    cls._by_synonym(field, header, line, positions, taken, recognised)
        approved, declined = positions.pop("approved_at", -1), positions.pop("declined_at", -1)
        if "decided_at" not in positions and (approved < 0) != (declined < 0):
            positions["decided_at"] = max(approved, declined)  # one of them: a plain date
            approved = declined = -1
            recognised = [
                ("decided_at" if field in DECISION_COLUMNS else field, name)
                for field, name in recognised
            ]
        elif "decided_at" in positions:
            approved = declined = -1
        missing = [name for name in REQUIRED if name not in positions]
        if missing:
            raise UnreadableFileError(
                f"The header lacks the required column{'s' if len(missing) > 1 else ''} "
                f'{" and ".join(missing)} (name it, or --map {missing[0]}="COLUMN")',
                RowProblem(
                    line,
                    missing[0],
                    f"required column is missing (the header has: {_header_list(header)})",
                ),
            )
        used = set(positions.values()) | {approved, declined}
        ignored = tuple(display_name(n, i) for i, n in enumerate(header) if i not in used)
        return cls(
            width=len(header),
            amount=positions["amount"],
            sent_at=positions["sent_at"],
            decided_at=positions.get("decided_at", -1),
            estimate_id=positions.get("estimate_id", -1),
            outcome=positions.get("outcome", -1),
            ignored=ignored,
            approved_at=approved,
            declined_at=declined,
            recognised=tuple(recognised),
        )

    @staticmethod
    def _by_synonym(
        field: str,
        header: Sequence[str],
        line: int,
        positions: dict[str, int],
        taken: set[int],
        recognised: list[tuple[str, str]],
    ) -> None:
        words = SYNONYMS[field]
        found = [i for i, n in enumerate(header) if i not in taken and header_key(n) in words]
        if len(found) > 1:
            names = [display_name(header[i], i) for i in found]
            listed = " and ".join(repr(n) for n in names)
            raise AmbiguousColumnError(
                f'Both {listed} could be {field}: say which with --map {field}="{names[-1]}"',
                RowProblem(line, field, f"candidates: {', '.join(names)}"),
            )
        if found:
            positions[field] = found[0]
            taken.add(found[0])
            recognised.append((field, display_name(header[found[0]], found[0])))
