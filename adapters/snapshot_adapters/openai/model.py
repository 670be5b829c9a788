"""OpenAIChatModel: the LanguageModel port over the official SDK's Chat Completions API.

One implementation of the logic (request building, error mapping, reply reading) and two thin
I/O paths: ``generate`` (sync client, deadline in the network backend) and ``agenerate``
(async client under ``asyncio.timeout``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import openai
from openai.types.chat import ChatCompletion

from snapshot_core.domain import (
    AgentInput,
    MissingApiKeyError,
    ModelCallError,
    ModelReply,
    TokenUsage,
)

from .clients import AzureTarget, make_async_client, make_sync_client
from .deadline import call_deadline
from .errors import map_connection_error, map_status_error
from .guard import check_allow_model_requests
from .pricing import DEFAULT_BASE_URL, check_price_provider, price_usd
from .probe import PROBE_USAGE, ProbeReport, judge_probe, probe_request
from .prompt import build_chat_request
from .reply import call_facts, read_reply, sha256_hex

__all__ = ["DEFAULT_MODEL", "OpenAIChatModel", "host_of"]

DEFAULT_MODEL = "gpt-4o-2024-08-06"
logger = logging.getLogger(__name__)
_CHAT_PATH = "/chat/completions"


def _secret_value(key: Any) -> str | None:
    """A plain string from a pydantic ``SecretStr``, a ``str`` or ``None``; blank is missing."""
    value = key.get_secret_value() if hasattr(key, "get_secret_value") else key
    return (value.strip() or None) if isinstance(value, str) else None


def host_of(url: str) -> str:
    """``host:port`` only: a URL may carry credentials, which must not reach a message."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def _raw_chat_options() -> openai.RequestOptions:
    """What ``chat.completions.with_raw_response.create`` adds to a plain ``post``: the
    bearer key, and the header by which the SDK hands back the raw response unparsed."""
    return {"headers": {"X-Stainless-Raw-Response": "true"}, "security": {"bearer_auth": True}}


