"""Envelopes built from documented shapes, for the cases no public recording was found for.

Each ``source`` starts with ``BUILT`` and says what the body follows. The searches made for a
recording of each are listed in recorded/README.md. Left here: OpenAI's 429 with one header
wait form alone (an HTTP-date ``retry-after``, ``retry-after-ms``, ``x-ratelimit-reset-*``),
OpenRouter's ``finish_reason: "error"``, and Azure's filter named only in ``inner_error``.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from openai_envelopes import Envelope, Expect

__all__ = ["BUILT"]


def _error(message: str, type_: str | None, code: Any, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


RATE_LIMIT_TEXT = (
    "Rate limit reached for gpt-4o in organization org-abc on tokens per min (TPM): "
    "Limit 30000, Used 29000, Requested 1500. Please try again in 26.604s. Visit "
    "https://platform.openai.com/account/rate-limits to learn more."
)
RATE_LIMIT = _error(RATE_LIMIT_TEXT, "tokens", "rate_limit_exceeded")
_RATE_LIMIT_SOURCE = (
    "BUILT: OpenAI's rate_limit_exceeded error body (message as OpenAI words it); header "
)
AZURE_FILTER_TEXT = (
    "The response was filtered due to the prompt triggering Azure OpenAI's content management "
    "policy. Please modify your prompt and retry."
)
FILTER_RESULT = {
    "hate": {"filtered": True, "severity": "high"},
    "violence": {"filtered": True, "severity": "medium"},
}
RATE_LIMITED = Expect("llm_api_error", "OpenAI API error (429)", detail=RATE_LIMIT_TEXT)

BUILT: dict[str, Envelope] = {
    "429 retry-after HTTP date": Envelope(
        _RATE_LIMIT_SOURCE + "retry-after as an HTTP date (RFC 9110)",
        429,
        RATE_LIMIT,
        replace(RATE_LIMITED, retry_after=-1.0),
        headers=[("retry-after", "<in 30 s>")],
    ),
    "429 retry-after-ms": Envelope(
        _RATE_LIMIT_SOURCE + "retry-after-ms (Azure OpenAI's header)",
        429,
        RATE_LIMIT,
        replace(RATE_LIMITED, retry_after=1.5),
        headers=[("retry-after-ms", "1500")],
    ),
    "429 x-ratelimit-reset": Envelope(
        _RATE_LIMIT_SOURCE + "x-ratelimit-reset-* in OpenAI's duration forms (6m0s, 120ms)",
        429,
        RATE_LIMIT,
        replace(RATE_LIMITED, retry_after=360.0),
        headers=[("x-ratelimit-reset-requests", "120ms"), ("x-ratelimit-reset-tokens", "6m0s")],
    ),
    "finish_reason error (OpenRouter)": Envelope(
        "BUILT: OpenRouter's documented in-band error (choices[0].error, finish_reason error)",
        200,
        {
            "id": "gen-1",
            "model": "google/gemini-2.5-pro",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": ""},
                    "finish_reason": "error",
                    "error": {
                        "code": 502,
                        "message": "This model is currently experiencing high demand.",
                        "metadata": {"error_type": "provider_unavailable"},
                    },
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "cost": 0, "is_byok": True},
        },
        Expect(
            "llm_api_error",
            "OpenAI API error (502)",
            detail="This model is currently experiencing high demand.",
            cost=Decimal("0"),
            cost_reported=True,
        ),
    ),
    "Azure prompt filter (innererror only)": Envelope(
        "BUILT: an Azure error whose top-level code is not content_filter and whose "
        "inner_error.code is ResponsibleAIPolicyViolation (the form BerriAI/litellm's "
        "tests/test_litellm/llms/azure/test_azure_exception_mapping.py describes for its issue "
        "#20811)",
        400,
        {
            "error": {
                "code": "BadRequest",
                "message": AZURE_FILTER_TEXT,
                "type": "invalid_request_error",
                "inner_error": {
                    "code": "ResponsibleAIPolicyViolation",
                    "content_filter_results": FILTER_RESULT,
                },
            }
        },
        Expect(
            "llm_content_filtered",
            "Model provider's content filter blocked the prompt",
            detail=AZURE_FILTER_TEXT,
        ),
    ),
}
