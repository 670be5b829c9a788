"""Read a Chat Completions reply: the call's facts, then refusal, truncation, or the content."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from snapshot_core.domain import (
    CallFacts,
    LlmRefusalError,
    LlmTruncatedError,
    ModelReply,
    OutputSchemaViolationError,
    TokenUsage,
)

from .errors import scrub

__all__ = ["TRUNCATING_FINISH_REASONS", "read_completion", "sha256_hex", "usage_of"]

# `length`: max_tokens hit; `content_filter`: the provider cut the text. Either way the JSON
# is incomplete or withheld, so there is nothing the core could validate.
TRUNCATING_FINISH_REASONS = frozenset({"length", "content_filter"})

Pricer = Callable[[str, TokenUsage], Decimal | None]


def sha256_hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _int(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def usage_of(completion: Any) -> TokenUsage:
    """Prompt, completion and cached tokens; zeros where a compatible server omits them."""
    usage = getattr(completion, "usage", None)
    if usage is None:
        return TokenUsage()
    details = getattr(usage, "prompt_tokens_details", None)
    return TokenUsage(
        prompt_tokens=_int(getattr(usage, "prompt_tokens", 0)),
        completion_tokens=_int(getattr(usage, "completion_tokens", 0)),
        cached_tokens=_int(getattr(details, "cached_tokens", 0) if details is not None else 0),
    )


def _facts(completion: Any, configured_model: str, request_sha256: str, price: Pricer) -> CallFacts:
    reported = getattr(completion, "model", None)
    model = reported if isinstance(reported, str) and reported else configured_model
    usage = usage_of(completion)
    has_usage = getattr(completion, "usage", None) is not None
    return CallFacts(
        model=model,
        usage=usage,
        cost_usd=price(model, usage) if has_usage else None,
        request_sha256=request_sha256,
    )


def read_completion(
    completion: Any,
    *,
    configured_model: str,
    request_sha256: str,
    price: Pricer,
    secret: str | None = None,
) -> ModelReply:
    """The reply's content for the core to validate, or the typed error it amounts to.

    ``completion`` is what the SDK parsed; a body that is not a chat completion at all (a
    string, or no choices) is an ``output_schema_violation`` carrying what is known. A
    refusal's text is kept, with ``secret`` scrubbed from it (a proxy may echo headers).
    """
    if not hasattr(completion, "choices"):
        facts = CallFacts(model=configured_model, request_sha256=request_sha256)
        raise OutputSchemaViolationError("the reply is not a Chat Completions object", facts)
    facts = _facts(completion, configured_model, request_sha256, price)
    choices = completion.choices or []
    if not choices or getattr(choices[0], "message", None) is None:
        raise OutputSchemaViolationError("the reply has no message", facts)
    choice = choices[0]
    refusal = getattr(choice.message, "refusal", None)
    if refusal:
        raise LlmRefusalError(scrub(str(refusal), secret), facts)
    if choice.finish_reason in TRUNCATING_FINISH_REASONS:
        raise LlmTruncatedError(str(choice.finish_reason), facts)
    return ModelReply(content=choice.message.content or "", facts=facts)
