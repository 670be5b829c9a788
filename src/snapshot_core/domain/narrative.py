"""SnapshotNarrative: what the model writes, and its JSON schema for OpenAI strict mode."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["NARRATIVE_SCHEMA_NAME", "Finding", "SnapshotNarrative", "narrative_json_schema"]

NARRATIVE_SCHEMA_NAME = "snapshot_narrative"


class Finding(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    topic: Literal["demand", "pricing", "decision_latency", "outcomes"]
    text: str = Field(min_length=1, max_length=600)
    # The ids of the AgentInput facts the text rests on; its numbers are checked against them.
    facts: tuple[str, ...] = Field(default=(), max_length=12)


class SnapshotNarrative(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    headline: str = Field(min_length=1, max_length=200)
    findings: tuple[Finding, ...] = Field(min_length=1, max_length=6)


# Strict mode rejects some JSON Schema keywords; pydantic still enforces the lengths after.
_UNSUPPORTED_IN_STRICT = {"minLength", "maxLength", "maxItems", "default", "title"}


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        cleaned = {k: _strip(v) for k, v in node.items() if k not in _UNSUPPORTED_IN_STRICT}
        if cleaned.get("type") == "object":
            cleaned["additionalProperties"] = False
            cleaned["required"] = list(cleaned.get("properties", {}))
        return cleaned
    if isinstance(node, list):
        return [_strip(item) for item in node]
    return node


def narrative_json_schema() -> dict[str, Any]:
    """The schema sent as ``response_format.json_schema.schema`` (strict: true).

    Every object lists all its properties as required, forbids additional properties,
    and carries no defaults, as OpenAI's strict structured outputs demand.
    """
    return _strip(SnapshotNarrative.model_json_schema())  # type: ignore[no-any-return]
