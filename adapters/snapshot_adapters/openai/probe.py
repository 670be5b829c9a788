"""`snapshot validate --probe`: does this endpoint really honour a strict json_schema?

Ollama, vLLM and some gateways accept ``response_format`` and ignore it. The probe asks for
something the schema forbids ("say hello") under a schema with one allowed answer: only an
endpoint that constrains decoding to the schema can reply with exactly that object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from snapshot_core.domain import CallFacts, TokenUsage

__all__ = ["PROBE_USAGE", "ProbeReport", "judge_probe", "probe_request"]

_EXPECTED = {"probe": "strict-ok", "n": 7}
_SCHEMA = {
    "type": "object",
    "properties": {
        "probe": {"type": "string", "enum": ["strict-ok"]},
        "n": {"type": "integer", "enum": [7]},
    },
    "required": ["probe", "n"],
    "additionalProperties": False,
}
# What the probe costs at most, for the price stated before it is sent.
PROBE_USAGE = TokenUsage(prompt_tokens=80, completion_tokens=20)


@dataclass(frozen=True)
class ProbeReport:
    honoured: bool
    detail: str
    facts: CallFacts | None = None
    estimated_cost_usd: Decimal | None = None


def probe_request(model: str) -> dict[str, Any]:
    """One minimal strict-schema request (about 80 tokens in, at most 20 out)."""
    return {
        "model": model,
        "messages": [{"role": "user", "content": "Say hello in one word."}],
        "max_tokens": PROBE_USAGE.completion_tokens,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "snapshot_probe", "schema": _SCHEMA, "strict": True},
        },
        "temperature": 0,
    }  # keys in the order the SDK's ``create`` serialises them (test_openai_same_wire)


def judge_probe(content: str) -> tuple[bool, str]:
    """Honoured when the reply is exactly the one object the schema allows."""
    try:
        value = json.loads(content)
    except ValueError:
        return False, f"the reply is not JSON ({content[:60]!r}): the schema was ignored"
    if value == _EXPECTED:
        return True, "the reply matched the strict schema exactly"
    return False, f"the reply {json.dumps(value)[:80]} does not match the schema: it was ignored"
