"""What recorded responses showed the adapter reading wrong, pinned down: a gateway relaying
the upstream's own JSON error body (OpenRouter's metadata.raw), and Azure's wait in words."""

from __future__ import annotations

import json

import pytest

from snapshot_adapters.openai.errors import error_for_status
from snapshot_adapters.openai.waits import retry_after_seconds


def _openrouter(raw: str, status: int = 400) -> dict[str, object]:
    return {
        "error": {
            "message": "Provider returned error",
            "code": status,
            "metadata": {"raw": raw, "provider_name": "OpenAI"},
        }
    }


def test_an_upstream_json_body_is_read_for_its_message_and_meaning():
    upstream = {"error": {"message": "Invalid schema for response_format 'x': no", "code": None}}
    error = error_for_status(400, _openrouter(json.dumps(upstream, indent=2)), {}, None, None)
    assert error.detail == "Provider returned error: Invalid schema for response_format 'x': no"
    assert "strict json_schema" in error.meaning


def test_an_upstream_context_length_message_is_named_as_such():
    upstream = {"error": {"message": "This model's maximum context length is 8192 tokens."}}
    error = error_for_status(400, _openrouter(json.dumps(upstream)), {}, None, None)
    assert "context window" in error.meaning


@pytest.mark.parametrize(
    "raw",
    [
        "error code: 524",  # recorded (AbanteAI/LoCoDiff-bench#31): plain text stays as it is
        "{not json",  # looks like JSON, is not: kept as text
        '{"detail": "x"}',  # JSON without an error message: kept as text
    ],
)
def test_upstream_text_that_is_not_an_error_body_is_kept_as_it_is(raw):
    error = error_for_status(502, _openrouter(raw, 502), {}, None, None)
    assert error.detail == f"Provider returned error: {raw}"


@pytest.mark.parametrize(
    ("message", "seconds"),
    [
        ("Please retry after 86400 seconds. Please contact Azure", 86400.0),  # recorded
        ("Please retry after 1 second.", 1.0),
        ("Please retry after 1 minute.", None),  # no unit it can be sure of: no guess
        ("Please retry shortly, or add your own key", None),  # OpenRouter (recorded)
    ],
)
def test_azure_s_wait_in_words_is_read_when_it_names_seconds(message, seconds):
    assert retry_after_seconds({}, message) == seconds


def test_a_header_still_comes_before_the_words():
    assert retry_after_seconds({"retry-after": "7"}, "Please retry after 86400 seconds.") == 7.0
