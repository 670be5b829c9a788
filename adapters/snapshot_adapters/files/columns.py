"""The columns of an estimates file: which are read, which are required, which are ignored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from snapshot_core.domain import RowProblem

from .errors import UnreadableFileError

__all__ = ["KNOWN", "OPTIONAL", "REQUIRED", "Columns", "column_key", "display_name"]

REQUIRED = ("amount", "sent_at")
OPTIONAL = ("decided_at", "estimate_id", "outcome")
KNOWN = (*REQUIRED, *OPTIONAL)


def column_key(name: str) -> str:
    """Header names match with surrounding spaces and letter case ignored: ` Amount ` is amount."""
    return name.strip().lower()


def display_name(name: str, position: int | None = None) -> str:
    """A column name safe to print in a notice: short, control characters escaped."""
    name = name.strip()
    if not name:
        return f"(unnamed column {position + 1})" if position is not None else "(unnamed)"
    if len(name) > 60:
        name = name[:60] + "…"
    return name if name.isprintable() else repr(name)


@dataclass(frozen=True, slots=True)
class Columns:
    """Positions of the known columns in a CSV header (-1 when an optional one is absent)."""

    width: int
    amount: int
    sent_at: int
    decided_at: int
    estimate_id: int
    outcome: int
    ignored: tuple[str, ...]

    @classmethod
    def from_header(cls, header: Sequence[str], line: int) -> Columns:
        positions: dict[str, int] = {}
        ignored: list[str] = []
        for position, name in enumerate(header):
            key = column_key(name)
            if key not in KNOWN:
                ignored.append(display_name(name, position))
            elif key in positions:
                raise UnreadableFileError(
                    f"The header names the column {key} twice",
                    RowProblem(
                        line,
                        key,
                        f"appears twice (columns {positions[key] + 1} and {position + 1})",
                    ),
                )
            else:
                positions[key] = position
        missing = [name for name in REQUIRED if name not in positions]
        if missing:
            found = ", ".join(display_name(n, i) for i, n in enumerate(header)) or "nothing"
            raise UnreadableFileError(
                f"The header lacks the required column{'s' if len(missing) > 1 else ''} "
                f"{' and '.join(missing)}",
                RowProblem(
                    line, missing[0], f"required column is missing (the header has: {found[:200]})"
                ),
            )
        return cls(
            width=len(header),
            amount=positions["amount"],
            sent_at=positions["sent_at"],
            decided_at=positions.get("decided_at", -1),
            estimate_id=positions.get("estimate_id", -1),
            outcome=positions.get("outcome", -1),
            ignored=tuple(ignored),
        )
