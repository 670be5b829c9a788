"""Tables that fit the terminal: ids are never cut; other columns wrap, and when even that
cannot fit, the least important columns are left out (and the reader is told which, on
stderr, so stdout keeps only the table)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

__all__ = ["Column", "fitted_table", "print_fitted"]

_GAP = 3  # " │ " between two columns (no outer edge, no edge padding)
_NARROWEST = 8  # a wrapping column narrower than this is unreadable


@dataclass(frozen=True)
class Column:
    """``priority`` 0 is never dropped; higher numbers go first when the width runs out."""

    header: str
    priority: int = 0
    justify: Literal["left", "right"] = "left"
    whole: bool = False
    """Never wrapped or cut (ids, numbers, timestamps): shown whole or not at all."""


def _needed(column: Column, values: Sequence[str]) -> int:
    widest = max((len(v) for v in values), default=0)
    if column.whole:
        return max(len(column.header), widest)
    longest_word = max((len(w) for v in values for w in v.split()), default=0)
    return max(min(len(column.header), _NARROWEST), min(widest, max(longest_word, _NARROWEST)))


def fitted_table(
    console: Console, columns: Sequence[Column], rows: Sequence[Sequence[str]]
) -> tuple[Table, list[str]]:
    """A table of ``rows`` within ``console.width``, and the headers of the columns left out.

    Columns of priority 0 are always shown; the others are taken in priority order while
    they fit, so a wide column that does not fit leaves room for narrower, later ones.
    """
    from rich.table import Table

    needs = [_needed(c, [row[i] for row in rows]) for i, c in enumerate(columns)]
    kept = [i for i, c in enumerate(columns) if c.priority == 0]
    used = sum(needs[i] for i in kept) + _GAP * (len(kept) - 1)
    for i in sorted(range(len(columns)), key=lambda i: columns[i].priority):
        if i not in kept and used + _GAP + needs[i] <= console.width:
            kept.append(i)
            used += _GAP + needs[i]
    kept.sort()
    table = Table(show_edge=False, pad_edge=False)
    for i in kept:
        column = columns[i]
        table.add_column(
            column.header,
            justify=column.justify,
            no_wrap=column.whole,
            min_width=needs[i] if column.whole else None,
            overflow="fold",
        )
    for row in rows:
        table.add_row(*(row[i] for i in kept))
    return table, [c.header for i, c in enumerate(columns) if i not in kept]


def print_fitted(
    console: Console, notes: Console, columns: Sequence[Column], rows: Sequence[Sequence[str]]
) -> None:
    """The fitted table on ``console``; which columns were left out, on ``notes`` (stderr)."""
    table, dropped = fitted_table(console, columns, rows)
    console.print(table)
    if dropped:
        notes.print(f"Not shown at this width: {', '.join(dropped)} (wider terminal or --json).")
