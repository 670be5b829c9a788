"""SnapshotNarrative: what the model writes, and its JSON schema for OpenAI strict mode.

The model writes ``{"headline": ..., "points": [[text, fact id, ...], ...]}``: each finding as
its text, then the ids of the facts it rests on. An array of strings costs a quarter of an
object's schema and no keys per finding in the reply, and ``points`` is one token where
``findings`` is two (every schema and reply token is paid on every call). A snapshot stores
``findings`` as objects (``text``, ``facts``, ``topic``); both forms are read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

__all__ = [
    "NARRATIVE_SCHEMA_NAME",
    "Finding",
    "NarrativeTopic",
    "SnapshotNarrative",
    "narrative_json_schema",
]

NARRATIVE_SCHEMA_NAME = "summary"  # one token: the name is sent on every call
_REPLY_FINDINGS = "points"  # ``findings`` as the model writes them

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

    @model_validator(mode="before")
    @classmethod
    def _from_reply(cls, data: Any) -> Any:
        """The reply's ``points`` as ``findings``, each ``[text, fact id, ...]`` as an object;
        anything else is left to the schema (an empty or non-string array is refused)."""
        if not isinstance(data, dict):
            return data
        if _REPLY_FINDINGS in data and "findings" not in data:
            data = {k if k != _REPLY_FINDINGS else "findings": v for k, v in data.items()}
        if isinstance(data.get("findings"), list):
            findings = [
                {"text": f[0], "facts": tuple(f[1:])} if _written_as_array(f) else f
                for f in data["findings"]
            ]
            return {**data, "findings": findings}
        return data

    def filed(self, topic_of: Callable[[tuple[str, ...]], NarrativeTopic]) -> SnapshotNarrative:
        """Every finding with a topic: one without gets ``topic_of(its fact ids)``."""
        findings = tuple(
            f if f.topic is not None else f.model_copy(update={"topic": topic_of(f.facts)})
            for f in self.findings
        )
        return self.model_copy(update={"findings": findings})

    def as_reply(self) -> dict[str, Any]:
        """The narrative as the model writes it (no topics), for the fake model."""
        return {
            "headline": self.headline,
            _REPLY_FINDINGS: [[f.text, *f.facts] for f in self.findings],
        }


def _written_as_array(finding: Any) -> bool:
    return isinstance(finding, list) and bool(finding) and all(isinstance(x, str) for x in finding)


def narrative_json_schema() -> dict[str, Any]:
    """The schema sent as ``response_format.json_schema.schema`` (strict: true).

    Its object lists all its properties as required, forbids additional properties, and
    carries no defaults or lengths, as OpenAI's strict structured outputs demand (pydantic
    enforces the lengths on the reply; every schema token is paid on every call).
    """
    strings = {"items": {"type": "string"}, "type": "array"}
    return {
        "additionalProperties": False,
        "properties": {
            "headline": {"type": "string"},
            _REPLY_FINDINGS: {"items": strings, "type": "array"},
        },
        "required": ["headline", _REPLY_FINDINGS],
        "type": "object",
    }
