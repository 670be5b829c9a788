"""Each HTTP status has its own meaning and solution; the message stays OpenAI API error (N)."""

from __future__ import annotations

import pytest

from snapshot_adapters.openai.errors import error_for_status
from snapshot_core.domain import LlmApiError, LlmQuotaExhaustedError

API_KEY = "sk-test-CANARYkey0must0never0leak-7f3a"


def _body(message: str, code: str | None = None, param: str | None = None) -> dict:
    return {
        "error": {"message": message, "type": "invalid_request_error", "code": code, "param": param}
    }


@pytest.mark.parametrize(
    ("status", "body", "meaning_has", "solution_has"),
    [
        (400, _body("Invalid value"), "invalid", "detail"),
        (400, _body("bad", param="response_format"), "strict", "strict structured outputs"),
        (401, _body("Incorrect API key"), "key was rejected", "OPENAI_API_KEY"),
        (403, _body("unsupported_country_region_territory"), "region", "permissions"),
        (404, _body("no such model", "model_not_found"), "not found", "SNAPSHOT_MODEL"),
        (408, _body("timeout"), "timed out", "Try again"),
        (409, _body("conflict"), "conflict", "Try again"),
        (413, _body("too large"), "larger than", "context window"),
        (
            400,
            _body("maximum context length is 128000", "context_length_exceeded"),
            "context",
            "larger context",
        ),
        (422, _body("unprocessable"), "compatible server", "--probe"),
        (429, _body("Rate limit reached"), "rate limit", "retry after"),
        (500, _body("server error"), "trouble", "later"),
        (503, _body("overloaded"), "trouble", "later"),
        (504, b"", "trouble", "later"),
        (200, {"error": {"message": "Upstream error"}}, "status 200", "detail"),
    ],
)
def test_each_status_has_its_own_meaning_and_solution(status, body, meaning_has, solution_has):
    error = error_for_status(status, body, {}, None, API_KEY)

    assert isinstance(error, LlmApiError)
    assert error.message == f"OpenAI API error ({status})"
    assert meaning_has.lower() in error.meaning.lower()
    assert solution_has.lower() in error.solution.lower()
    assert error.to_dict()["meaning"] == error.meaning  # the instance's words reach JSON too
    assert error.meaning != LlmApiError.meaning  # not the catalogue's generic words


@pytest.mark.parametrize(
    "code", ["insufficient_quota", "billing_hard_limit_reached", "access_terminated"]
)
def test_quota_codes_are_their_own_error_never_a_rate_limit(code):
    error = error_for_status(429, _body("You exceeded your current quota", code), {}, None, None)

    assert isinstance(error, LlmQuotaExhaustedError)
    assert not isinstance(error, LlmApiError)  # a job runner retrying LlmApiError skips it
    assert error.code == "llm_quota_exhausted"
    assert error.provider_code == code


def test_openrouter_402_is_quota():
    error = error_for_status(402, _body("Insufficient credits"), {}, None, None)
    assert error.code == "llm_quota_exhausted"


def test_a_key_quoted_by_a_server_is_scrubbed_from_the_detail():
    error = error_for_status(
        400, _body(f"bad header {API_KEY} and sk-other0123456789"), {}, None, API_KEY
    )
    assert API_KEY not in error.detail and "sk-other0123456789" not in error.detail
    assert error.detail == "bad header *** and ***"


def test_a_request_too_large_for_the_plan_is_one_no_wait_makes_pass() -> None:
    message = "Request too large for gpt-4o on tokens per min (TPM): Limit 30000, Requested 31000."
    headers = {"x-ratelimit-reset-tokens": "12ms", "retry-after": "1"}
    too_large = error_for_status(429, _body(message, "rate_limit_exceeded"), headers, None, None)
    plain = error_for_status(
        429, _body("Rate limit reached", "rate_limit_exceeded"), headers, None, None
    )
    assert isinstance(too_large, LlmApiError) and isinstance(plain, LlmApiError)
    assert (too_large.waiting_helps, too_large.retry_after) == (False, None)
    assert (plain.waiting_helps, plain.retry_after) == (True, 1.0)
