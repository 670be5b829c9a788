"""What each chart of a snapshot's report must draw, counted from the snapshot itself: one
bar (or point) per shown value, one empty slot per hidden one. Shared by the page tests
(xml.etree) and the browser tests (CSS selectors, the same strings)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from snapshot_core.domain import SnapshotResult

__all__ = ["Marks", "count_marks", "expected_marks"]

# (chart id, CSS selector inside it) -> how many elements it must match.
Marks = dict[tuple[str, str], int]
SVG = "{http://www.w3.org/2000/svg}"


def _shown(values: Iterable[object]) -> int:
    return sum(value is not None for value in values)


def _hidden(values: Iterable[object]) -> int:
    return sum(value is None for value in values)


def expected_marks(snapshot: SnapshotResult, *, outcomes: bool) -> Marks:
    """``outcomes``: the test's own statement that the source had an outcome column."""
    weeks = snapshot.demand.weekly_volume
    prices = [b.count for b in snapshot.demand.price_distribution]
    latency = [b.count for b in snapshot.decision_latency.distribution]
    marks: Marks = {
        ("chart-weekly", "g.total circle.point"): _shown(w.count for w in weeks),
        ("chart-price", "rect.bar"): _shown(prices),
        ("chart-price", "rect.slot"): _hidden(prices),
        ("chart-latency", "rect.bar"): _shown(latency),
        ("chart-latency", "rect.slot"): _hidden(latency),
    }
    if outcomes:
        rates = [b.win_rate_pct for b in snapshot.demand.price_distribution]
        o = snapshot.outcomes
        amounts = [o.won_amount, o.lost_amount, o.open_amount]
        marks |= {
            ("chart-weekly", "g.won circle.point"): _shown(w.won for w in weeks),
            ("chart-weekly", "g.lost circle.point"): _shown(w.lost for w in weeks),
            ("chart-win-rate", "rect.bar"): _shown(rates),
            ("chart-win-rate", "rect.slot"): _hidden(rates),
            ("chart-money", "rect.bar"): _shown(amounts),
            ("chart-money", "rect.slot"): _hidden(amounts),
        }
    return marks


def _matches(element: ET.Element, step: str) -> bool:
    tag, *classes = step.split(".")
    names = set(element.get("class", "").split())
    return (not tag or element.tag == SVG + tag) and set(classes) <= names


def count_marks(svg: ET.Element, selector: str) -> int:
    """Elements under ``svg`` matching a descendant selector of ``tag.class`` steps."""
    *ancestors, last = selector.split()
    found = 0
    for element in svg.iter():
        if not _matches(element, last):
            continue
        if not ancestors:
            found += 1
            continue
        # every ancestor step must match some element on the path from svg
        path = _path_to(svg, element)
        steps = list(ancestors)
        for node in path:
            if steps and _matches(node, steps[0]):
                steps.pop(0)
        found += not steps
    return found


def _path_to(root: ET.Element, target: ET.Element) -> list[ET.Element]:
    for child in root:
        if child is target:
            return [root]
        path = _path_to(child, target)
        if path:
            return [root, *path]
    return []
