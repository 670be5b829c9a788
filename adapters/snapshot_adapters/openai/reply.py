"""Read a Chat Completions reply body: the call's facts, then every way it can fail, or the content.

Works on the decoded JSON (a dict), not the SDK's objects: compatible servers send fields the
SDK does not model (OpenRouter's ``usage.cost``, ``choices[0].error``, DeepSeek's cache fields).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from snapshot_core.domain import (
    CallFacts,
    LlmContentFilteredError,
    LlmRefusalError,
    LlmTruncatedError,
    ModelReply,
    OutputSchemaViolationError,
    TokenUsage,
)

from .errors import error_for_status, is_html_page
from .scrub import scrub_secrets
from .waits import ratelimit_remaining

__all__ = ["Pricer", "call_facts", "read_reply", "reported_cost", "sha256_hex", "usage_of"]

# (model, usage, when the provider answered) -> list price in USD, or None when unknown.
Pricer = Callable[[str, TokenUsage, datetime | None], Decimal | None]
# Servers that report the cost they bill: OpenRouter (usage.cost), LiteLLM proxy (header).
_COST_HEADERS = ("x-litellm-response-cost",)
# A finished answer: "stop"; Together's older API said "eos" (end of sequence); Snowflake
# Cortex states no reason ("") with a complete answer (both recorded). The core validates
# the content either way.
_FINISHED = ("stop", "eos", None, "")


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _cached_tokens(usage: Mapping[str, Any]) -> int:
    """Cached prompt tokens, under whichever name the server uses.

    OpenAI/Azure/vLLM ``prompt_tokens_details.cached_tokens`` (the details may be ``null``),
    the Responses-style ``input_tokens_details.cached_tokens``, DeepSeek
    ``prompt_cache_hit_tokens``, Anthropic-style ``cache_read_input_tokens``, a flat
    ``cached_tokens``.
    """
    for details in ("prompt_tokens_details", "input_tokens_details"):
        cached = _mapping(usage.get(details)).get("cached_tokens")
        if _int(cached):
            return _int(cached)
    for name in ("prompt_cache_hit_tokens", "cache_read_input_tokens", "cached_tokens"):
        if _int(usage.get(name)):
            return _int(usage.get(name))
    return 0


def usage_of(body: Mapping[str, Any]) -> TokenUsage:
    """Prompt, completion and cached tokens; zeros where a compatible server omits them."""
    usage = _mapping(body.get("usage"))
    return TokenUsage(
        prompt_tokens=_int(usage.get("prompt_tokens", usage.get("input_tokens"))),
        completion_tokens=_int(usage.get("completion_tokens", usage.get("output_tokens"))),
        cached_tokens=_cached_tokens(usage),
    )


def reported_cost(body: Mapping[str, Any], headers: Mapping[str, str]) -> Decimal | None:
    """The cost the server says it billed (USD), when it says so."""
    lowered = {name.lower(): value for name, value in headers.items()}
    candidates = [_mapping(body.get("usage")).get("cost")]
    candidates += [lowered.get(name) for name in _COST_HEADERS]
    for value in candidates:
        if value is None or isinstance(value, bool):
            continue
        try:
            cost = Decimal(str(value))
        except InvalidOperation:
            continue
        if cost.is_finite() and cost >= 0:
            return cost
    return None


def call_facts(
    model: str,
    request_sha256: str,
    headers: Mapping[str, str],
    body: Mapping[str, Any] | None = None,
    price: Pricer | None = None,
) -> CallFacts:
    """What is known about one sent call: model, tokens, cost (reported or priced), rate limits."""
    usage = usage_of(body) if body is not None else TokenUsage()
    cost = reported_cost(body, headers) if body is not None else None
    priced = (
        price(model, usage, _answered_at(body))
        if cost is None and price and body and "usage" in body
        else None
    )
    return CallFacts(
        model=model,
        usage=usage,
        cost_usd=cost if cost is not None else priced,
        cost_reported=cost is not None,
        request_sha256=request_sha256,
        ratelimit_remaining_requests=ratelimit_remaining(headers, "requests"),
        ratelimit_remaining_tokens=ratelimit_remaining(headers, "tokens"),
    )


def _answered_at(body: Mapping[str, Any]) -> datetime | None:
    """The reply's ``created`` (Unix seconds) when it is a plausible time, for time-bound prices."""
    created = body.get("created")
    if not isinstance(created, int) or isinstance(created, bool):
        return None
    moment = datetime.fromtimestamp(created, UTC) if 0 < created < 2**33 else None
    return moment if moment is not None and moment.year >= 2020 else None


