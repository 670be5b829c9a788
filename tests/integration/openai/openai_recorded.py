"""Recorded provider response envelopes (status, headers, body) for the replay suite.

Each envelope names where it comes from (``source``: repository and path of a public recorded
fixture). Where no recorded fixture with the full envelope was found, ``source`` says what
the body is taken from and that the envelope around it follows the provider's documented
shape. Volatile headers (dates, request ids, cookies) are left out; the rest is as recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = ["ENVELOPES", "Envelope", "Expect"]

PYDANTIC_AI = "pydantic/pydantic-ai tests/models/cassettes/test_openai/"
OPENAI_HEADERS = {"openai-version": "2020-10-01", "openai-processing-ms": "540"}


@dataclass(frozen=True)
class Expect:
    code: str | None  # None: a successful reply
    message: str | None = None
    retry_after: float | None = None
    detail: str | None = None
    tokens: tuple[int, int, int] = (0, 0, 0)  # prompt, completion, cached
    cost: Decimal | None = None
    cost_reported: bool = False
    content: str | None = None
    model: str | None = None
    remaining: tuple[int | None, int | None] = (None, None)  # requests, tokens


@dataclass(frozen=True)
class Envelope:
    source: str
    status: int
    body: Any
    expect: Expect
    headers: dict[str, str] = field(default_factory=dict)
    gzip: bool = False
    content_type: str = "application/json"


def _choice(content: Any, finish: str, **message: Any) -> dict[str, Any]:
    return {
        "index": 0,
        "logprobs": None,
        "finish_reason": finish,
        "message": {"role": "assistant", "content": content, "refusal": None, **message},
    }


def _openai_completion(
    choice: dict[str, Any], usage: dict[str, Any] | None, model: str = "gpt-4o-2024-08-06"
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-D3aUuDsTkxAQqfZcsYn1iN3EZraNP",
        "object": "chat.completion",
        "created": 1769747652,
        "model": model,
        "choices": [choice],
        "service_tier": "default",
        "system_fingerprint": "fp_fa7f5b168b",
    }
    if usage is not None:
        body["usage"] = usage
    return body


def _usage(prompt: int, completion: int, cached: int | None = 0) -> dict[str, Any]:
    details = None if cached is None else {"audio_tokens": 0, "cached_tokens": cached}
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": details,
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }


def _error(message: str, type_: str | None, code: Any, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


RATE_LIMIT_TEXT = (
    "Rate limit reached for gpt-4o in organization org-abc on tokens per min (TPM): "
    "Limit 30000, Used 29000, Requested 1500. Please try again in 26.604s. Visit "
    "https://platform.openai.com/account/rate-limits to learn more."
)
RATE_LIMIT = _error(RATE_LIMIT_TEXT, "tokens", "rate_limit_exceeded")
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
    "jailbreak": {"filtered": False, "detected": False},
    "self_harm": {"filtered": False, "severity": "safe"},
    "sexual": {"filtered": False, "severity": "safe"},
    "violence": {"filtered": True, "severity": "medium"},
}
NARRATIVE = '{"city":"Mexico City","country":"Mexico"}'
VENUS = (
    "Here's a clear overview of Venus -- the planet, why it's interesting, and what we've learned."
)
GPT4O = "gpt-4o-2024-08-06"


def _gpt4o_cost(prompt: int, completion: int, cached: int = 0) -> Decimal:
    # gpt-4o-2024-08-06 list prices per million tokens: $2.50 input, $1.25 cached, $10 output.
    return (
        Decimal(prompt - cached) * Decimal("2.5") + cached * Decimal("1.25") + completion * 10
    ) / 10**6


ENVELOPES: dict[str, Envelope] = {
    "strict-schema success (OpenAI, gzip)": Envelope(
        PYDANTIC_AI + "test_openai_native_output.yaml (2nd interaction)",
        200,
        _openai_completion(_choice(NARRATIVE, "stop", annotations=[]), _usage(100, 15)),
        Expect(
            None,
            content=NARRATIVE,
            model=GPT4O,
            tokens=(100, 15, 0),
            cost=_gpt4o_cost(100, 15),
            remaining=(4999, 29900),
        ),
        headers={
            **OPENAI_HEADERS,
            "x-ratelimit-remaining-requests": "4999",
            "x-ratelimit-remaining-tokens": "29900",
        },
        gzip=True,  # the cassette stores it decoded; api.openai.com gzips for the SDK
    ),
    "cached tokens": Envelope(
        "body: OpenAI prompt-caching response shape (usage.prompt_tokens_details.cached_tokens)"
        " as in " + PYDANTIC_AI + "test_openai_native_output.yaml, with a cache hit",
        200,
        _openai_completion(_choice(NARRATIVE, "stop"), _usage(2006, 300, 1920)),
        Expect(
            None,
            content=NARRATIVE,
            model=GPT4O,
            tokens=(2006, 300, 1920),
            cost=_gpt4o_cost(2006, 300, 1920),
        ),
    ),
    "Cerebras success": Envelope(
        PYDANTIC_AI + "test_openai_model_cerebras_provider.yaml",
        200,
        {
            "choices": [
                {
                    "finish_reason": "stop",
                    "index": 0,
                    "message": {"content": "The capital of France is Paris.", "role": "assistant"},
                }
            ],
            "created": 1755859694,
            "id": "chatcmpl-ef729919-abd8-4a6f-b83c-a44f50c545e4",
            "model": "llama-3.3-70b",
            "object": "chat.completion",
            "system_fingerprint": "fp_b6a51bb1d26f03ea3772",
            "time_info": {"completion_time": 0.003669222, "prompt_time": 0.002338917},
            "usage": {
                "completion_tokens": 8,
                "prompt_tokens": 42,
                "prompt_tokens_details": {"cached_tokens": 0},
                "total_tokens": 50,
            },
        },
        Expect(
            None,
            content="The capital of France is Paris.",
            model="llama-3.3-70b",
            tokens=(42, 8, 0),
        ),
        headers={"inference-id": "chatcmpl-ef729919-abd8-4a6f-b83c-a44f50c545e4"},
    ),
    "OpenRouter reported cost": Envelope(
        "pydantic/pydantic-ai tests/models/cassettes/test_openrouter/test_openrouter_usage.yaml "
        "(content and reasoning shortened; usage as recorded)",
        200,
        {
            "choices": [
                {
                    "finish_reason": "stop",
                    "index": 0,
                    "logprobs": None,
                    "native_finish_reason": "completed",
                    "message": {
                        "content": VENUS,
                        "reasoning": "**Exploring Venus**",
                        "refusal": None,
                        "role": "assistant",
                    },
                }
            ],
            "created": 1770044198,
            "id": "gen-1770044198-ZwI7uQKLVslWOkgYLHP1",
            "model": "openai/gpt-5-mini",
            "object": "chat.completion",
            "provider": "OpenAI",
            "usage": {
                "completion_tokens": 1763,
                "completion_tokens_details": {"image_tokens": 0, "reasoning_tokens": 832},
                "cost": 0.00353025,
                "cost_details": {
                    "upstream_inference_completions_cost": 0.003526,
                    "upstream_inference_cost": 0.00353025,
                    "upstream_inference_prompt_cost": 4.25e-06,
                },
                "is_byok": False,
                "prompt_tokens": 17,
                "prompt_tokens_details": {"cached_tokens": 0},
                "total_tokens": 1780,
            },
        },
        Expect(
            None,
            content=VENUS,
            model="openai/gpt-5-mini",
            tokens=(17, 1763, 0),
            cost=Decimal("0.00353025"),
            cost_reported=True,
        ),
        headers={"access-control-allow-origin": "*", "vary": "Accept-Encoding"},
    ),
    "OpenRouter 404": Envelope(
        "pydantic/pydantic-ai tests/models/cassettes/test_openrouter/"
        "test_openrouter_errors_raised.yaml",
        404,
        {
            "error": {
                "code": 404,
                "message": "No endpoints found for google/gemini-2.5-flash:free.",
            },
            "user_id": "user_2u7zrLB02neVzhe7P3Am4Jhz4cW",
        },
        Expect(
            "llm_api_error",
            "OpenAI API error (404)",
            detail="No endpoints found for google/gemini-2.5-flash:free.",
        ),
        headers={"access-control-allow-origin": "*", "vary": "Accept-Encoding"},
    ),
    "usage absent (Ollama-style)": Envelope(
        "envelope: an OpenAI-compatible server that omits usage (llama.cpp/Ollama builds)",
        200,
        _openai_completion(_choice(NARRATIVE, "stop"), None, model="llama3.1:8b"),
        Expect(None, content=NARRATIVE, model="llama3.1:8b"),
    ),
    "prompt_tokens_details null (vLLM)": Envelope(
        "envelope: vLLM's OpenAI server sends prompt_tokens_details: null",
        200,
        _openai_completion(_choice(NARRATIVE, "stop"), _usage(300, 20, None), model=GPT4O),
        Expect(
            None, content=NARRATIVE, model=GPT4O, tokens=(300, 20, 0), cost=_gpt4o_cost(300, 20)
        ),
    ),
    "DeepSeek cache spelling": Envelope(
        "envelope: DeepSeek's documented usage (prompt_cache_hit_tokens)",
        200,
        _openai_completion(
            _choice(NARRATIVE, "stop"),
            {
                "prompt_tokens": 900,
                "completion_tokens": 30,
                "total_tokens": 930,
                "prompt_cache_hit_tokens": 640,
                "prompt_cache_miss_tokens": 260,
            },
            model="deepseek-chat",
        ),
        Expect(
            None,
            content=NARRATIVE,
            model="deepseek-chat",
            tokens=(900, 30, 640),
            cost=Decimal("0.000074"),  # genai-prices' deepseek-chat rates, cache hits included
        ),
    ),
    "tool calls, no content": Envelope(
        PYDANTIC_AI + "test_openai_native_output.yaml (1st interaction)",
        200,
        _openai_completion(
            _choice(
                None,
                "tool_calls",
                annotations=[],
                tool_calls=[
                    {
                        "function": {"arguments": "{}", "name": "get_user_country"},
                        "id": "call_tkOuQT3mf2fpSYORlhv2Ov0R",
                        "type": "function",
                    }
                ],
            ),
            _usage(79, 11),
        ),
        Expect(
            "output_schema_violation",
            "Model output does not match the schema",
            detail="the model called tools (get_user_country) instead of writing content",
            tokens=(79, 11, 0),
            cost=_gpt4o_cost(79, 11),
        ),
    ),
    "refusal": Envelope(
        "body: OpenAI structured-outputs refusal (message.refusal), as documented",
        200,
        _openai_completion(
            {
                **_choice(None, "stop"),
                "message": {
                    "role": "assistant",
                    "content": None,
                    "refusal": "I'm sorry, I can't assist with that request.",
                },
            },
            _usage(571, 10),
        ),
        Expect(
            "llm_refusal",
            "Model refused to answer",
            detail="I'm sorry, I can't assist with that request.",
            tokens=(571, 10, 0),
            cost=_gpt4o_cost(571, 10),
        ),
    ),
    "length": Envelope(
        "envelope: finish_reason length with a cut JSON, OpenAI shape",
        200,
        _openai_completion(_choice('{"headline": "400 est', "length"), _usage(571, 2000)),
        Expect(
            "llm_truncated",
            "Model output was cut off (length)",
            tokens=(571, 2000, 0),
            cost=_gpt4o_cost(571, 2000),
        ),
    ),
    "Azure output content filter": Envelope(
        "envelope: Azure OpenAI chat completion with finish_reason content_filter and "
        "content_filter_results, per Azure's documented response",
        200,
        {
            **_openai_completion(
                {**_choice(None, "content_filter"), "content_filter_results": FILTER_RESULT},
                _usage(571, 12),
            ),
            "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
        },
        Expect(
            "llm_content_filtered",
            "Model provider's content filter blocked the output",
            detail="finish_reason: content_filter",
            tokens=(571, 12, 0),
            cost=_gpt4o_cost(571, 12),
        ),
    ),
    "Azure prompt filter (innererror)": Envelope(
        "body: BerriAI/litellm tests/test_litellm/llms/azure/test_azure_exception_mapping.py "
        "(innererror.code ResponsibleAIPolicyViolation)",
        400,
        {
            "error": {
                "message": AZURE_FILTER_TEXT,
                "type": None,
                "param": "prompt",
                "code": "BadRequest",
                "status": 400,
                "innererror": {
                    "code": "ResponsibleAIPolicyViolation",
                    "content_filter_result": FILTER_RESULT,
                },
            }
        },
        Expect(
            "llm_content_filtered",
            "Model provider's content filter blocked the prompt",
            detail=AZURE_FILTER_TEXT,
        ),
    ),
    "Azure prompt filter (code content_filter)": Envelope(
        "body: Azure OpenAI's documented 400 with error.code content_filter",
        400,
        {
            "error": {
                "message": AZURE_FILTER_TEXT,
                "type": None,
                "param": "prompt",
                "code": "content_filter",
                "status": 400,
            }
        },
        Expect(
            "llm_content_filtered",
            "Model provider's content filter blocked the prompt",
            detail=AZURE_FILTER_TEXT,
        ),
    ),
    "400 unsupported option": Envelope(
        PYDANTIC_AI + "test_openai_web_search_tool_model_not_supported.yaml",
        400,
        _error(
            "Web search options not supported with this model.",
            "invalid_request_error",
            None,
            "web_search_options",
        ),
        Expect(
            "llm_api_error",
            "OpenAI API error (400)",
            detail="Web search options not supported with this model.",
        ),
        headers={**OPENAI_HEADERS, "openai-organization": "pydantic-28gund"},
    ),
    "400 invalid schema": Envelope(
        "body: OpenAI's strict-mode rejection text as quoted in public test fixtures "
        "('Invalid schema for response_format ...'); OpenAI error envelope",
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
        ),
    ),
    "401": Envelope(
        "body: OpenAI's 401 invalid_api_key envelope",
        401,
        _error(
            "Incorrect API key provided: sk-test-*******7f3a. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            "invalid_api_key",
        ),
        Expect(
            "llm_api_error",
            "OpenAI API error (401)",
            detail="the API key was rejected (check OPENAI_API_KEY)",
        ),
    ),
    "404 model": Envelope(
        "body: OpenAI's model_not_found envelope as quoted in public fixtures",
        404,
        _error(
            "The model `gpt-99` does not exist or you do not have access to it.",
            "invalid_request_error",
            "model_not_found",
        ),
        Expect(
            "llm_api_error",
            "OpenAI API error (404)",
            detail="The model `gpt-99` does not exist or you do not have access to it.",
        ),
    ),
    "429 retry-after seconds": Envelope(
        "body: OpenAI TPM rate-limit envelope; header retry-after",
        429,
        RATE_LIMIT,
        Expect(
            "llm_api_error",
            "OpenAI API error (429)",
            retry_after=20.0,
            detail=RATE_LIMIT_TEXT,
            remaining=(4999, 0),
        ),
        headers={
            "retry-after": "20",
            "x-ratelimit-remaining-requests": "4999",
            "x-ratelimit-remaining-tokens": "0",
        },
    ),
    "429 retry-after HTTP date": Envelope(
        "body: OpenAI TPM rate-limit envelope; header retry-after as an HTTP date",
        429,
        RATE_LIMIT,
        Expect("llm_api_error", "OpenAI API error (429)", retry_after=-1.0, detail=RATE_LIMIT_TEXT),
        headers={"retry-after": "<in 30 s>"},
    ),
    "429 retry-after-ms": Envelope(
        "body: OpenAI TPM rate-limit envelope; header retry-after-ms (Azure OpenAI sends it)",
        429,
        RATE_LIMIT,
        Expect("llm_api_error", "OpenAI API error (429)", retry_after=1.5, detail=RATE_LIMIT_TEXT),
        headers={"retry-after-ms": "1500"},
    ),
    "429 x-ratelimit-reset": Envelope(
        "body: OpenAI TPM rate-limit envelope; x-ratelimit-reset-* headers (6m0s, 120ms)",
        429,
        RATE_LIMIT,
        Expect(
            "llm_api_error", "OpenAI API error (429)", retry_after=360.0, detail=RATE_LIMIT_TEXT
        ),
        headers={"x-ratelimit-reset-requests": "120ms", "x-ratelimit-reset-tokens": "6m0s"},
    ),
    "429 text only": Envelope(
        "body: OpenAI TPM rate-limit envelope, no wait header ('Please try again in 26.604s')",
        429,
        RATE_LIMIT,
        Expect(
            "llm_api_error", "OpenAI API error (429)", retry_after=26.604, detail=RATE_LIMIT_TEXT
        ),
    ),
    "429 quota": Envelope(
        "body: frederick-douglas-pearce/datatalksclub-faq _questions/llm-zoomcamp/module-1/"
        "003_152af39a53_openai-error-ratelimiterror-error-code-429.md (insufficient_quota)",
        429,
        _error(QUOTA_TEXT, "insufficient_quota", "insufficient_quota"),
        Expect("llm_quota_exhausted", "Model provider quota exhausted (429)", detail=QUOTA_TEXT),
    ),
    "500": Envelope(
        "body: OpenAI's 500 server_error envelope",
        500,
        _error(
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
            None,
        ),
        Expect(
            "llm_api_error",
            "OpenAI API error (500)",
            detail="The server had an error while processing your request. Sorry about that!",
        ),
    ),
    "HTML 502 from a proxy": Envelope(
        "body: Cloudflare/nginx default 502 page, as proxies send it",
        502,
        b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 "
        b"Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n",
        Expect(
            "llm_api_error",
            "OpenAI API error (502)",
            detail="HTTP 502 page from a proxy or gateway: 502 Bad Gateway",
        ),
        content_type="text/html",
    ),
    "200 with an error body": Envelope(
        "body: OpenRouter's documented error object sent with status 200",
        200,
        {
            "error": {
                "code": 502,
                "message": "Upstream provider returned an error",
                "metadata": {"provider_name": "Together"},
            }
        },
        Expect(
            "llm_api_error",
            "OpenAI API error (502)",
            detail="Upstream provider returned an error",
        ),
    ),
    "finish_reason error (OpenRouter)": Envelope(
        "body: an OpenRouter in-band error (choices[0].error, finish_reason error, usage.cost 0) "
        "as quoted in a public test fixture",
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
}
