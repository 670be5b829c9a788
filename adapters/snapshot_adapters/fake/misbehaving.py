"""Misbehaving fakes: each drives one failure path of run_snapshot, deterministically."""

from __future__ import annotations

import json

from snapshot_core.domain import (
    AgentInput,
    CallFacts,
    LlmApiError,
    LlmRefusalError,
    LlmTimeoutError,
    LlmTruncatedError,
    ModelReply,
)

from .model import FakeModel, fake_narrative

__all__ = [
    "MISBEHAVING_MODELS",
    "ApiErrorModel",
    "InvalidJsonModel",
    "RefusingModel",
    "SchemaViolatingModel",
    "TimingOutModel",
    "TruncatingModel",
    "UngroundedModel",
]


class InvalidJsonModel(FakeModel):
    def reply_content(self, agent_input: AgentInput) -> str:
        return '{"headline": "unterminated'


class SchemaViolatingModel(FakeModel):
    def reply_content(self, agent_input: AgentInput) -> str:
        narrative = fake_narrative(agent_input)
        narrative["findings"] = [{"topic": "weather", "text": "Sunny."}]
        return json.dumps(narrative)


class UngroundedModel(FakeModel):
    """Cites a number that is nowhere in the input (n + 7919, a prime far from any count)."""

    def reply_content(self, agent_input: AgentInput) -> str:
        narrative = fake_narrative(agent_input)
        narrative["headline"] = f"Revenue grew to {agent_input.estimate_count * 1000 + 7919}."
        return json.dumps(narrative)


class RefusingModel(FakeModel):
    def respond(self, agent_input: AgentInput, facts: CallFacts) -> ModelReply:
        raise LlmRefusalError("I can't help with that.", facts)


class TruncatingModel(FakeModel):
    def __init__(self, finish_reason: str = "length", delay: float = 0.0) -> None:
        super().__init__(delay)
        self.finish_reason = finish_reason

    def respond(self, agent_input: AgentInput, facts: CallFacts) -> ModelReply:
        raise LlmTruncatedError(self.finish_reason, facts)


class ApiErrorModel(FakeModel):
    def __init__(self, status: int = 429, retry_after: float | None = 20.0, delay: float = 0.0):
        super().__init__(delay)
        self.status, self.retry_after = status, retry_after

    def respond(self, agent_input: AgentInput, facts: CallFacts) -> ModelReply:
        raise LlmApiError(self.status, self.retry_after, facts=facts)


class TimingOutModel(FakeModel):
    """Times out before any reply, so the error carries no facts."""

    def respond(self, agent_input: AgentInput, facts: CallFacts) -> ModelReply:
        raise LlmTimeoutError("fake timeout")


# name -> (model class, expected error code): one table drives the failure-path tests.
MISBEHAVING_MODELS: dict[str, tuple[type[FakeModel], str]] = {
    "invalid_json": (InvalidJsonModel, "output_schema_violation"),
    "schema_violation": (SchemaViolatingModel, "output_schema_violation"),
    "ungrounded": (UngroundedModel, "ungrounded_output"),
    "refusal": (RefusingModel, "llm_refusal"),
    "truncated": (TruncatingModel, "llm_truncated"),
    "api_error": (ApiErrorModel, "llm_api_error"),
    "timeout": (TimingOutModel, "llm_timeout"),
}
