"""ProviderError: the readable parts of a provider's error body, whatever its shape."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["ProviderError", "html_title", "is_html_page", "provider_error"]

# A key rejected with a status other than 401 (xAI answers 400 "Incorrect API key provided").
_KEY_CODES = frozenset({"invalid_api_key", "invalid_key", "authentication_error"})
_KEY_WORDS = re.compile(r"\b(?:incorrect|invalid)\s+api\s+key\b", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class ProviderError:
    """The readable parts of an error body: OpenAI's ``{"error": {...}}`` or a bare object."""

    __slots__ = ("code", "inner_code", "message", "param", "status_in_body", "type", "upstream")

    def __init__(self, body: Any) -> None:
        error = body.get("error", body) if isinstance(body, Mapping) else None
        if isinstance(error, str):  # some gateways: {"error": "text"}
            error = {"message": error}
        error = error if isinstance(error, Mapping) else {}
        inner = error.get("innererror") or error.get("inner_error") or {}
        self.message = _text(error.get("message"))
        self.code = _text(error.get("code"))
        self.type = _text(error.get("type"))
        self.param = _text(error.get("param"))
        self.inner_code = _text(inner.get("code")) if isinstance(inner, Mapping) else None
        # OpenRouter: "Provider returned error", the upstream's own words in metadata.raw.
        metadata = error.get("metadata")
        raw = _text(metadata.get("raw")) if isinstance(metadata, Mapping) else None
        self.upstream = _upstream_words(raw)
        raw = error.get("code")
        self.status_in_body = raw if isinstance(raw, int) and 100 <= raw <= 599 else None

    def codes(self) -> set[str]:
        return {c.lower() for c in (self.code, self.type, self.inner_code) if c}

    def says(self, words: tuple[str, ...]) -> bool:
        """Whether the message, or the upstream's words a gateway adds, contain any of ``words``."""
        text = f"{self.message or ''} {self.upstream or ''}".lower()
        return any(word in text for word in words)

    def full_message(self) -> str | None:
        """The message, followed by the upstream provider's words when a gateway adds them."""
        if self.upstream and self.upstream not in (self.message or ""):
            return f"{self.message}: {self.upstream}" if self.message else self.upstream
        return self.message

    def rejects_key(self, status: int) -> bool:
        """Whether the provider says the key is wrong (401, or another status naming it)."""
        if status == 401:
            return True
        return bool(self.codes() & _KEY_CODES) or bool(_KEY_WORDS.search(self.message or ""))


def _text(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value else None


def _upstream_words(raw: str | None) -> str | None:
    """The upstream's message when ``raw`` is its whole JSON error body (OpenRouter relays
    OpenAI's that way, as recorded: dottxt-ai/outlines#1666), else ``raw`` as it is."""
    if raw is None or not raw.lstrip().startswith("{"):
        return raw
    try:
        body = json.loads(raw)
    except ValueError:
        return raw
    return ProviderError(body).message or raw


def provider_error(body: Any) -> ProviderError:
    return ProviderError(body)


def is_html_page(body: Any) -> bool:
    """Whether a body that is not JSON is an HTML page (a proxy's or gateway's)."""
    if not isinstance(body, (bytes, str)):
        return False
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return html_title(text) is not None


def html_title(text: str) -> str | None:
    if "<html" not in text[:500].lower() and "<!doctype" not in text[:500].lower():
        return None
    match = _TITLE.search(text)
    title = " ".join(html.unescape(match.group(1)).split()) if match else ""
    return title or "an HTML page"
