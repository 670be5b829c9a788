"""GroundingNumber: one number (or label) the narrative may cite, with its fact id, kind and
stated rounding, so a citation is checked against a fact of the same kind."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

__all__ = ["FactKind", "GroundingNumber"]

# count: how many estimates (or weeks); percent: a share, rate or percent change; points: a
# change of a rate in percentage points; money: an amount or a price band edge; days: a
# duration or latency band edge; year: an ISO year of a week label; week, date and band:
# whole labels (a week label, its Monday, a band), cited only as written.
FactKind = Literal["count", "percent", "points", "money", "days", "year", "week", "date", "band"]


@dataclass(frozen=True, kw_only=True)
class GroundingNumber:
    """A citable fact. ``fact`` is the id a finding names in ``facts``; ``origin`` says where in
    the AgentInput it is (``price[1k-2.5k].share_pct``)."""

    fact: str
    """The id a finding names; several numbers may share one (a week: its count and label)."""
    origin: str
    """Where the number is in the AgentInput, for messages."""
    kind: FactKind
    """What the number measures; a citation must be of the same kind."""
    value: Decimal | None = None
    """The number; ``None`` for a label."""
    decimals: int = 0
    """The decimals it is stated with; a citation may round it, never be more precise."""
    label: str | None = None
    """For a week, date or band: the label as written."""
    change: bool = False
    """A percent change (signed): ratio words (doubled, half) are checked against it."""
