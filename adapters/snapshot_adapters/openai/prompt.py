"""The prompt and the exact Chat Completions request: a short system message plus the aggregates."""

from __future__ import annotations

import json
from typing import Any

from snapshot_core.domain import NARRATIVE_SCHEMA_NAME, AgentInput, narrative_json_schema

__all__ = [
    "SYSTEM_PROMPT",
    "build_chat_request",
    "build_messages",
    "encode_request_body",
    "narrative_response_format",
]

# Short on purpose: every token here is paid on every snapshot. It states what the keys do not:
# the positional layouts (weeks; bands, a latency band's row being the first two of a price
# band's; an insight's good/bad key speaks for itself), what null means, the grounding rule
# the core enforces afterwards (a reply citing any other number fails with
# ungrounded_output), and how a finding names the facts it rests on.
SYSTEM_PROMPT = (
    "Summarise contractor estimates, insights first. weeks: counts from the first ISO week; "
    "price, days (to decide): band:[n,share%,amount,win%]; null: hidden. Cite numbers as "
    "written, money with currency sign, weeks by label; derive none. Point: [text, keys cited]."
)


def narrative_response_format() -> dict[str, Any]:
    """``response_format`` for strict structured outputs with the narrative schema."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": NARRATIVE_SCHEMA_NAME,
            "schema": narrative_json_schema(),
            "strict": True,
        },
    }


def build_messages(agent_input: AgentInput) -> list[dict[str, str]]:
    """The system prompt, then the AgentInput as compact JSON: nothing else reaches the model."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": agent_input.to_json()},
    ]


def build_chat_request(
    agent_input: AgentInput, *, model: str, temperature: float, max_tokens: int
) -> dict[str, Any]:
    """The keyword arguments of ``chat.completions.create``, which are also the JSON body.

    ``max_tokens`` rather than ``max_completion_tokens``: gpt-4o accepts both, and it is the
    one OpenAI-compatible servers (vLLM, Ollama, llama.cpp) understand.
    """
    # Keys in the order the SDK serialises them, so ``encode_request_body`` reproduces the
    # bytes on the wire exactly (a test compares them with what a local server received).
    return {
        "model": model,
        "messages": build_messages(agent_input),
        "max_tokens": max_tokens,
        "response_format": narrative_response_format(),
        "temperature": temperature,
    }


def encode_request_body(request: dict[str, Any]) -> bytes:
    """The body bytes as the SDK serialises them (compact, UTF-8, no NaN), for offline use.

    Run records hash the bytes actually sent, taken from the SDK's request, not these.
    """
    return json.dumps(request, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
