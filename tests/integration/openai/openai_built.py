"""Envelopes built from documented shapes, for the cases no public recording was found for.

Each ``source`` starts with ``BUILT`` and says what the body follows. The searches made for a
recording of each are listed in recorded/README.md.
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
QUOTA_TEXT = (
    "You exceeded your current quota, please check your plan and billing details. For more "
    "information on this error, read the docs: "
    "https://platform.openai.com/docs/guides/error-codes/api-errors."
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
    "429 text only": Envelope(
        _RATE_LIMIT_SOURCE + "none: the wait is only in the text ('Please try again in 26.604s')",
        429,
        RATE_LIMIT,
        replace(RATE_LIMITED, retry_after=26.604),
    ),
    "429 quota": Envelope(
        "BUILT: OpenAI's 429 insufficient_quota body as users quote it (e.g. "
        "frederick-douglas-pearce/datatalksclub-faq _questions/llm-zoomcamp/module-1/"
        "003_152af39a53_openai-error-ratelimiterror-error-code-429.md); no headers",
        429,
        _error(QUOTA_TEXT, "insufficient_quota", "insufficient_quota"),
        Expect("llm_quota_exhausted", "Model provider quota exhausted (429)", detail=QUOTA_TEXT),
    ),
    "HTML 502 from a proxy": Envelope(
        "BUILT: the default 502 page nginx serves (as Cloudflare-fronted proxies send it)",
        502,
        b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 "
        b"Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n",
        Expect(
            "llm_api_error",
            "OpenAI API error (502)",
            detail="HTTP 502 page from a proxy or gateway: 502 Bad Gateway",
            meaning="proxy or gateway",
        ),
        content_type="text/html",
    ),
    "200 with an error body": Envelope(
        "BUILT: OpenRouter's documented error object (error.code, message, metadata) sent "
        "with status 200",
        200,
        {
            "error": {
                "code": 502,
                "message": "Upstream provider returned an error",
                "metadata": {"provider_name": "Together"},
            }
        },
        Expect(
            "llm_api_error", "OpenAI API error (502)", detail="Upstream provider returned an error"
        ),
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
    "400 invalid schema": Envelope(
        "BUILT: OpenAI's strict-mode rejection ('Invalid schema for response_format ...') in "
        "OpenAI's error body",
        400,
        _error(
            "Invalid schema for response_format 'snapshot_narrative': In context=(), "
            "'additionalProperties' is required to be supplied and to be false.",
            "invalid_request_error",
            None,
            "response_format",
        ),
        Expect(
            "llm_api_error",
            "OpenAI API error (400)",
            detail=(
                "Invalid schema for response_format 'snapshot_narrative': In context=(), "
                "'additionalProperties' is required to be supplied and to be false."
            ),
            meaning="strict json_schema",
        ),
    ),
}
