"""Cost in USD of one call, from the maintained price table of the `genai-prices` package.

Which provider's prices apply: ``SNAPSHOT_PRICE_PROVIDER`` when set (``none`` for no cost),
else the provider whose API the base URL is (OpenAI, Azure, OpenRouter, ...), else the one the
model name unambiguously belongs to (``gpt-4o…`` is OpenAI's, ``openai/gpt-4o`` too), so a
LiteLLM proxy or corporate gateway in front of OpenAI still shows a cost. A self-hosted model
(``llama3`` on vLLM or Ollama) has no list price: ``None``. A cost the server reports itself
(OpenRouter's ``usage.cost``) wins over all of this (see reply.py).
"""

from __future__ import annotations

import functools
import logging
import re
import warnings
from datetime import datetime
from decimal import Decimal

from genai_prices import Usage, calc_price
from genai_prices.data_snapshot import find_provider_by_id, get_snapshot

from snapshot_core.domain import InvalidSettingsError, TokenUsage

__all__ = [
    "DEFAULT_BASE_URL",
    "NO_PRICE",
    "check_price_provider",
    "price_provider_for",
    "price_usd",
]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
NO_PRICE = "none"

logger = logging.getLogger(__name__)

# Model-name families that belong to exactly one provider's API.
_FAMILIES = (
    (re.compile(r"^(gpt-|chatgpt-|o[1-9](-|$)|text-embedding-)"), "openai"),
    (re.compile(r"^claude-"), "anthropic"),
    (re.compile(r"^gemini-"), "google"),
    (re.compile(r"^(mistral-|codestral-|magistral-)"), "mistral"),
    (re.compile(r"^deepseek-(chat|reasoner)$"), "deepseek"),
    (re.compile(r"^grok-"), "x-ai"),
)


def check_price_provider(provider_id: str | None) -> None:
    """``InvalidSettingsError`` unless ``provider_id`` is unset, ``none`` or a known provider."""
    if provider_id is None or provider_id == NO_PRICE:
        return
    if find_provider_by_id(get_snapshot().providers, provider_id) is None:
        known = ", ".join(sorted(p.id for p in get_snapshot().providers)[:12])
        raise InvalidSettingsError(
            [
                f"SNAPSHOT_PRICE_PROVIDER: {provider_id!r} is not a genai-prices provider id "
                f"(e.g. {known}, …; or `none`)"
            ]
        )


def _provider_of_url(base_url: str) -> str | None:
    for provider in get_snapshot().providers:
        if re.match(provider.api_pattern, base_url):
            return provider.id
    return None


@functools.lru_cache(maxsize=64)
def price_provider_for(model: str, base_url: str | None, provider_id: str | None) -> str | None:
    """The genai-prices provider whose list price applies, or ``None`` for no price.

    Cached: the answer depends only on the arguments and the price table bundled with the
    package, and finding it matches the URL against every provider's pattern (dozens of
    regular expressions), which each call would otherwise repeat."""
    if provider_id is not None:
        return None if provider_id == NO_PRICE else provider_id
    if (by_url := _provider_of_url(base_url or DEFAULT_BASE_URL)) is not None:
        return by_url
    prefix, _, name = model.lower().rpartition("/")
    if prefix and find_provider_by_id(get_snapshot().providers, prefix) is not None:
        return prefix  # LiteLLM / OpenRouter spelling: openai/gpt-4o
    return next((provider for family, provider in _FAMILIES if family.match(name)), None)


def price_usd(
    model: str,
    usage: TokenUsage,
    *,
    base_url: str | None = None,
    provider_id: str | None = None,
    at: datetime | None = None,
) -> Decimal | None:
    """The list price of ``usage`` on ``model``, or ``None`` when the price is unknown.

    ``prompt_tokens`` includes the cached ones, which genai-prices prices at the cache-read rate.
    ``at`` is when the provider answered (default: now): some prices depend on the date or the
    hour (DeepSeek's off-peak discount).
    """
    provider = price_provider_for(model, base_url, provider_id)
    if provider is None:
        logger.debug("no price provider for model %r; cost left unknown", model)
        return None
    tokens = Usage(
        input_tokens=usage.prompt_tokens,
        cache_read_tokens=usage.cached_tokens,
        output_tokens=usage.completion_tokens,
    )
    bare = model.rpartition("/")[2] if model.lower().startswith(f"{provider}/") else model
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # price-table notices are not the caller's concern
            calculation = calc_price(tokens, bare, provider_id=provider, genai_request_timestamp=at)
    except LookupError:
        logger.debug("no list price for model %r at %s; cost left unknown", model, provider)
        return None
    except Exception:  # a pricing problem must never fail a call that was paid for
        logger.warning("price lookup failed for model %r; cost left unknown", model, exc_info=True)
        return None
    return Decimal(calculation.total_price)
