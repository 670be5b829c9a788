"""A provider response envelope for the replay suite (status, headers, body) and its reading."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = ["Envelope", "Expect", "gpt4o_cost"]


@dataclass(frozen=True)
class Expect:
    code: str | None  # None: a successful reply (its content must be the recorded content)
    message: str | None = None
    retry_after: float | None = None  # -1.0: about 30 s (an HTTP date, made when served)
    detail: str | None = None
    tokens: tuple[int, int, int] = (0, 0, 0)  # prompt, completion, cached
    cost: Decimal | None = None
    cost_reported: bool = False
    model: str | None = None
    remaining: tuple[int | None, int | None] = (None, None)  # requests, tokens
    meaning: str | None = None  # words the error's meaning must contain


@dataclass(frozen=True)
class Envelope:
    """``recorded``: taken from a public repository's fixture (``source`` names it); otherwise
    built from the provider's documented shape, and ``source`` says so."""

    source: str
    status: int
    body: Any  # bytes as sent, or a JSON value the server encodes
    expect: Expect
    headers: list[tuple[str, str]] = field(default_factory=list)
    gzip: bool = False  # the server compresses the body (built envelopes)
    content_type: str = "application/json"
    recorded: bool = False
    # The genai-prices provider of the host it was recorded from: replayed from the local
    # server, the reply is priced as that host's would be (None: priced as a local server).
    price_provider: str | None = None

    def decoded(self) -> Any:
        """The body as JSON (gunzipped when it was recorded gzipped), as a reader sees it."""
        if not isinstance(self.body, bytes):
            return self.body
        sent_gzipped = any(
            name.lower() == "content-encoding" and value == "gzip" for name, value in self.headers
        )
        return json.loads(gzip.decompress(self.body) if sent_gzipped else self.body)


def gpt4o_cost(prompt: int, completion: int, cached: int = 0) -> Decimal:
    """gpt-4o-2024-08-06 list prices per million tokens: $2.50 input, $1.25 cached, $10 output."""
    return (
        Decimal(prompt - cached) * Decimal("2.5") + cached * Decimal("1.25") + completion * 10
    ) / 10**6