def _body_of(response: Any) -> Any:
    """The decoded JSON body (httpx has already undone any gzip), or the text if not JSON."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return response.content


class OpenAIChatModel:
    """One strict structured-output call per snapshot, to OpenAI, Azure OpenAI or a compatible
    server.

    The SDK's retries are off and redirects are not followed, so exactly one HTTP request is
    sent per call, and the call has a total deadline (``deadline_seconds``) whatever the server
    does. Errors map to the core's catalogue; the key is held by the SDK client only and is
    scrubbed from everything the provider sends back.
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
        azure: AzureTarget | None = None,
        http_client: Any = None,
    ) -> None:
        self._model = model
        self._azure = azure
        self._base_url = azure.endpoint if azure is not None else (base_url or DEFAULT_BASE_URL)
        self._temperature = temperature
        self._max_tokens = max_tokens
        self._timeout = timeout
        check_price_provider(price_provider)
        self._price_provider = price_provider
        self._key = _secret_value(api_key)
        can_call = self._key is not None or (azure is not None and (azure.ad_token or azure.entra))
        self._client = (
            make_sync_client(self._key, self._base_url, timeout, azure, http_client)
            if can_call
            else None
        )

    @classmethod
    def from_settings(cls, settings: Any) -> OpenAIChatModel:
        """From any object with the ``Settings`` fields (duck-typed: adapters stay independent)."""
        azure_endpoint = getattr(settings, "azure_openai_endpoint", None)
        azure = (
            AzureTarget(
                endpoint=azure_endpoint,
                deployment=settings.azure_deployment or settings.model,
                api_version=settings.azure_api_version,
                ad_token=_secret_value(settings.azure_ad_token),
                entra=settings.azure_entra,
            )
            if azure_endpoint
            else None
        )
        key = settings.azure_openai_api_key if azure is not None else settings.openai_api_key
        return cls(
            api_key=_secret_value(key),
            model=settings.model,
            base_url=settings.openai_base_url,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            timeout=settings.llm_timeout,
            price_provider=getattr(settings, "price_provider", None),
            azure=azure,
        )

    @property
    def model_name(self) -> str:
        return self._model

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def deadline_seconds(self) -> float:
        """The total time one call may take (connect + send + wait + read)."""
        return self._timeout

    def __repr__(self) -> str:
        return (
            f"OpenAIChatModel(model={self._model!r}, host={host_of(self._base_url)!r}, "
            f"azure={self._azure is not None}, api_key={'set' if self._client else 'missing'})"
        )

    def ensure_ready(self) -> None:
        """``MissingApiKeyError`` without a key; the guard's error for a blocked host.

        Sends nothing: the use case asks before it claims a source.
        """
        if self._client is None:
            raise MissingApiKeyError()
        check_allow_model_requests(self._base_url)

    def _price(self, model: str, usage: TokenUsage, at: datetime | None = None) -> Decimal | None:
        return price_usd(
            model, usage, base_url=self._base_url, provider_id=self._price_provider, at=at
        )

    def _request(self, agent_input: AgentInput) -> dict[str, Any]:
        self.ensure_ready()
        return build_chat_request(
            agent_input,
            model=self._model,
            temperature=self._temperature,
            max_tokens=self._max_tokens,
        )

    def _failure(self, error: Exception, request: Any) -> ModelCallError:
        """The catalogue error for what the SDK (or the deadline) raised."""
        sha = sha256_hex(request.content) if request is not None else None
        response = getattr(error, "response", None)
        headers = response.headers if response is not None else {}
        facts = call_facts(self._model, sha, headers) if sha else None
        failure: ModelCallError
        if isinstance(error, openai.APIStatusError):
            failure = map_status_error(error, facts, self._key)
        elif isinstance(error, openai.APIConnectionError):
            failure = map_connection_error(error, facts, host_of(self._base_url), self._timeout)
        else:  # asyncio.timeout's TimeoutError: the deadline passed
            failure = map_connection_error(
                openai.APITimeoutError(request), facts, host_of(self._base_url), self._timeout
            )
        logger.debug("model call failed: %s (%s)", failure.code, failure.message)
        return failure

    def _reply(self, raw: Any) -> ModelReply:
        sha = sha256_hex(raw.http_request.content)
        logger.debug("model call answered: model=%s body_sha256=%s", self._model, sha)
        return read_reply(
            _body_of(raw.http_response),
            raw.http_response.headers,
            configured_model=self._model,
            request_sha256=sha,
            price=self._price,
            secret=self._key,
        )

    def generate(self, agent_input: AgentInput) -> ModelReply:
        """Send the one request; return the raw content, or raise the typed error."""
        return self._send(self._request(agent_input))

    def _send(self, request: dict[str, Any]) -> ModelReply:
        """The sync I/O path: one request under the total deadline, read by ``_reply``."""
        assert self._client is not None
        failure: ModelCallError | None = None
        with call_deadline(self._timeout):
            try:
                # The SDK's ``post`` rather than ``chat.completions.create``: the same
                # request (URL, headers, body bytes) without ``create``'s walk of the body
                # against its parameter types, which leaves our plain JSON unchanged
                # (test_openai_same_wire checks) and cost ~1 ms of CPU per call, a third of the
                # SDK's share of a snapshot (docs/benchmarks.md, jobs).
                raw = self._client.post(
                    _CHAT_PATH, cast_to=ChatCompletion, body=request, options=_raw_chat_options()
                )
            except (openai.APIStatusError, openai.APIConnectionError) as error:
                failure = self._failure(error, error.request)
        if failure is not None:
            # Raised outside the except block: no SDK exception (which holds the request and
            # its headers) is chained to what callers see, log or store.
            raise failure
        return self._reply(raw)

    def probe_cost_usd(self) -> Decimal | None:
        """The most the strict-schema probe can cost at list price (``None``: unknown)."""
        return self._price(self._model, PROBE_USAGE)

    def probe_strict_schema(self) -> ProbeReport:
        """Send the one probe request; whether the endpoint honoured the strict schema.

        Never called by a run: only by ``snapshot validate --probe``, which states the cost
        first. A refused request (e.g. 400 invalid schema) raises the typed error.
        """
        self.ensure_ready()
        reply = self._send(probe_request(self._model))
        honoured, detail = judge_probe(reply.content)
        return ProbeReport(honoured, detail, reply.facts, self.probe_cost_usd())

    async def agenerate(self, agent_input: AgentInput) -> ModelReply:
        """``generate`` on the async client, bounded as a whole by ``asyncio.timeout``."""
        request = self._request(agent_input)
        sent: list[Any] = []

        async def remember(outgoing: Any) -> None:
            sent.append(outgoing)

        failure: ModelCallError | None = None
        client = make_async_client(self._key, self._base_url, self._timeout, self._azure, remember)
        async with client:
            try:
                async with asyncio.timeout(self._timeout):
                    raw = await client.post(  # as ``_send``: the same bytes as ``create``
                        _CHAT_PATH,
                        cast_to=ChatCompletion,
                        body=request,
                        options=_raw_chat_options(),
                    )
            except (openai.APIStatusError, openai.APIConnectionError, TimeoutError) as error:
                failure = self._failure(error, sent[-1] if sent else None)
        if failure is not None:
            raise failure
        return self._reply(raw)

    def check_endpoint(self, timeout: float = 5.0) -> list[str]:
        """``GET /models`` once, with a short timeout; the model ids listed on the first page.

        Raises the same typed errors as ``generate`` (401 as a rejected key, timeouts,
        connection failures), so ``snapshot validate`` can say what to fix.
        """
        self.ensure_ready()
        assert self._client is not None
        failure: ModelCallError | None = None
        with call_deadline(timeout):
            try:
                page = self._client.with_options(timeout=timeout).models.list()
            except openai.APIStatusError as error:
                failure = map_status_error(error, None, self._key)
            except openai.APIConnectionError as error:
                failure = map_connection_error(error, None, host_of(self._base_url), timeout)
        if failure is not None:
            raise failure
        return [str(getattr(item, "id", "")) for item in (getattr(page, "data", None) or [])]
