"""Recorded provider response envelopes for the replay suite, and what each must read as.

Each file in ``recorded/`` holds one response as a public repository's test fixture recorded
it (status, headers, body; gzip bytes as sent when the recording has them) with the
repository, path and commit it was taken from, or as a public issue thread quoted it (the
thread's URL, and what it did and did not record; ``recorded/README.md``). ``BUILT`` adds the
cases no recording was found for, built from documented shapes and marked so.
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from openai_built import BUILT
from openai_envelopes import Envelope, Expect, gpt4o_cost
from openai_quoted import QUOTED, TROUBLE

from snapshot_adapters.openai.pricing import price_provider_for

__all__ = ["ENVELOPES", "RECORDED_DIR", "load_recorded"]

RECORDED_DIR = Path(__file__).parent / "recorded"
GPT4O = "gpt-4o-2024-08-06"
KEY = "the API key was rejected (check OPENAI_API_KEY)"
KEY_MEANING = "key was rejected"
CONTEXT = "context window"


def _api_error(status: int, detail: str | None, **more: Any) -> Expect:
    return Expect("llm_api_error", f"OpenAI API error ({status})", detail=detail, **more)


def load_recorded(name: str, expect: Expect) -> Envelope:
    """The envelope in ``recorded/<name>.json``, served as recorded."""
    data = json.loads((RECORDED_DIR / f"{name}.json").read_text(encoding="utf-8"))
    origin = data["source"]
    if "thread" in origin:  # a response quoted in an issue thread: what it kept is noted
        where = f"{origin['thread']} (recorded: {data['recorded']})"
    else:
        where = f"{origin['repository']} {origin['path']} @ {origin['commit'][:12]}"
    if "interaction" in origin:
        where += f" (interaction {origin['interaction']})"
    if "body_gzip_base64" in data:
        body = base64.b64decode(data["body_gzip_base64"])
    else:
        body = data["body_text"].encode("utf-8")
    return Envelope(
        source=f"{where}; {data['body_form']}",
        status=data["status"],
        body=body,
        expect=expect,
        headers=[(header, value) for header, value in data["headers"]],
        content_type=data["content_type"],
        recorded=True,
        price_provider=price_provider_for("", data["url"], None) if data.get("url") else None,
    )


EXPECT: dict[str, Expect] = {
    **QUOTED,
    "github_models_429_retry_after": _api_error(  # Retry-After seconds; a text body sent as JSON
        429,
        "Too many requests. For more on scraping GitHub and how it may affect your rights, "
        "please review our Terms of Service (https://docs.github.com/en/site-policy/"
        "github-terms/github-terms-of-service).",
        retry_after=44.0,
        meaning="rate limit",
    ),
    "openai_strict_schema_success": Expect(
        None, model=GPT4O, tokens=(92, 15, 0), cost=gpt4o_cost(92, 15)
    ),
    "openai_cached_tokens": Expect(
        None,
        model=GPT4O,
        tokens=(3663, 117, 3584),
        cost=gpt4o_cost(3663, 117, 3584),
        remaining=(4999, 796069),
    ),
    "openai_refusal": Expect(
        "llm_refusal",
        "Model refused to answer",
        detail="I'm very sorry, but I can't assist with that request.",
        tokens=(64, 13, 0),
        cost=gpt4o_cost(64, 13),
        remaining=(4999, 799984),
    ),
    "openai_length": Expect(
        "llm_truncated",
        "Model output was cut off (length)",
        tokens=(14, 50, 0),
        cost=gpt4o_cost(14, 50),
        remaining=(4999, 799992),
    ),
    "openai_tool_calls": Expect(
        "output_schema_violation",
        "Model output does not match the schema",
        detail="the model called tools (get_user_country) instead of writing content",
        tokens=(71, 12, 0),
        cost=gpt4o_cost(71, 12),
    ),
    "openai_401": _api_error(401, KEY, meaning=KEY_MEANING),
    "openai_404_model": _api_error(
        404,
        "The model `this-model-does-not-exist-12345` does not exist or you do not have "
        "access to it.",
        meaning="not found",
    ),
    "openai_400_unsupported_option": _api_error(
        400, "Web search options not supported with this model."
    ),
    "openai_400_invalid_strict_schema": _api_error(  # a tool's schema; same strict validator
        400,
        "Invalid schema for function 'get_current_weather': In context=(), 'required' is "
        "required to be supplied and to be an array including every key in properties. "
        "Missing 'unit'.",
        meaning="strict json_schema",
    ),
    "openai_400_context_length": _api_error(
        400,
        "Your input exceeds the context window of this model. Please adjust your input and "
        "try again.",
        meaning=CONTEXT,
    ),
    "openai_500": _api_error(
        500,
        "The server had an error processing your request. Sorry about that! You can retry your "
        "request, or contact us through our help center at help.openai.com if you keep seeing "
        "this error. (Please include the request ID req_35c852d7d417877c0fbb3134de873c76 in "
        "your email.)",
        meaning=TROUBLE,
    ),
    "openai_503_proxy_text": _api_error(  # OpenAI's edge proxy, in plain text, through Cloudflare
        503,
        "upstream connect error or disconnect/reset before headers. reset reason: connection "
        "termination",
        meaning=TROUBLE,
    ),
    "snowflake_empty_finish_reason": Expect(
        None,
        model="claude-sonnet-4-6",
        tokens=(668, 51, 0),
        # Anthropic's list price ($3 input, $15 output per million), inferred from the model
        # name; Snowflake bills in credits (SNAPSHOT_PRICE_PROVIDER=none leaves cost unknown).
        cost=Decimal("0.002769"),
    ),
    "azure_strict_schema_success": Expect(
        None,
        model="gpt-5-mini-2025-08-07",
        tokens=(168, 106, 0),
        cost=Decimal("0.000254"),  # gpt-5-mini: $0.25 input, $2 output per million tokens
        remaining=(93, 98959),
    ),
    "azure_prompt_filter": Expect(
        "llm_content_filtered",
        "Model provider's content filter blocked the prompt",
        detail=(
            "The response was filtered due to the prompt triggering Azure OpenAI's content "
            "management policy. Please modify your prompt and retry. To learn more about our "
            "content filtering policies please read our documentation: "
            "https://go.microsoft.com/fwlink/?linkid=2198766"
        ),
        remaining=(86, 99019),
    ),
    "azure_output_filter": Expect(  # finish_reason content_filter, and no message at all
        "llm_content_filtered",
        "Model provider's content filter blocked the output",
        detail="finish_reason: content_filter",
        tokens=(15, 19, 0),
        cost=Decimal("0.000036"),  # gpt-35-turbo: $0.50 input, $1.50 output per million tokens
        remaining=(119, 119984),
    ),
    "azure_400_max_tokens": _api_error(
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
        "'max_completion_tokens' instead.",
        remaining=(79, 98473),
    ),
    "azure_429_retry_after": _api_error(
        429,
        "Your requests to grok-4-1-fast-non-reasoning for grok-4-1-fast-non-reasoning in "
        "westeurope have exceeded rate limit.",
        retry_after=1.0,
    ),
    "azure_401": _api_error(401, KEY, meaning=KEY_MEANING),
    "openai_429_rate_limit_every_wait": _api_error(  # retry-after(-ms), resets and the text
        429,
        "Rate limit reached for gpt-3.5-turbo in organization org-zIQe0qsKlsW7cksvlHpU411T on "
        "requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit "
        "https://platform.openai.com/account/rate-limits to learn more. You can increase your "
        "rate limit by adding a payment method to your account at "
        "https://platform.openai.com/account/billing.",
        retry_after=20.0,
        meaning="rate limit",
        remaining=(196, 39923),
    ),
    "openai_429_overloaded": _api_error(  # 2023: overload sent as 429, resets 17ms / 356ms
        429,
        "That model is currently overloaded with other requests. You can retry your request, or "
        "contact us through our help center at help.openai.com if the error persists. (Please "
        "include the request ID b5ba3ca7c1e433bac000847279adf98e in your message.)",
        retry_after=0.356,
        meaning=TROUBLE,
        remaining=(3499, 89466),
    ),
    "openai_429_request_too_large": _api_error(  # resets 12ms / 0s: no wait makes it pass
        429,
        "Request too large for gpt-5-nano in organization org-eLwBCUaB2ePnSi6dlToWtHZK on tokens "
        "per min (TPM): Limit 2000000, Requested 2500013. The input or output tokens must be "
        "reduced in order to run successfully. Visit https://platform.openai.com/account/"
        "rate-limits to learn more.",
        meaning="waiting will not make it pass",
        remaining=(4999, 1999998),
    ),
    "cerebras_success": Expect(
        None,
        model="llama-3.3-70b",
        tokens=(42, 8, 0),
        cost=Decimal("0.0000453"),  # Cerebras: $0.85 input, $1.20 output per million tokens
    ),
    "openrouter_reported_cost": Expect(
        None,
        model="openai/gpt-5-mini",
        tokens=(17, 2177, 0),
        cost=Decimal("0.00435825"),
        cost_reported=True,
    ),
    "openrouter_list_price": Expect(  # no usage.cost: priced from the model name
        None,
        model="openai/gpt-5-mini",
        tokens=(17, 1515, 0),
        cost=Decimal("0.00303425"),  # gpt-5-mini: $0.25 input, $2 output per million tokens
    ),
    "openrouter_success_leading_whitespace": Expect(
        None, model="openai/gpt-4o", tokens=(12, 2, 0), cost=Decimal("0.00005"), cost_reported=True
    ),
    "openrouter_429_upstream": _api_error(
        429,
        "Provider returned error: google/gemini-2.0-flash-exp:free is temporarily rate-limited "
        "upstream. Please retry shortly, or add your own key to accumulate your rate limits: "
        "https://openrouter.ai/settings/integrations",
    ),
    "openrouter_401": _api_error(401, KEY, meaning=KEY_MEANING),
    "openrouter_400_context_length": _api_error(
        400,
        "This endpoint's maximum context length is 200000 tokens. However, you requested about "
        "2500021 tokens (2500021 of text input). Please reduce the length of either one, or use "
        "the context-compression plugin to compress your prompt automatically.",
        meaning=CONTEXT,
    ),
    "vllm_prompt_tokens_details_null": Expect(  # Nebius (vLLM) behind Hugging Face's router
        None,
        model="Qwen/Qwen2.5-VL-72B-Instruct",
        tokens=(269, 27, 0),
        cost=Decimal("0.0000875"),  # Nebius: $0.25 input, $0.75 output per million tokens
    ),
    "ollama_strict_schema_success": Expect(None, model="qwen3:0.6b", tokens=(136, 15, 0)),
    "ollama_cloud_401": _api_error(401, KEY, meaning=KEY_MEANING),
    "cloudflare_no_usage_object_content": Expect(  # no usage; content a JSON object, not text
        None, model="@cf/meta/llama-3.3-70b-instruct-fp8-fast"
    ),
    "together_success": Expect(
        None,
        model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
        tokens=(44, 23, 0),
        cost=Decimal("0.00005896"),  # Together: $0.88 per million tokens, input and output
        remaining=(19, 3000),
    ),
    "together_finish_eos": Expect(  # Together's older "eos": the answer is complete
        None,
        model="mistralai/Mixtral-8x7B-Instruct-v0.1",
        tokens=(18, 35, 0),
        cost=Decimal("0.0000477"),  # Together: $0.90 per million tokens, input and output
        remaining=(1, None),
    ),
    "deepseek_cache_spelling": Expect(
        None,
        model="deepseek-reasoner",
        tokens=(495, 144, 320),
        # deepseek-reasoner at its price on the reply's date: $0.55 input, $0.14 cache hit,
        # $2.19 output per million tokens.
        cost=Decimal("0.00045641"),
    ),
    "deepseek_400_context_length": _api_error(
        400,
        "This model's maximum context length is 1048565 tokens. However, you requested 1250025 "
        "tokens (1250025 in the messages, 0 in the completion). Please reduce the length of the "
        "messages or completion.",
        meaning=CONTEXT,
    ),
    "deepseek_401": _api_error(401, KEY, meaning=KEY_MEANING),
    "xai_400_key_rejected": _api_error(400, KEY, meaning=KEY_MEANING),
}

ENVELOPES: dict[str, Envelope] = {
    **{name: load_recorded(name, expect) for name, expect in EXPECT.items()},
    **BUILT,
}
