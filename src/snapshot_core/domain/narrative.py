"""SnapshotNarrative: what the model writes, and its JSON schema for OpenAI strict mode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

__all__ = [
    "NARRATIVE_SCHEMA_NAME",
    "Finding",
    "NarrativeTopic",
    "SnapshotNarrative",
    "narrative_json_schema",
]

NARRATIVE_SCHEMA_NAME = "snapshot_narrative"

NarrativeTopic = Literal["demand", "pricing", "decision_latency", "outcomes"]


class Finding(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    # Not asked of the model (absent from its schema: tokens on every finding): the core files
    # each finding under the topic of the first fact it names (``SnapshotNarrative.filed``).
    topic: SkipJsonSchema[NarrativeTopic | None] = None
    text: str = Field(min_length=1, max_length=600)
    # The ids of the AgentInput facts the text rests on; its numbers are checked against them.
    facts: tuple[str, ...] = Field(default=(), max_length=12)

    @property
    def topic_words(self) -> str:
        """The topic as a reader sees it ("decision latency"); empty before it is filed."""
        return (self.topic or "").replace("_", " ")


class SnapshotNarrative(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    headline: str = Field(min_length=1, max_length=200)
    findings: tuple[Finding, ...] = Field(min_length=1, max_length=6)

    def filed(self, topic_of: Callable[[tuple[str, ...]], NarrativeTopic]) -> SnapshotNarrative:
        """Every finding with a topic: one without gets ``topic_of(its fact ids)``."""
        findings = tuple(
            f if f.topic is not None else f.model_copy(update={"topic": topic_of(f.facts)})
            for f in self.findings
        )
        return self.model_copy(update={"findings": findings})

    def as_reply(self) -> dict[str, Any]:
        """The narrative as the model writes it (no topics), for the fake model."""
        return self.model_dump(mode="json", exclude={"findings": {"__all__": {"topic"}}})


# Strict mode rejects some JSON Schema keywords; pydantic still enforces the lengths after.
# ``minItems`` is accepted but left to pydantic too: every schema token is paid on every call.
_LEFT_TO_PYDANTIC = {"minLength", "maxLength", "minItems", "maxItems", "default", "title"}


def _strip(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:  # inlined: "$defs" and a "$ref" cost more tokens than the copy
            return _strip(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        cleaned = {
            k: _strip(v, defs)
            for k, v in node.items()
            if k not in _LEFT_TO_PYDANTIC and k != "$defs"
        }
        if cleaned.get("type") == "object":
            cleaned["additionalProperties"] = False
            cleaned["required"] = list(cleaned.get("properties", {}))
        return cleaned
    if isinstance(node, list):
        return [_strip(item, defs) for item in node]
    return node


def narrative_json_schema() -> dict[str, Any]:
    """The schema sent as ``response_format.json_schema.schema`` (strict: true).

    Every object lists all its properties as required, forbids additional properties,
    and carries no defaults, as OpenAI's strict structured outputs demand; definitions are
    inlined (the schema has no recursion).
    """
    schema = SnapshotNarrative.model_json_schema()
    return _strip(schema, schema.get("$defs", {}))  # type: ignore[no-any-return]
