"""Price and latency bands: edges, the labels made from them, the band a value falls in."""

from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..models import BAND_LABEL_MAX_LENGTH, BAND_LABEL_PATTERN

__all__ = ["DEFAULT_BAND_SCHEME", "PENDING", "BandScheme"]

PENDING = "pending"


def _short_amount(value: Decimal) -> str:
    """500 -> '500', 1000 -> '1k', 2500 -> '2.5k' (the labels users and the model read)."""
    if value >= 1000:
        return f"{(value / 1000).normalize():f}k"
    return f"{value.normalize():f}"


class BandScheme(BaseModel):
    """Band edges. A value equal to an edge falls in the band that starts at that edge."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    price_edges: tuple[Decimal, ...] = Field(
        default=(Decimal(500), Decimal(1000), Decimal(2500), Decimal(5000), Decimal(10000)),
        min_length=1,
    )
    latency_edges_days: tuple[int, ...] = Field(default=(3, 8, 15, 31), min_length=1)

    @model_validator(mode="after")
    def _edges_ascend(self) -> BandScheme:
        for edges in (self.price_edges, self.latency_edges_days):
            as_decimals = [Decimal(edge) for edge in edges]
            if as_decimals[0] <= 0 or any(b <= a for a, b in pairwise(as_decimals)):
                raise ValueError("band edges must be positive and strictly ascending")
        for label in (*self.price_labels, *self.latency_labels):
            # Checked here, not at run time: a scheme the AgentInput cannot carry must fail
            # when it is configured, never after a source was claimed.
            if len(label) > BAND_LABEL_MAX_LENGTH or not re.match(BAND_LABEL_PATTERN, label):
                raise ValueError(f"band label {label!r} is too long or not a plain range")
        return self

    @property
    def price_labels(self) -> tuple[str, ...]:
        edges = [_short_amount(e) for e in self.price_edges]
        middle = [f"{lo}-{hi}" for lo, hi in pairwise(edges)]
        return (f"<{edges[0]}", *middle, f"{edges[-1]}+")

    @property
    def latency_labels(self) -> tuple[str, ...]:
        """Decided bands in order, then ``pending``."""
        labels, lower = [], 0
        for edge in self.latency_edges_days:
            labels.append(f"{lower}-{edge - 1}d")
            lower = edge
        return (*labels, f"{lower}d+", PENDING)

    def price_band_index(self, amount: Decimal) -> int:
        return bisect_right(self.price_edges, amount)

    def latency_band_index(self, days: int | None) -> int:
        """Index into ``latency_labels``; ``None`` (no decision) is the last, ``pending``."""
        if days is None:
            return len(self.latency_edges_days) + 1
        return bisect_right(self.latency_edges_days, days)


# Made without validating: these edges are the fields' own defaults, which the validator
# accepts (a test checks that validating them gives an equal scheme). Validating here built
# the model's schema at import, a cost paid by every command that imports the bands (even
# `snapshot ingest`, which never validates a scheme).
DEFAULT_BAND_SCHEME = BandScheme.model_construct()
