"""Robust statistics for the insight gates: Theil-Sen slope, Mann-Kendall test, robust z-score,
two-proportion and two-count z tests. Plain Python; small series (weeks), so O(n^2) is fine."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from itertools import combinations

__all__ = [
    "mann_kendall_z",
    "robust_z_scores",
    "theil_sen_slope",
    "two_count_z",
    "two_proportion_z",
]


def theil_sen_slope(values: Sequence[float]) -> float:
    """The median of the slopes between every pair of points (x = 0, 1, 2 ...)."""
    slopes = [(values[j] - values[i]) / (j - i) for i, j in combinations(range(len(values)), 2)]
    return statistics.median(slopes)


def mann_kendall_z(values: Sequence[float]) -> float:
    """Mann-Kendall's S as a z-score, with the tie correction and continuity correction."""
    n = len(values)
    s = sum((values[j] > values[i]) - (values[j] < values[i]) for i, j in combinations(range(n), 2))
    ties = [values.count(v) for v in set(values)]
    variance = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18
    if variance <= 0:
        return 0.0
    return (s - math.copysign(1, s)) / math.sqrt(variance) if s else 0.0


def robust_z_scores(values: Sequence[float], *, counts: bool = False) -> list[float] | None:
    """0.6745 (x - median) / MAD for each value (Iglewicz and Hoaglin); ``None`` when the
    spread is 0. For ``counts`` the spread is at least a count's own noise, sqrt(median): a
    few weeks' MAD of small counts is often far below it, and would flag ordinary weeks."""
    median = statistics.median(values)
    spread = statistics.median([abs(v - median) for v in values]) / 0.6745
    if counts:
        spread = max(spread, math.sqrt(median))
    if spread == 0:
        return None
    return [(v - median) / spread for v in values]


def two_proportion_z(hits_a: int, n_a: int, hits_b: int, n_b: int) -> float:
    """z of p_b - p_a with the pooled proportion; 0 when undefined."""
    if not n_a or not n_b:
        return 0.0
    pooled = (hits_a + hits_b) / (n_a + n_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    return 0.0 if spread == 0 else (hits_b / n_b - hits_a / n_a) / spread


def two_count_z(before: int, after: int) -> float:
    """Two Poisson counts over equal spans: z of after - before (conditional binomial test)."""
    total = before + after
    return 0.0 if total == 0 else (after - before) / math.sqrt(total)
