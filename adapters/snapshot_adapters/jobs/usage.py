"""A request's token estimate before the claim, and the facts of the call made after it."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from snapshot_core import Orchestrator
from snapshot_core.domain import (
    AgentInput,
    CallFacts,
    ModelCallError,
    ModelReply,
    build_agent_input,
    rank_insights,
    suppress_buckets,
)
from snapshot_core.ports import LanguageModel

__all__ = ["CallObserver", "ObservedModel", "Preflight", "preflight"]

# Calibrated with the o200k tokenizer (bpe-openai) against benchmarks/bench_tokens.py: the
# system prompt (77), chat overhead (9) and response_format schema (142) are 228 tokens
# whatever the source; the AgentInput's compact JSON came to 2.26 characters a token on
# three generated 16-week sources (831-834 characters, 368 tokens each). 2.25 rounds the
# estimate up. It is corrected from the reported usage after the call.
FIXED_PROMPT_TOKENS = 228
CHARS_PER_TOKEN = 2.25


def estimate_prompt_tokens(agent_input: AgentInput) -> int:
    return FIXED_PROMPT_TOKENS + math.ceil(len(agent_input.to_json()) / CHARS_PER_TOKEN)


@dataclass(frozen=True)
class Preflight:
    """What a read before the claim found: whether a call can follow, and its token cost."""

    callable: bool
    """The source is claimable now (a refused claim makes no call, so takes no budget)."""
    tokens: int = 0
    """Estimated prompt tokens plus ``max_tokens`` (what providers count against TPM)."""
    lease_left_seconds: float | None = None
    """When another run holds the claim: how long its lease still runs."""


def preflight(
    orchestrator: Orchestrator, *, source_id: str, user_id: str, max_tokens: int
) -> Preflight:
    """Read the source and its buckets (one short read, no claim) and build the request
    the claim would send, to size it. Errors are left to ``run_snapshot`` to raise."""
    policy = orchestrator.policy
    with orchestrator.uow_factory() as uow:
        now = orchestrator.clock.now()
        source = uow.sources.get(source_id, user_id)
        if source is None or not source.claimable(now):
            left = None
            if source is not None and source.has_live_claim(now) and source.lease_expires_at:
                left = (source.lease_expires_at - now).total_seconds()
            return Preflight(False, lease_left_seconds=left)
        buckets = uow.buckets.get(source_id)
    if buckets is None or buckets.estimate_count < policy.min_estimates:
        return Preflight(False)
    shown = suppress_buckets(buckets, policy.min_cell_count)
    agent_input = build_agent_input(
        shown, rank_insights(shown, policy.max_insights), policy.currency
    )
    return Preflight(True, tokens=estimate_prompt_tokens(agent_input) + max_tokens)


class CallObserver:
    """The facts of the last call each thread made (a Celery worker thread runs one task
    at a time, and a prefork child one task)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def record(self, facts: CallFacts | None) -> None:
        self._local.facts = facts
        self._local.called = True

    def take(self) -> tuple[bool, CallFacts | None]:
        """(whether a call was made since the last take, its facts if any)."""
        called = getattr(self._local, "called", False)
        facts = getattr(self._local, "facts", None)
        self._local.called, self._local.facts = False, None
        return called, facts


class ObservedModel:
    """A ``LanguageModel`` that tells a ``CallObserver`` about each call it passes on."""

    def __init__(self, inner: LanguageModel, observer: CallObserver) -> None:
        self._inner = inner
        self._observer = observer

    @property
    def model_name(self) -> str:
        return self._inner.model_name

    @property
    def deadline_seconds(self) -> float:
        return self._inner.deadline_seconds

    def ensure_ready(self) -> None:
        self._inner.ensure_ready()

    def generate(self, agent_input: AgentInput) -> ModelReply:
        try:
            reply = self._inner.generate(agent_input)
        except ModelCallError as error:
            self._observer.record(error.facts if isinstance(error.facts, CallFacts) else None)
            raise
        except BaseException:
            self._observer.record(None)
            raise
        self._observer.record(reply.facts)
        return reply
