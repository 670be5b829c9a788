"""The guard: a test run cannot reach a real model API by accident (checked at the socket level)."""

from __future__ import annotations

import socket

import pytest
from openai_test_data import USER

import snapshot_adapters.openai as openai_adapter
from snapshot_adapters.openai import (
    ModelRequestsBlockedError,
    OpenAIChatModel,
    is_loopback_host,
    override_allow_model_requests,
)
from snapshot_adapters.settings import Settings
from snapshot_core.domain import LlmTimeoutError, build_agent_input


class NetworkSpy:
    """Records every name lookup and connect, and refuses them: nothing leaves the machine."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        real_connect = socket.socket.connect

        def refuse(name: str):
            def spy(*args, **kwargs):
                self.calls.append(f"{name}{args[-1:]!r}")
                raise ConnectionRefusedError(f"network disabled by the test ({name})")

            return spy

        def connect(sock, address):  # loopback stays usable for the local server
            if isinstance(address, tuple) and is_loopback_host(str(address[0])):
                return real_connect(sock, address)
            return refuse("connect")(sock, address)

        monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
        monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect_ex"))


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> NetworkSpy:
    return NetworkSpy(monkeypatch)


@pytest.fixture
def default_model(monkeypatch: pytest.MonkeyPatch) -> OpenAIChatModel:
    """Built as the container builds it, with a fake key and no base URL: api.openai.com."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fake-key-for-the-guard-test")
    return OpenAIChatModel.from_settings(Settings())


def test_the_suite_runs_with_model_requests_blocked():
    assert openai_adapter.ALLOW_MODEL_REQUESTS is False


def test_the_default_endpoint_is_refused_before_any_lookup_or_connect(
    default_model, make_flow, spy
):
    assert default_model.base_url == "https://api.openai.com/v1"
    flow = make_flow(default_model)
    agent_input = build_agent_input(flow.store.buckets[flow.source_id])

    with pytest.raises(ModelRequestsBlockedError, match="api.openai.com"):
        default_model.generate(agent_input)
    with pytest.raises(ModelRequestsBlockedError):
        default_model.check_endpoint()
    with pytest.raises(ModelRequestsBlockedError):
        flow.orchestrator.run_snapshot(source_id=flow.source_id, user_id=USER)

    assert spy.calls == []
    assert flow.status() == "bucketed"  # refused before the claim
    assert flow.store.runs == []


def test_the_spy_does_see_a_request_when_the_guard_is_lifted(default_model, make_flow, spy):
    """Control for the test above: with the flag on, the same call reaches for the network."""
    flow = make_flow(default_model)
    agent_input = build_agent_input(flow.store.buckets[flow.source_id])

    with override_allow_model_requests(True), pytest.raises((LlmTimeoutError, OSError)):
        default_model.generate(agent_input)

    assert spy.calls  # a lookup or connect was attempted (and refused by the spy)
    assert openai_adapter.ALLOW_MODEL_REQUESTS is False  # restored


def test_the_http_hook_blocks_a_url_that_changed_behind_the_adapter(make_model, make_flow, spy):
    """Defence in depth: a request whose URL is not the checked base URL (a redirect, or a
    client reconfigured after construction) is stopped by the HTTP client's request hook."""
    model = make_model()
    model._client.base_url = "https://api.openai.com/v1"  # behind the adapter's back
    flow = make_flow(model)

    with pytest.raises(ModelRequestsBlockedError):
        flow.run()

    assert spy.calls == []


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("api.openai.com", False),
        ("localhost.example.com", False),
        ("10.0.0.1", False),
        ("0.0.0.0", False),
        ("", False),
        (None, False),
    ],
)
def test_loopback_hosts(host, loopback):
    assert is_loopback_host(host) is loopback
