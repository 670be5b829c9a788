"""Replay of provider envelopes: each reply read right, each run exactly one request."""

from __future__ import annotations

import asyncio
import email.utils
import json
import time

import pytest
from openai_chat_server import Reply
from openai_envelopes import Envelope
from openai_recorded import ENVELOPES, EXPECT, RECORDED_DIR
from openai_test_data import API_KEY

from snapshot_core.domain import ModelCallError, build_agent_input


def _served(envelope: Envelope) -> Reply:
    headers = list(envelope.headers)
    for index, (name, value) in enumerate(headers):
        if value == "<in 30 s>":  # an HTTP date is only right when it is sent
            headers[index] = (name, email.utils.formatdate(time.time() + 30, usegmt=True))
    return Reply(
        envelope.status,
        envelope.body,
        headers=headers,
        gzip=envelope.gzip,
        content_type=envelope.content_type,
    )


def test_every_recorded_file_is_replayed_and_names_where_it_was_recorded():
    files = {path.stem for path in RECORDED_DIR.glob("*.json")}
    assert files == set(EXPECT)
    for name in files:
        data = json.loads((RECORDED_DIR / f"{name}.json").read_text(encoding="utf-8"))
        source = data["source"]
        assert source["repository"].count("/") == 1, name
        if "thread" in source:  # quoted in an issue thread: it must say what it kept
            assert source["thread"].startswith(f"https://github.com/{source['repository']}/")
            assert data["recorded"] and data["not_recorded"], name
        else:
            assert source["path"] and len(source["commit"]) == 40, name
        assert source["license"], name


@pytest.mark.parametrize("path", ["generate", "agenerate"])
@pytest.mark.parametrize("envelope", ENVELOPES.values(), ids=list(ENVELOPES))
def test_each_envelope_is_read_right_with_one_request(
    envelope, path, make_model, make_flow, chat_server
):
    assert envelope.recorded or envelope.source.startswith("BUILT")
    chat_server.respond(_served(envelope))
    priced_as = envelope.price_provider
    model = make_model(**({"SNAPSHOT_PRICE_PROVIDER": priced_as} if priced_as else {}))
    flow = make_flow(model)
    agent_input = build_agent_input(flow.store.buckets[flow.source_id])
    expect = envelope.expect

    def call():
        if path == "agenerate":
            return asyncio.run(model.agenerate(agent_input))
        return model.generate(agent_input)

    error = None
    if expect.code is None:
        reply = call()
        facts = reply.facts
        content = envelope.decoded()["choices"][0]["message"]["content"]
        if isinstance(content, str):
            assert reply.content == content
        else:  # a JSON object sent as itself (Cloudflare), read as that JSON written out
            assert json.loads(reply.content) == content
        assert facts.model == expect.model
    else:
        with pytest.raises(ModelCallError) as raised:
            call()
        error = raised.value
        assert (error.code, error.message) == (expect.code, expect.message)
        assert getattr(error, "detail", None) == expect.detail
        if expect.retry_after == -1.0:
            assert 28 <= error.retry_after <= 30
        else:
            assert getattr(error, "retry_after", None) == expect.retry_after
        if expect.meaning is not None:
            assert expect.meaning in error.meaning
        assert API_KEY not in str(error.to_dict())
        facts = error.facts
    assert len(chat_server.requests) == 1
    usage = facts.usage
    assert (usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens) == expect.tokens
    assert facts.cost_usd == expect.cost
    assert facts.cost_reported is expect.cost_reported
    assert (facts.ratelimit_remaining_requests, facts.ratelimit_remaining_tokens) == (
        expect.remaining
    )
    if getattr(error, "retry_after", None) is not None:
        assert facts.retry_after_seconds == error.retry_after
