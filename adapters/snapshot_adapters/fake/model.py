"""FakeModel: a deterministic, offline LanguageModel whose narrative is grounded in its input."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from decimal import Decimal

from snapshot_core.domain import (
    AgentInput,
    CallFacts,
    ModelReply,
    TokenUsage,
    template_narrative,
)

__all__ = ["FAKE_MODEL_NAME", "FakeModel", "fake_narrative"]

FAKE_MODEL_NAME = "fake-narrator-1"


def fake_narrative(agent_input: AgentInput) -> dict[str, object]:
    """The core's template narrative as a model writes it: the same input always gives the
    same narrative, citing only facts of the input (each finding names the fact ids it rests
    on; the core files it under a topic)."""
    return template_narrative(agent_input).as_reply()


class FakeModel:
    """Deterministic model backend, sync (``generate``) and async (``agenerate``).

    ``calls`` records every AgentInput it was given (and ``payloads`` their JSON), the latest
    ``keep`` of them when ``keep`` is set. ``delay`` (seconds) simulates a slow model, for
    races and lease tests: ``generate`` sleeps, ``agenerate`` awaits without holding a thread.
    ``deadline_seconds`` is the total time a call may take; it defaults to ``delay`` (what a
    call really takes), and a test sets it lower to play a model that overruns its deadline.
    """

    model_name = FAKE_MODEL_NAME

    def __init__(
        self, delay: float = 0.0, *, keep: int | None = None, deadline_seconds: float | None = None
    ) -> None:
        self.delay = delay
        self.keep = keep
        self._deadline_seconds = delay if deadline_seconds is None else deadline_seconds
        self.calls: list[AgentInput] = []
        self.payloads: list[str] = []
        self._lock = threading.Lock()

    @property
    def deadline_seconds(self) -> float:
        return self._deadline_seconds

    def ensure_ready(self) -> None:
        """The fake needs nothing to be ready."""

    def _record(self, agent_input: AgentInput) -> tuple[str, CallFacts]:
        payload = agent_input.to_json()
        with self._lock:
            self.calls.append(agent_input)
            self.payloads.append(payload)
            if self.keep is not None and len(self.calls) > self.keep:
                del self.calls[0], self.payloads[0]
        facts = CallFacts(
            model=self.model_name,
            usage=TokenUsage(prompt_tokens=len(payload) // 4 + 60, completion_tokens=90),
            cost_usd=Decimal(0),
            request_sha256=hashlib.sha256(payload.encode()).hexdigest(),
        )
        return payload, facts

    def reply_content(self, agent_input: AgentInput) -> str:
        return json.dumps(fake_narrative(agent_input))

    def respond(self, agent_input: AgentInput, facts: CallFacts) -> ModelReply:
        """What the fake answers once its delay is over; the misbehaving variants raise here."""
        return ModelReply(content=self.reply_content(agent_input), facts=facts)

    def generate(self, agent_input: AgentInput) -> ModelReply:
        _, facts = self._record(agent_input)
        if self.delay:
            time.sleep(self.delay)
        return self.respond(agent_input, facts)

    async def agenerate(self, agent_input: AgentInput) -> ModelReply:
        _, facts = self._record(agent_input)
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.respond(agent_input, facts)