def _tool_names(message: Mapping[str, Any]) -> str:
    calls = message.get("tool_calls") or message.get("function_call") or []
    calls = calls if isinstance(calls, list) else [calls]
    names = [str(_mapping(_mapping(c).get("function", c)).get("name", "?")) for c in calls]
    return ", ".join(names) or "?"


def read_reply(
    body: Any,
    headers: Mapping[str, str],
    *,
    configured_model: str,
    request_sha256: str,
    price: Pricer,
    secret: str | None = None,
) -> ModelReply:
    """The reply's content for the core to validate, or the typed error it amounts to.

    Only a finished answer (``_FINISHED``) with content passes: ``length`` is truncation,
    ``content_filter`` a filter, ``tool_calls`` and unknown values are named errors, a body
    that is an error (``{"error": …}`` with status 200, OpenRouter's ``finish_reason: error``)
    is the API error it reports. Every string taken from the reply is scrubbed of the key.
    """
    if not isinstance(body, Mapping):
        facts = call_facts(configured_model, request_sha256, headers)
        if is_html_page(body):  # a proxy's page sent with 200: name the proxy, not the model
            raise error_for_status(200, body, headers, facts, secret)
        raise OutputSchemaViolationError("the reply body is not a JSON object", facts)
    reported = body.get("model")
    model = scrub_secrets(reported, secret) if isinstance(reported, str) and reported else None
    facts = call_facts(model or configured_model, request_sha256, headers, body, price)
    if "error" in body and not body.get("choices"):
        raise error_for_status(_status_of(body), body, headers, facts, secret)
    choices = body.get("choices")
    choice = _mapping(choices[0]) if isinstance(choices, list) and choices else {}
    message = _mapping(choice.get("message"))
    finish = choice.get("finish_reason")
    if finish == "error" or "error" in choice:
        raise error_for_status(_status_of(choice), choice, headers, facts, secret)
    if finish == "content_filter":  # Azure then sends no message at all (as recorded)
        raise LlmContentFilteredError("output", "finish_reason: content_filter", facts)
    if not message:
        what = (
            f"finish_reason: {scrub_secrets(str(finish), secret)[:60]}" if choice else "no choices"
        )
        raise OutputSchemaViolationError(f"the reply has no message ({what})", facts)
    if isinstance(refusal := message.get("refusal"), str) and refusal:
        raise LlmRefusalError(scrub_secrets(refusal, secret), facts)
    content = message.get("content")
    if isinstance(content, Mapping):
        # Cloudflare Workers AI answers a json_schema request with the JSON object itself as
        # the content, not as text (recorded): the same value, written out for the core.
        content = json.dumps(content, ensure_ascii=False)
    if finish in ("tool_calls", "function_call") or (message.get("tool_calls") and not content):
        detail = f"the model called tools ({_tool_names(message)}) instead of writing content"
        raise OutputSchemaViolationError(scrub_secrets(detail, secret), facts)
    if finish not in _FINISHED:
        raise LlmTruncatedError(scrub_secrets(str(finish), secret)[:60], facts)
    if not isinstance(content, str) or not content:
        raise OutputSchemaViolationError("the reply has no content", facts)
    return ModelReply(content=scrub_secrets(content, secret), facts=facts)


def _status_of(holder: Mapping[str, Any]) -> int:
    """The status an in-band error names (OpenRouter puts it in ``error.code``), else 200."""
    code = _mapping(holder.get("error")).get("code")
    return code if isinstance(code, int) and 100 <= code <= 599 else 200
