"""The adapter posts its body past the SDK's ``create`` (whose type walk cost CPU per call): the
server must receive exactly what ``chat.completions.create`` sends, headers and body bytes."""

from __future__ import annotations

import asyncio
import json

from openai_chat_server import ChatServer, Recorded, Reply, agent_input_of, completion
from openai_test_data import API_KEY

from snapshot_adapters.openai import OpenAIChatModel, build_chat_request
from snapshot_adapters.openai.clients import AzureTarget, make_async_client, make_sync_client
from snapshot_adapters.openai.probe import probe_request
from snapshot_core.domain import build_agent_input


def _sent_by_create(model: OpenAIChatModel, server: ChatServer, request: dict) -> Recorded:
    """What the SDK's own ``create`` sends for ``request``, on a client built as the adapter's."""
    client = make_sync_client(API_KEY, server.base_url, model.deadline_seconds, None)
    client.chat.completions.with_raw_response.create(**request)
    return server.requests[-1]


def _same(ours: Recorded, sdks: Recorded) -> None:
    assert (ours.method, ours.path, ours.body) == (sdks.method, sdks.path, sdks.body)
    assert ours.headers == sdks.headers


def test_a_snapshot_call_is_the_request_create_sends(make_model, make_flow, chat_server):
    model = make_model(SNAPSHOT_TEMPERATURE="0.3", SNAPSHOT_MAX_TOKENS="1500")
    make_flow(model).run()
    [ours] = chat_server.requests
    request = build_chat_request(
        agent_input_of(ours), model=model.model_name, temperature=0.3, max_tokens=1500
    )
    _same(ours, _sent_by_create(model, chat_server, request))


def test_the_probe_is_the_request_create_sends(make_model, chat_server):
    chat_server.respond(Reply(body=completion(json.dumps({"probe": "strict-ok", "n": 7}))))
    model = make_model()
    assert model.probe_strict_schema().honoured
    [ours] = chat_server.requests
    _same(ours, _sent_by_create(model, chat_server, probe_request(model.model_name)))


def test_azure_posts_to_the_deployment_as_create_does(chat_server):
    endpoint = chat_server.base_url.removesuffix("/v1")
    azure = AzureTarget(endpoint=endpoint, deployment="snap", api_version="2024-10-21")
    chat_server.respond(Reply(body=completion(json.dumps({"probe": "strict-ok", "n": 7}))))
    model = OpenAIChatModel(api_key=API_KEY, azure=azure, timeout=5)
    model.probe_strict_schema()
    client = make_sync_client(API_KEY, endpoint, 5, azure)
    client.chat.completions.with_raw_response.create(**probe_request(model.model_name))
    ours, sdks = chat_server.requests
    assert ours.path == "/openai/deployments/snap/chat/completions?api-version=2024-10-21"
    _same(ours, sdks)


def test_an_async_snapshot_call_is_the_request_the_async_create_sends(
    make_model, make_flow, chat_server
):
    model = make_model()
    flow = make_flow(model)
    agent_input = build_agent_input(flow.store.buckets[flow.source_id])
    asyncio.run(model.agenerate(agent_input))
    [ours] = chat_server.requests
    request = build_chat_request(
        agent_input, model=model.model_name, temperature=0.1, max_tokens=2000
    )

    async def sent_by_async_create() -> None:
        client = make_async_client(API_KEY, chat_server.base_url, model.deadline_seconds, None)
        async with client:
            await client.chat.completions.with_raw_response.create(**request)

    asyncio.run(sent_by_async_create())
    _same(ours, chat_server.requests[-1])
