"""Insights: the deterministic catalogue (gates, ranking) and the template narrative."""

from .catalogue import CATALOGUE, Direction, Insight, InsightKind, rank_insights
from .template import template_narrative

__all__ = [
    "CATALOGUE",
    "Direction",
    "Insight",
    "InsightKind",
    "rank_insights",
    "template_narrative",
]
