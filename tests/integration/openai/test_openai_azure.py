"""Azure OpenAI by settings alone: the SDK's AzureOpenAI clients, against Azure's URL shape."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import pytest
from openai_test_data import API_KEY

from snapshot_adapters.settings import load_settings
from snapshot_core.domain import InvalidSettingsError, build_agent_input

AZURE_KEY = "0123456789abcdef0123456789abcdef"  # Azure keys are 32 hex characters
AZURE_ENV = {
    "OPENAI_BASE_URL": None,
    "OPENAI_API_KEY": None,
    "SNAPSHOT_AZURE_DEPLOYMENT": "snap-gpt4o",
    "OPENAI_API_VERSION": "2024-10-21",
}


def _azure(chat_server, **env):
    endpoint = chat_server.base_url.removesuffix("/v1")  # https://<resource>.openai.azure.com
    return {"AZURE_OPENAI_ENDPOINT": endpoint, **AZURE_ENV, **env}


def test_a_run_against_an_azure_deployment_uses_its_url_key_header_and_api_version(
    make_model, make_flow, chat_server
):
    model = make_model(**_azure(chat_server, AZURE_OPENAI_API_KEY=AZURE_KEY))
    flow = make_flow(model)

    flow.run()

    [request] = chat_server.requests
    url = urlsplit(request.path)
    assert url.path == "/openai/deployments/snap-gpt4o/chat/completions"
    assert parse_qs(url.query) == {"api-version": ["2024-10-21"]}
    assert request.headers["api-key"] == AZURE_KEY
    assert "authorization" not in request.headers
    assert flow.status() == "snapshot_generated"


def test_an_entra_token_is_sent_as_a_bearer_token(make_model, make_flow, chat_server):
    model = make_model(**_azure(chat_server, AZURE_OPENAI_AD_TOKEN="eyJ0eXAiOiJKV1Qi.entra"))
    flow = make_flow(model)

    flow.run()

    [request] = chat_server.requests
    assert request.headers["authorization"] == "Bearer eyJ0eXAiOiJKV1Qi.entra"


def test_the_async_azure_client_sends_the_same_request(make_model, make_flow, chat_server):
    model = make_model(**_azure(chat_server, AZURE_OPENAI_API_KEY=AZURE_KEY))
    flow = make_flow(model)
    agent_input = build_agent_input(flow.store.buckets[flow.source_id])

    model.generate(agent_input)
    asyncio.run(model.agenerate(agent_input))

    first, second = chat_server.requests
    assert (first.path, first.body) == (second.path, second.body)
    assert second.headers["api-key"] == AZURE_KEY


def test_azure_and_a_base_url_together_are_refused_naming_both(monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)

    with pytest.raises(InvalidSettingsError) as raised:
        load_settings()

    assert "AZURE_OPENAI_ENDPOINT" in raised.value.message
    assert "OPENAI_BASE_URL" in raised.value.message
