"""The model call has a total deadline: a server trickling its reply cannot keep it alive."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from openai_chat_server import Reply, completion
from openai_test_data import SOURCE_NAME, USER, realistic_rows

from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.system import SystemClock, UuidIds
from snapshot_core import Orchestrator
from snapshot_core.domain import (
    LlmTimeoutError,
    RunPolicy,
    SnapshotInProgressError,
    build_agent_input,
)

# A whole reply, one byte every 0.4 s: each read is quick, the reply would take minutes.
TRICKLE = Reply(body=completion('{"headline": "x", "findings": []}'), trickle=0.4)


def test_a_trickling_reply_fails_as_llm_timeout_at_the_deadline(make_model, make_flow, chat_server):
    chat_server.respond(TRICKLE)
    model = make_model(SNAPSHOT_LLM_TIMEOUT="1.5")
    flow = make_flow(model)

    started = time.monotonic()
    with pytest.raises(LlmTimeoutError) as raised:
        flow.run()
    elapsed = time.monotonic() - started

    assert model.deadline_seconds == 1.5
    assert 1.4 <= elapsed < 1.5 + 1.0  # at the deadline, not one read timeout per byte
    assert "within 1.5 s" in raised.value.detail
    assert len(chat_server.requests) == 1
    [run] = flow.store.runs
    assert run.error_code == "llm_timeout"


def test_the_async_call_is_bounded_the_same_way(make_model, make_flow, chat_server):
    chat_server.respond(TRICKLE)
    model = make_model(SNAPSHOT_LLM_TIMEOUT="1.5")
    flow = make_flow(model)
    agent_input = build_agent_input(flow.store.buckets[flow.source_id])

    started = time.monotonic()
    with pytest.raises(LlmTimeoutError) as raised:
        asyncio.run(model.agenerate(agent_input))
    elapsed = time.monotonic() - started

    assert 1.4 <= elapsed < 1.5 + 1.0
    assert len(chat_server.requests) == 1
    assert raised.value.facts is not None  # the request was sent: its hash is on record
    assert raised.value.facts.request_sha256


def test_agenerate_reads_a_reply_exactly_as_generate_does(make_model, make_flow, chat_server):
    chat_server.respond(Reply(body=completion('{"headline": "h", "findings": []}')))
    model = make_model()
    flow = make_flow(model)
    agent_input = build_agent_input(flow.store.buckets[flow.source_id])

    sync_reply = model.generate(agent_input)
    async_reply = asyncio.run(model.agenerate(agent_input))

    assert async_reply == sync_reply
    assert len(chat_server.requests) == 2
    assert chat_server.requests[0].body == chat_server.requests[1].body


def test_two_racing_runs_against_a_trickling_server_send_one_request(make_model, chat_server):
    # Timeout 5 s with a server sending a byte every 4 s, as in the report (whose lease of 8 s
    # settings now refuse: the lease must outlast the deadline by the safety margin). The call
    # ends at its deadline, so the lease cannot expire under it: no second run takes over.
    chat_server.respond(Reply(body=completion("{}"), trickle=4.0))
    model = make_model(SNAPSHOT_LLM_TIMEOUT="5", SNAPSHOT_LEASE_SECONDS="15")
    store = MemoryStore()
    orchestrator = Orchestrator(
        uow_factory=store,
        model=model,
        clock=SystemClock(),
        ids=UuidIds(),
        policy=RunPolicy(lease_seconds=8),  # the claim's lease is computed from the deadline
    )
    source_id = orchestrator.ingest_estimates(user_id=USER, rows=realistic_rows(), name=SOURCE_NAME)
    orchestrator.bucket_source(source_id=source_id, user_id=USER)
    outcomes: list[str] = []
    durations: list[float] = []

    def run() -> None:
        started = time.monotonic()
        try:
            orchestrator.run_snapshot(source_id=source_id, user_id=USER)
            outcomes.append("succeeded")
        except (LlmTimeoutError, SnapshotInProgressError) as error:
            outcomes.append(error.code)
        durations.append(time.monotonic() - started)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["llm_timeout", "snapshot_in_progress"]
    assert len(chat_server.requests) == 1
    assert max(durations) < 5 + 1.5  # the call ended at its deadline, well inside the lease
    [run] = [r for r in store.runs if r.error_code == "llm_timeout"]
