"""Tokens and cost of one snapshot's model call, counted offline with the real o200k tokenizer.

    .venv/bin/python benchmarks/bench_tokens.py

A realistic source (530 estimates over 16 ISO weeks, every price and latency band populated,
outcomes won/lost/pending, a rising win rate and an old open pipeline) is ingested and bucketed
with the core, and its ranked insights selected as a run does; the OpenAI adapter renders its
request through the real SDK and HTTP client onto a recording network backend (no socket),
and the body it sends is measured. The typical narrative is the fake model's (the core's
template). OpenAI's accounting of the schema is unpublished: the schema is counted as the
compact JSON of ``response_format``, an estimate.
"""

from __future__ import annotations

import hashlib
import json
import platform
import random
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from typing import Any

import bpe_openai
import httpcore2
import httpx2

from snapshot_adapters.fake import (
    FakeModel,
    FixedClock,
    SequentialIds,
    banded_estimates,
    fake_narrative,
)
from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.openai import (
    OpenAIChatModel,
    build_chat_request,
    encode_request_body,
    narrative_response_format,
    price_usd,
)
from snapshot_core import Orchestrator
from snapshot_core.domain import (
    AgentInput,
    EstimateRow,
    RunPolicy,
    TokenUsage,
    build_agent_input,
    rank_insights,
)

MODEL = "gpt-4o-2024-08-06"
# OpenAI's cookbook ("How to count tokens with tiktoken"): each chat message costs 3 tokens
# besides its content, and every reply is primed with 3 more.
PER_MESSAGE, REPLY_PRIMING = 3, 3
GOAL_TOKENS, GOAL_USD = 600, 0.0025


def sixteen_weeks_with_outcomes(seed: int = 7) -> list[EstimateRow]:
    """The 12-week banded source, stretched to 16 weeks (2026-W02..W17), with outcomes: the
    win rate rises from about 30 % to 55 % over the last weeks, and early estimates stay open."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    rows = []
    for index, row in enumerate(banded_estimates(530, seed=seed)):
        week = rng.randrange(16)
        sent = start + timedelta(weeks=week, days=rng.randrange(5), hours=rng.randrange(9))
        decided = None if row.decided_at is None else sent + (row.decided_at - row.sent_at)
        p_win = 0.3 if week < 11 else 0.55
        outcome = "pending" if decided is None else ("won" if rng.random() < p_win else "lost")
        rows.append(
            EstimateRow(
                amount=row.amount,
                sent_at=sent,
                decided_at=decided,
                estimate_id=f"EST-{index:05d}",
                outcome=outcome,  # type: ignore[arg-type]
            )
        )
    return rows


def bucketed_agent_input(rows: list[EstimateRow]) -> AgentInput:
    """Ingest and bucket through the core's use cases; the AgentInput a run would send."""
    store = MemoryStore()
    flow = Orchestrator(
        uow_factory=store, model=FakeModel(), clock=FixedClock(), ids=SequentialIds()
    )
    source_id = flow.ingest_estimates(user_id="bench", rows=rows, name="bench")
    buckets = flow.bucket_source(source_id=source_id, user_id="bench")
    policy = RunPolicy()
    return build_agent_input(buckets, rank_insights(buckets, policy.max_insights))


class RecordingStream(httpcore2.MockStream):
    """An in-process connection: answers with ``reply`` and keeps every byte the client writes."""

    def __init__(self, reply: bytes, written: bytearray) -> None:
        super().__init__([reply])
        self._written = written

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._written += buffer


class RecordingBackend(httpcore2.MockBackend):
    """httpcore2's network backend with no socket: each connection is a ``RecordingStream``.
    The client keeps its default transport, so the adapter's deadline backend wraps this one
    exactly as it wraps the real network."""

    def __init__(self, reply: bytes) -> None:
        super().__init__([])
        self.reply = reply
        self.written = bytearray()

    def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore2.NetworkStream:
        return RecordingStream(self.reply, self.written)


def wire_body(agent_input: AgentInput) -> bytes:
    """The exact body the adapter sends, captured below the HTTP client (no network)."""
    message = {"role": "assistant", "content": json.dumps(fake_narrative(agent_input))}
    choice = {"index": 0, "message": {**message, "refusal": None}, "finish_reason": "stop"}
    payload = json.dumps({"model": MODEL, "choices": [choice]}).encode()
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    backend = RecordingBackend(head.encode() + payload)
    client = httpx2.Client()
    client._transport._pool._network_backend = backend  # type: ignore[attr-defined]
    model = OpenAIChatModel(
        api_key="sk-offline-benchmark", base_url="http://127.0.0.1:9/v1", http_client=client
    )
    model.generate(agent_input)
    return bytes(backend.written).split(b"\r\n\r\n", 1)[1]


def measure(agent_input: AgentInput) -> dict[str, Any]:
    encoding = bpe_openai.get_encoding("o200k_base")

    def tokens(value: Any) -> int:
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        return len(encoding.encode(text))

    body = wire_body(agent_input)
    request = build_chat_request(agent_input, model=MODEL, temperature=0.1, max_tokens=2000)
    assert body == encode_request_body(request), "the builder no longer matches the wire body"
    system, user = (tokens(m["content"]) for m in request["messages"])
    messages = system + user + 2 * PER_MESSAGE + REPLY_PRIMING
    schema = tokens(narrative_response_format())
    narrative = tokens(fake_narrative(agent_input))
    usage = TokenUsage(prompt_tokens=messages + schema, completion_tokens=narrative)
    return {
        "body_bytes": len(body),
        "body_sha256": hashlib.sha256(body).hexdigest(),
        "system": system,
        "user": user,
        "messages": messages,
        "schema": schema,
        "narrative": narrative,
        "total": messages + schema + narrative,
        "cost": price_usd(MODEL, usage),
    }


def main() -> None:
    agent_input = bucketed_agent_input(sixteen_weeks_with_outcomes())
    weeks = len(agent_input.weekly_volume.counts)
    empty = [
        band
        for bands in (agent_input.price_distribution, agent_input.decision_latency)
        for band, cells in bands.items()
        if not cells[0]
    ]
    m = measure(agent_input)
    print(
        f"machine: {platform.machine()}, Python {platform.python_version()}, "
        f"openai {version('openai')}, bpe-openai {version('bpe-openai')}, "
        f"genai-prices {version('genai-prices')}"
    )
    print(f"source: n={agent_input.estimate_count}, {weeks} weeks, empty bands: {empty or 'none'}")
    print(f"insights sent: {', '.join(agent_input.insights) or 'none'}")
    print(f"request body on the wire: {m['body_bytes']} bytes, sha256 {m['body_sha256'][:16]}…")
    print(f"system prompt            {m['system']:5d} tokens")
    print(f"AgentInput (user)        {m['user']:5d} tokens")
    print(f"messages incl. overhead  {m['messages']:5d} tokens  (+3 per message, +3 reply priming)")
    print(
        f"schema (response_format) {m['schema']:5d} tokens  (estimate: OpenAI's count unpublished)"
    )
    print(f"typical narrative        {m['narrative']:5d} tokens  (fake_narrative, compact JSON)")
    ok_tokens = "meets" if m["total"] <= GOAL_TOKENS else "misses"
    print(
        f"total                    {m['total']:5d} tokens  ({ok_tokens} the goal of {GOAL_TOKENS})"
    )
    cost = m["cost"]
    ok_cost = "meets" if cost is not None and cost <= GOAL_USD else "misses"
    print(f"cost at gpt-4o list prices: ${cost} ({ok_cost} the goal of ${GOAL_USD})")


if __name__ == "__main__":
    main()
