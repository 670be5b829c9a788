"""Every outcome of the one call: one HTTP request, the typed error, nothing saved, run recorded."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from openai_chat_server import SERVED_MODEL, USAGE, Reply, completion, grounded_completion
from openai_test_data import API_KEY

from snapshot_adapters.openai import KEY_REJECTED
from snapshot_core.domain import (
    LlmApiError,
    LlmContentFilteredError,
    LlmRefusalError,
    LlmTimeoutError,
    LlmTruncatedError,
    ModelCallError,
    OutputSchemaViolationError,
    UngroundedOutputError,
)

CONFIGURED_MODEL = "gpt-4o-2024-08-06"


@dataclass(frozen=True)
class Outcome:
    reply: Reply
    error: type[ModelCallError]
    code: str
    answered: bool = True  # a chat completion came back, so usage and the served model are known
    env: dict[str, str] = field(default_factory=dict)
    check: dict[str, Any] = field(default_factory=dict)  # error attributes and their values


def _error_body(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "code": None}}


OUTCOMES = {
    "429 with Retry-After": Outcome(
        Reply(429, _error_body("Rate limit reached"), headers={"Retry-After": "20"}),
        LlmApiError,
        "llm_api_error",
        answered=False,
        check={"status": 429, "retry_after": 20.0, "message": "OpenAI API error (429)"},
    ),
    "429 with retry-after-ms": Outcome(
        Reply(429, _error_body("Rate limit reached"), headers={"retry-after-ms": "1500"}),
        LlmApiError,
        "llm_api_error",
        answered=False,
        check={"status": 429, "retry_after": 1.5},
    ),
    "500": Outcome(
        Reply(500, _error_body("The server had an error")),
        LlmApiError,
        "llm_api_error",
        answered=False,
        check={"status": 500, "retry_after": None, "message": "OpenAI API error (500)"},
    ),
    "401": Outcome(
        Reply(401, _error_body(f"Incorrect API key provided: {API_KEY[:8]}***{API_KEY[-4:]}.")),
        LlmApiError,
        "llm_api_error",
        answered=False,
        check={"status": 401, "detail": KEY_REJECTED, "message": "OpenAI API error (401)"},
    ),
    "redirect (not followed)": Outcome(
        Reply(307, b"", headers={"Location": "/v1/chat/completions"}),
        LlmApiError,
        "llm_api_error",
        answered=False,
        check={"status": 307},
    ),
    "timeout": Outcome(
        Reply(delay=1.5),
        LlmTimeoutError,
        "llm_timeout",
        answered=False,
        env={"SNAPSHOT_LLM_TIMEOUT": "0.5"},
    ),
    "connection reset": Outcome(Reply(reset=True), LlmTimeoutError, "llm_timeout", answered=False),
    "refusal": Outcome(
        Reply(body=completion(None, refusal="I can't help with that.")),
        LlmRefusalError,
        "llm_refusal",
        check={"refusal": "I can't help with that."},
    ),
    "finish_reason length": Outcome(
        Reply(body=completion('{"headline": "400 est', finish_reason="length")),
        LlmTruncatedError,
        "llm_truncated",
        check={"finish_reason": "length"},
    ),
    "finish_reason content_filter": Outcome(
        Reply(body=completion(None, finish_reason="content_filter")),
        LlmContentFilteredError,
        "llm_content_filtered",
        check={"where": "output"},
    ),
    "invalid JSON": Outcome(
        Reply(body=completion('{"headline": "unterminated')),
        OutputSchemaViolationError,
        "output_schema_violation",
    ),
    "schema violation": Outcome(
        Reply(
            body=completion(
                json.dumps(
                    {"headline": "Estimates.", "findings": [{"topic": "weather", "text": "Sunny."}]}
                )
            )
        ),
        OutputSchemaViolationError,
        "output_schema_violation",
    ),
    "ungrounded numbers": Outcome(
        Reply(
            body=completion(
                json.dumps(
                    {
                        "headline": "Revenue grew to 987,654.",
                        "findings": [{"topic": "demand", "text": "Busy."}],
                    }
                )
            )
        ),
        UngroundedOutputError,
        "ungrounded_output",
        check={"numbers": ["987,654"]},
    ),
    "2xx body not JSON": Outcome(
        Reply(body=b"gateway says hello"),
        OutputSchemaViolationError,
        "output_schema_violation",
        answered=False,
    ),
    "2xx HTML page from a proxy": Outcome(
        Reply(body=b"<html><head><title>Sign in - Corp Proxy</title></head></html>"),
        LlmApiError,
        "llm_api_error",
        answered=False,
        check={
            "status": 200,
            "detail": "HTTP 200 page from a proxy or gateway: Sign in - Corp Proxy",
        },
    ),
}


@pytest.mark.parametrize("outcome", OUTCOMES.values(), ids=list(OUTCOMES))
def test_each_outcome_is_one_request_a_typed_error_and_a_recorded_run(
    outcome, make_model, make_flow, chat_server
):
    chat_server.respond(outcome.reply)
    flow = make_flow(make_model(**outcome.env))

    with pytest.raises(outcome.error) as raised:
        flow.run()

    error = raised.value
    assert len(chat_server.requests) == 1  # never retried, never repeated
    assert error.code == outcome.code
    for name, value in outcome.check.items():
        assert getattr(error, name) == value, name
    assert flow.store.snapshots == {}
    assert flow.status() == "bucketed"

    [run] = flow.store.runs
    assert (run.outcome.value, run.error_code, run.snapshot_id) == ("failed", outcome.code, None)
    assert run.request_sha256 == hashlib.sha256(chat_server.requests[0].body).hexdigest()
    if outcome.answered:
        assert run.model == SERVED_MODEL
        assert (run.prompt_tokens, run.completion_tokens, run.cached_tokens) == (
            USAGE["prompt_tokens"],
            USAGE["completion_tokens"],
            USAGE["cached_tokens"],
        )
    else:
        assert run.model == CONFIGURED_MODEL
        assert (run.prompt_tokens, run.completion_tokens, run.cached_tokens) == (0, 0, 0)


def test_a_failed_source_can_be_run_again_and_then_succeeds(make_model, make_flow, chat_server):
    chat_server.respond(Reply(500, _error_body("The server had an error")))
    flow = make_flow(make_model())
    with pytest.raises(LlmApiError):
        flow.run()

    chat_server.respond(grounded_completion)
    snapshot_id = flow.run()

    assert len(chat_server.requests) == 2  # one per run
    assert flow.status() == "snapshot_generated"
    assert [r.error_code for r in flow.store.runs] == ["llm_api_error", None]
    assert snapshot_id in flow.store.snapshots
