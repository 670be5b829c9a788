"""Insight and InsightKind: what the catalogue finds, and the shape of each kind."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field

from ..models import EstimateBuckets, FrozenModel
from ..narrative import NarrativeTopic

__all__ = ["Direction", "Insight", "InsightKind", "Topic"]

Direction = Literal["good", "bad"]
Topic = NarrativeTopic  # one list of topics: the narrative's


class Insight(FrozenModel):
    """One finding of the catalogue, with the numbers it rests on (name suffix = kind:
    ``_n`` count, ``_pct`` percent, ``_chg`` percent change, ``_pts`` points, ``_amt`` money,
    ``_days`` days; each stated with the decimals it has)."""

    code: str = Field(description="the kind's stable code, also the fact id the model cites")
    topic: Topic = Field(description="the narrative topic it belongs to")
    direction: Direction = Field(description="good or bad for the contractor")
    magnitude: float = Field(ge=0, description="size of the effect, 0..1+, for ranking")
    week: str | None = Field(default=None, description="the week it is about, if one")
    band: str | None = Field(default=None, description="the band it is about, if one")
    values: dict[str, Decimal] = Field(description="the numbers it rests on, by name")


class InsightKind:
    """A kind of insight: ``code`` and ``meaning`` (docs/metrics.md has a row per code)."""

    code: ClassVar[str]
    meaning: ClassVar[str]
    topic: ClassVar[Topic]

    @classmethod
    def detect(cls, buckets: EstimateBuckets) -> Insight | None:
        raise NotImplementedError

    @classmethod
    def _make(cls, direction: Direction, magnitude: float, **values: Decimal) -> Insight:
        return Insight(
            code=cls.code,
            topic=cls.topic,
            direction=direction,
            magnitude=round(magnitude, 4),
            values=values,
        )
