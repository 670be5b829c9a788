"""The exact request the adapter sends, and what a successful run records."""

from __future__ import annotations

import hashlib

from openai_chat_server import SERVED_MODEL, USAGE, grounded_completion
from openai_test_data import API_KEY, CANARY_AMOUNTS, CANARY_IDS, SOURCE_NAME, USER

from snapshot_adapters.openai import (
    SYSTEM_PROMPT,
    OpenAIChatModel,
    build_chat_request,
    encode_request_body,
)
from snapshot_core.domain import (
    NARRATIVE_SCHEMA_NAME,
    AgentInput,
    RunPolicy,
    build_agent_input,
    narrative_json_schema,
    rank_insights,
)


def test_the_request_is_exactly_the_strict_narrative_call(make_model, make_flow, chat_server):
    flow = make_flow(make_model(SNAPSHOT_TEMPERATURE="0.3", SNAPSHOT_MAX_TOKENS="1500"))
    flow.run()

    [request] = chat_server.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    body = request.json()
    assert set(body) == {"model", "messages", "temperature", "max_tokens", "response_format"}
    assert body["model"] == "gpt-4o-2024-08-06"
    assert body["temperature"] == 0.3
    assert body["max_tokens"] == 1500
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": NARRATIVE_SCHEMA_NAME,
            "schema": narrative_json_schema(),
            "strict": True,
        },
    }
    system, user = body["messages"]
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    assert len(SYSTEM_PROMPT) < 400
    assert user["role"] == "user"
    buckets = flow.store.buckets[flow.source_id]
    insights = rank_insights(buckets, RunPolicy().max_insights)  # as the run selects them
    assert user["content"] == build_agent_input(buckets, insights).to_json()  # exactly the core's
    AgentInput.model_validate_json(user["content"])  # strict: nothing else fits in it


def test_no_raw_value_or_user_text_reaches_the_server(make_model, make_flow, chat_server):
    make_flow(make_model()).run()

    [request] = chat_server.requests
    sent = request.body.decode()
    for canary in (*CANARY_AMOUNTS, *CANARY_IDS, SOURCE_NAME, "Smith", "2026-01-", "EST-"):
        assert canary not in sent
    for amount in CANARY_AMOUNTS:  # not even the whole part of an amount
        assert amount.split(".")[0] not in sent


def test_the_body_on_the_wire_is_the_builder_output_and_its_hash_is_recorded(
    make_model, make_flow, chat_server
):
    flow = make_flow(make_model())
    flow.run()

    [request] = chat_server.requests
    agent_input = build_agent_input(flow.store.buckets[flow.source_id])
    built = build_chat_request(
        agent_input, model="gpt-4o-2024-08-06", temperature=0.1, max_tokens=2000
    )
    assert request.body == encode_request_body(built)
    [run] = flow.store.runs
    assert run.request_sha256 == hashlib.sha256(request.body).hexdigest()


def test_a_success_saves_the_snapshot_and_records_tokens_model_and_cost(
    make_model, make_flow, chat_server
):
    def served_as_snapshot_name(request):
        reply = grounded_completion(request)
        reply.body["model"] = "gpt-4o-2024-08-06-served"
        return reply

    chat_server.respond(served_as_snapshot_name)
    flow = make_flow(make_model())
    snapshot_id = flow.run()

    assert len(chat_server.requests) == 1
    assert flow.status() == "snapshot_generated"
    snapshot = flow.orchestrator.get_snapshot(snapshot_id=snapshot_id, user_id=USER)
    assert snapshot.meta.model == "gpt-4o-2024-08-06-served"  # what the server reports
    [run] = flow.store.runs
    assert (run.outcome.value, run.error_code, run.model) == (
        "succeeded",
        None,
        "gpt-4o-2024-08-06-served",
    )
    assert (run.prompt_tokens, run.completion_tokens, run.cached_tokens) == (
        USAGE["prompt_tokens"],
        USAGE["completion_tokens"],
        USAGE["cached_tokens"],
    )
    # A loopback server has no list price; a self-hosted model's cost is unknown, not zero.
    assert run.cost_usd is None


def test_cost_is_priced_from_the_provider_table_when_the_provider_is_known(chat_server, make_flow):
    model = OpenAIChatModel(api_key=API_KEY, base_url=chat_server.base_url, price_provider="openai")
    flow = make_flow(model)
    flow.run()

    [run] = flow.store.runs
    assert run.model == SERVED_MODEL
    # gpt-4o list prices: $2.50/M input, $1.25/M cached input, $10/M output.
    expected = (
        (USAGE["prompt_tokens"] - USAGE["cached_tokens"]) * 2.5
        + USAGE["cached_tokens"] * 1.25
        + USAGE["completion_tokens"] * 10
    ) / 1_000_000
    assert run.cost_usd is not None
    assert abs(float(run.cost_usd) - expected) < 1e-9
