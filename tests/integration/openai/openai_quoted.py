"""What the responses quoted in issue threads (recorded/README.md) must read as.

Each thread kept the status and the body (as text, or as a parsed object written out), some
the headers; what each did not keep is in its file's ``not_recorded``.
"""

from __future__ import annotations

from typing import Any

from openai_envelopes import Expect

__all__ = ["QUOTED", "TROUBLE"]

TROUBLE = "trouble of its own"


def _api_error(status: int, detail: str, **more: Any) -> Expect:
    return Expect("llm_api_error", f"OpenAI API error ({status})", detail=detail, **more)


QUOTA_TEXT = (
    "You exceeded your current quota, please check your plan and billing details. For more "
    "information on this error, read the docs: "
    "https://platform.openai.com/docs/guides/error-codes/api-errors."
)
INVALID_RESPONSE_FORMAT = (
    "Invalid schema for response_format 'default': In context=(), 'additionalProperties' is "
    "required to be supplied and to be false."
)

QUOTED: dict[str, Expect] = {
    "openai_429_wait_in_text_only": _api_error(  # no retry-after, no x-ratelimit-*: the text
        429,
        "Rate limit reached for gpt-4.1 in organization [redacted] on tokens per min (TPM): "
        "Limit 30000, Used 18271, Requested 16921. Please try again in 10.384s. Visit "
        "https://platform.openai.com/account/rate-limits to learn more.",
        retry_after=10.384,
        meaning="rate limit",
    ),
    "openai_429_wait_in_hours": _api_error(  # headers not recorded: the text's 114h18m0s
        429,
        "Rate limit reached for gpt-4o-mini in organization [orgID] on tokens per min (TPM): "
        "Limit 100000, Used 96749, Requested 19126. Please try again in 114h18m0s. Visit "
        "https://platform.openai.com/account/rate-limits to learn more. You can increase your "
        "rate limit by adding a payment method to your account at "
        "https://platform.openai.com/account/billing.",
        retry_after=411480.0,
        meaning="rate limit",
    ),
    "litellm_proxy_429_azure_wait_in_text": _api_error(  # no headers: Azure's words give it
        429,
        "litellm.RateLimitError: AzureException RateLimitError - Error code: 429 - {'error': "
        "{'code': '429', 'message': 'Requests to the ChatCompletions_Create Operation under "
        "Azure OpenAI API version 2023-05-15 have exceeded token rate limit of your current "
        "AIServices S0 pricing tier. Please retry after 86400 seconds. Please contact Azure "
        "support service if you would like to further increase the default rate limit.'}}\n"
        "Received Model Group=azure-gpt-4o-mini\nAvailable Model Group Fallbacks=None",
        retry_after=86400.0,
        meaning="rate limit",
    ),
    "openai_429_insufficient_quota": Expect(
        "llm_quota_exhausted", "Model provider quota exhausted (429)", detail=QUOTA_TEXT
    ),
    "openai_400_invalid_response_format_schema": _api_error(
        400, INVALID_RESPONSE_FORMAT, meaning="strict json_schema"
    ),
    "openrouter_400_upstream_invalid_schema": _api_error(  # OpenAI's body in metadata.raw
        400,
        f"Provider returned error: {INVALID_RESPONSE_FORMAT}",
        meaning="strict json_schema",
    ),
    "openrouter_200_error_body": _api_error(  # status 200; the upstream's 524 in error.code
        524, "Provider returned error: error code: 524", meaning=TROUBLE
    ),
    "openai_502_cloudflare_bad_gateway": _api_error(502, "Bad gateway.", meaning=TROUBLE),
    "proxy_502_html_page": _api_error(
        502, "HTTP 502 page from a proxy or gateway: 502 Bad Gateway", meaning="proxy or gateway"
    ),
}
