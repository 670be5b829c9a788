"""OpenAIChatModel: the LanguageModel port over the official SDK's Chat Completions API."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import openai

from snapshot_core.domain import (
    AgentInput,
    CallFacts,
    MissingApiKeyError,
    ModelCallError,
    ModelReply,
    OutputSchemaViolationError,
    TokenUsage,
)

from .errors import map_connection_error, map_status_error
from .guard import check_allow_model_requests
from .pricing import DEFAULT_BASE_URL, price_usd
from .prompt import build_chat_request
from .reply import read_completion, sha256_hex

__all__ = ["DEFAULT_MODEL", "OpenAIChatModel"]

DEFAULT_MODEL = "gpt-4o-2024-08-06"
logger = logging.getLogger(__name__)


def _secret_value(key: Any) -> str | None:
    """A plain string from a pydantic ``SecretStr``, a ``str`` or ``None``; blank is missing."""
    value = key.get_secret_value() if hasattr(key, "get_secret_value") else key
    return (value.strip() or None) if isinstance(value, str) else None


def host_of(url: str) -> str:
    """``host:port`` only: a URL may carry credentials, which must not reach a message."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def _guard_hook(request: Any) -> None:
    check_allow_model_requests(str(request.url))


class OpenAIChatModel:
    """One strict structured-output call per snapshot, to OpenAI or any compatible server.

    The SDK's retries are off (``max_retries=0``) and redirects are not followed, so exactly one
    HTTP request is sent per ``generate``. Errors map to the core's catalogue; the key is
    held by the SDK client only and never appears in a message, a log line or ``repr``.
    """

    def __init__(
        self,
        *,
        api_key: str | None,
        model: str = DEFAULT_MODEL,
        base_url: str | None = None,
        temperature: float = 0.1,
        max_tokens: int = 2000,
        timeout: float = 60.0,
        price_provider: str | None = None,
        http_client: Any = None,
    ) -> None:
        self._model = model
        self._base_url = base_url or DEFAULT_BASE_URL
        self._temperature = temperature
        self._max_tokens = max_tokens
        self._timeout = timeout
        self._price_provider = price_provider
        self._client = self._make_client(_secret_value(api_key), http_client)

    @classmethod
    def from_settings(cls, settings: Any) -> OpenAIChatModel:
        """From any object with the ``Settings`` fields (duck-typed: adapters stay independent)."""
        return cls(
            api_key=_secret_value(settings.openai_api_key),
            model=settings.model,
            base_url=settings.openai_base_url,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            timeout=settings.llm_timeout,
        )

    def _make_client(self, key: str | None, http_client: Any) -> openai.OpenAI | None:
        if key is None:
            return None
        if http_client is None:
            # The SDK's defaults (pool limits, timeouts), minus redirects: a redirected POST
            # would be a second request for the same snapshot.
            http_client = openai.DefaultHttpxClient(follow_redirects=False)
        # Every request, whatever its URL, passes the guard before any DNS lookup or connect.
        hooks = dict(http_client.event_hooks)
        hooks["request"] = [*hooks.get("request", []), _guard_hook]
        http_client.event_hooks = hooks
        return openai.OpenAI(
            api_key=key,
            base_url=self._base_url,
            timeout=self._timeout,
            max_retries=0,
            http_client=http_client,
        )

    @property
    def model_name(self) -> str:
        return self._model

    @property
    def deadline_seconds(self) -> float:
        # Minimal for now: the SDK timeout (per read); the total deadline is enforced separately.
        return self._timeout

    @property
    def base_url(self) -> str:
        return self._base_url

    def __repr__(self) -> str:
        return (
            f"OpenAIChatModel(model={self._model!r}, host={host_of(self._base_url)!r}, "
            f"api_key={'set' if self._client else 'missing'})"
        )

    def ensure_ready(self) -> None:
        """``MissingApiKeyError`` without a key; the guard's error for a blocked host.

        Sends nothing: the use case asks before it claims a source.
        """
        if self._client is None:
            raise MissingApiKeyError()
        check_allow_model_requests(self._base_url)

    def _secret(self) -> str | None:
        return self._client.api_key if self._client is not None else None

    def _price(self, model: str, usage: TokenUsage) -> Decimal | None:
        return price_usd(model, usage, base_url=self._base_url, provider_id=self._price_provider)

    def _failure_facts(self, request: Any) -> CallFacts | None:
        try:
            return CallFacts(model=self._model, request_sha256=sha256_hex(request.content))
        except Exception:  # no body to hash (never the case for a JSON POST): no facts
            return None

    def generate(self, agent_input: AgentInput) -> ModelReply:
        """Send the one request; return the raw content, or raise the typed error."""
        self.ensure_ready()
        assert self._client is not None
        request = build_chat_request(
            agent_input,
            model=self._model,
            temperature=self._temperature,
            max_tokens=self._max_tokens,
        )
        failure: ModelCallError | None = None
        try:
            raw = self._client.chat.completions.with_raw_response.create(**request)
        except openai.APIStatusError as error:
            failure = map_status_error(error, self._failure_facts(error.request), self._secret())
        except openai.APIConnectionError as error:
            facts = self._failure_facts(error.request)
            failure = map_connection_error(error, facts, host_of(self._base_url), self._timeout)
        if failure is not None:
            # Raised outside the except block: no SDK exception (which holds the request and
            # its headers) is chained to what callers see, log or store.
            logger.debug("model call failed: %s (%s)", failure.code, failure.message)
            raise failure
        sha = sha256_hex(raw.http_request.content)
        logger.debug("model call sent: model=%s body_sha256=%s", self._model, sha)
        try:
            completion = raw.parse()
        except Exception:  # a 2xx body the SDK cannot decode is not our JSON either
            completion = None
        if completion is None:
            facts = CallFacts(model=self._model, request_sha256=sha)
            raise OutputSchemaViolationError("the reply body is not JSON", facts)
        return read_completion(
            completion,
            configured_model=self._model,
            request_sha256=sha,
            price=self._price,
            secret=self._secret(),
        )

    def check_endpoint(self, timeout: float = 5.0) -> list[str]:
        """``GET /models`` once, with a short timeout; the model ids listed on the first page.

        Raises the same typed errors as ``generate`` (401 as a rejected key, timeouts,
        connection failures), so ``snapshot validate`` can say what to fix.
        """
        self.ensure_ready()
        assert self._client is not None
        failure: ModelCallError | None = None
        try:
            page = self._client.with_options(timeout=timeout, max_retries=0).models.list()
        except openai.APIStatusError as error:
            failure = map_status_error(error, None, self._secret())
        except openai.APIConnectionError as error:
            failure = map_connection_error(error, None, host_of(self._base_url), timeout)
        if failure is not None:
            raise failure
        return [str(getattr(item, "id", "")) for item in (getattr(page, "data", None) or [])]
