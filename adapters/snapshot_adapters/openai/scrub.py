"""Scrub secrets from what a provider sends back, before anything is stored, logged or printed."""

from __future__ import annotations

import re

__all__ = ["MASK", "scrub_secrets", "shorten"]

MASK = "***"
# OpenAI-style keys (sk-..., sk-proj-..., sk-or-v1-... from OpenRouter): any of them, not just
# the configured one, since a proxy may echo the key it forwards with.
_KEY_SHAPED = re.compile(r"sk-[A-Za-z0-9_\-]{8,}")


def scrub_secrets(text: str, secret: str | None) -> str:
    """``text`` with the configured ``secret`` and every ``sk-…``-shaped token replaced."""
    if secret:
        text = text.replace(secret, MASK)
    return _KEY_SHAPED.sub(MASK, text)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
