"""The facts a snapshot's narrative cites, made again from the snapshot, and its text with each
number linked to the fact it rests on (``<a href="#fact-…">``).

A snapshot holds the shown buckets it was made from, so the AgentInput's facts (and the
insights among them) follow from it alone, as the model was given them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from snapshot_core.domain import (
    GroundingNumber,
    Insight,
    SnapshotResult,
    build_agent_input,
    grounding_fact,
    rank_insights,
    read_citations,
    shown_buckets,
)

from .svg import escape_text

__all__ = ["NarrativeFacts", "Targets", "anchor", "narrative_facts"]


def anchor(fact_id: str) -> str:
    """The element id of the row or tile a fact is shown in: ``fact-2026-W07``, ``fact-lt500``."""
    readable = fact_id.replace("<", "lt").replace("+", "plus").replace(".", "_")
    return "fact-" + re.sub(r"[^A-Za-z0-9_-]", lambda c: f"x{ord(c.group(0)):x}", readable)


@dataclass
class Targets:
    """The facts the narrative cites, and the element ids the page has handed out: a fact's
    id goes to the first element showing it, so no two elements share one."""

    cited: set[str]
    given: set[str] = field(default_factory=set)

    def attrs(self, fact_id: str | None, css: str = "") -> str:
        """`` id="fact-…" class="… cited"`` for the element showing ``fact_id``."""
        classes = " ".join(c for c in (css, "cited" if fact_id in self.cited else "") if c)
        written = f' class="{escape_text(classes)}"' if classes else ""
        if fact_id is None or anchor(fact_id) in self.given:
            return written
        self.given.add(anchor(fact_id))
        return f' id="{escape_text(anchor(fact_id))}"' + written


@dataclass(frozen=True)
class NarrativeFacts:
    """Every citable fact of a snapshot, and the insights (by code) among them."""

    facts: tuple[GroundingNumber, ...] = ()
    insights: dict[str, Insight] = field(default_factory=dict)

    @property
    def ids(self) -> set[str]:
        return {f.fact for f in self.facts}

    def linked(self, text: str, fact_ids: Sequence[str] = ()) -> tuple[str, set[str]]:
        """``text`` as HTML with each number a link to the fact that grounds it (among
        ``fact_ids`` when given, else all facts), and the ids linked. A number no fact
        grounds is left as text."""
        named = [f for f in self.facts if f.fact in set(fact_ids)] or list(self.facts)
        bands = sorted({f.label for f in self.facts if f.kind == "band" and f.label})
        html, position, linked = [], 0, set()
        for citation in sorted(read_citations(text, bands), key=lambda c: c.start):
            if citation.start < position:
                continue  # a unit read across another citation ("5 2026-W07 days"): left as text
            fact = grounding_fact(citation, named)
            html.append(escape_text(text[position : citation.start]))
            literal = escape_text(text[citation.start : citation.end])
            if fact is None:
                html.append(literal)
            else:
                href, tip = escape_text(anchor(fact.fact)), escape_text(fact.origin)
                html.append(f'<a class="num" href="#{href}" title="{tip}">{literal}</a>')
                linked.add(fact.fact)
            position = citation.end
        html.append(escape_text(text[position:]))
        return "".join(html), linked


def narrative_facts(snapshot: SnapshotResult, currency: str = "USD") -> NarrativeFacts:
    """The facts and insights made again from the snapshot's shown buckets; none for a
    snapshot whose figures no longer build an AgentInput (then nothing is linked)."""
    try:
        buckets = shown_buckets(snapshot)
        insights = rank_insights(buckets)
        agent_input = build_agent_input(buckets, insights, currency)
    except (ValidationError, ValueError, ArithmeticError):
        return NarrativeFacts()
    return NarrativeFacts(agent_input.grounding_facts(), {i.code: i for i in insights})
