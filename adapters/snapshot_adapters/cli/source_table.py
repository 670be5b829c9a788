"""The `snapshot sources` table, from plain values: the full path and the fast read path
(`fast_read`) print it through this one function, so the two cannot drift apart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from .tables import Column, print_fitted

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["print_source_rows", "source_row"]

_COLUMNS = (
    Column("source_id", whole=True),
    Column("status", whole=True),
    Column("latest snapshot", priority=1, whole=True),
    Column("estimates", priority=2, justify="right", whole=True),
    Column("name", priority=3),
    Column("created (UTC)", priority=4, whole=True),
)


def source_row(
    source_id: str,
    status: str,
    latest_snapshot_id: str | None,
    estimate_count: int,
    name: str,
    created_at: datetime,
) -> list[str]:
    """One source's cells, as the table shows them."""
    return [
        source_id,
        status,
        "–" if latest_snapshot_id is None else latest_snapshot_id,
        str(estimate_count),
        name,
        f"{created_at:%Y-%m-%d %H:%M}",
    ]


def print_source_rows(console: Console, notes: Console, rows: Sequence[Sequence[str]]) -> None:
    """The table on ``console``; the columns the width left out, on ``notes`` (stderr)."""
    print_fitted(console, notes, _COLUMNS, rows)
