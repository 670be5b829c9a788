"""Cost in USD of one call, from the maintained price table of the `genai-prices` package."""

from __future__ import annotations

import logging
import warnings
from decimal import Decimal

from genai_prices import Usage, calc_price

from snapshot_core.domain import TokenUsage

__all__ = ["DEFAULT_BASE_URL", "price_usd"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"

logger = logging.getLogger(__name__)


def price_usd(
    model: str,
    usage: TokenUsage,
    *,
    base_url: str | None = None,
    provider_id: str | None = None,
) -> Decimal | None:
    """The list price of ``usage`` on ``model``, or ``None`` when the price is unknown.

    The provider is found from ``base_url`` (OpenAI, Azure, and other hosted APIs are known to
    genai-prices); a self-hosted server (vLLM, Ollama, ...) has no list price, so ``None``.
    Pass ``provider_id="openai"`` for a gateway that forwards to OpenAI. ``prompt_tokens``
    includes the cached ones, which genai-prices prices at the cache-read rate.
    """
    tokens = Usage(
        input_tokens=usage.prompt_tokens,
        cache_read_tokens=usage.cached_tokens,
        output_tokens=usage.completion_tokens,
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # price-table notices are not the caller's concern
            if provider_id is not None:
                calculation = calc_price(tokens, model, provider_id=provider_id)
            else:
                calculation = calc_price(
                    tokens, model, provider_api_url=base_url or DEFAULT_BASE_URL
                )
    except LookupError:
        logger.debug("no list price for model %r at this provider; cost left unknown", model)
        return None
    except Exception:  # a pricing problem must never fail a call that was paid for
        logger.warning("price lookup failed for model %r; cost left unknown", model, exc_info=True)
        return None
    return Decimal(calculation.total_price)
