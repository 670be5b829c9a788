"""The SDK clients: OpenAI or Azure OpenAI, sync or async, one request per call, guarded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import openai

from .deadline import install_deadline
from .guard import check_allow_model_requests

__all__ = ["AzureTarget", "make_async_client", "make_sync_client"]

# Entra ID (Azure AD) scope of Azure OpenAI, as the SDK's README uses it.
_AZURE_SCOPE = "https://cognitiveservices.azure.com/.default"


@dataclass(frozen=True)
class AzureTarget:
    """An Azure OpenAI deployment: ``{endpoint}/openai/deployments/{deployment}/...``.

    Authentication is the API key, or a static Entra token (``ad_token``), or, with ``entra``,
    a token provider from ``azure-identity``'s ``DefaultAzureCredential``.
    """

    endpoint: str
    deployment: str
    api_version: str
    ad_token: str | None = None
    entra: bool = False


def _guard_hook(request: Any) -> None:
    check_allow_model_requests(str(request.url))


async def _async_guard_hook(request: Any) -> None:
    check_allow_model_requests(str(request.url))


def _with_hook(http_client: Any, hook: Any) -> Any:
    # Every request, whatever its URL, passes the guard before any DNS lookup or connect.
    hooks = dict(http_client.event_hooks)
    hooks["request"] = [*hooks.get("request", []), hook]
    http_client.event_hooks = hooks
    return http_client


def _entra_token_provider() -> Any:
    try:
        from azure.identity import DefaultAzureCredential, get_bearer_token_provider
    except ImportError:
        raise ImportError(
            "azure-identity is needed for SNAPSHOT_AZURE_ENTRA=true: pip install azure-identity"
        ) from None
    return get_bearer_token_provider(DefaultAzureCredential(), _AZURE_SCOPE)


def _azure_auth(key: str | None, azure: AzureTarget) -> dict[str, Any]:
    if azure.entra:
        return {"azure_ad_token_provider": _entra_token_provider()}
    if azure.ad_token:
        return {"azure_ad_token": azure.ad_token}
    return {"api_key": key}


def _client_kwargs(
    key: str | None, base_url: str, timeout: float, azure: AzureTarget | None
) -> dict[str, Any]:
    # max_retries=0: exactly one HTTP request per call; redirects are not followed either.
    common: dict[str, Any] = {"timeout": timeout, "max_retries": 0}
    if azure is None:
        return {"api_key": key, "base_url": base_url, **common}
    return {
        "azure_endpoint": azure.endpoint,
        "azure_deployment": azure.deployment,
        "api_version": azure.api_version,
        **_azure_auth(key, azure),
        **common,
    }


def make_sync_client(
    key: str | None,
    base_url: str,
    timeout: float,
    azure: AzureTarget | None,
    http_client: Any = None,
) -> openai.OpenAI:
    """A sync client whose every network wait ends by the call's deadline (see deadline.py)."""
    if http_client is None:
        # The SDK's defaults (pool limits, timeouts), minus redirects: a redirected POST
        # would be a second request for the same snapshot.
        http_client = openai.DefaultHttpxClient(follow_redirects=False)
    install_deadline(http_client)
    kwargs = _client_kwargs(key, base_url, timeout, azure)
    kwargs["http_client"] = _with_hook(http_client, _guard_hook)
    return openai.AzureOpenAI(**kwargs) if azure is not None else openai.OpenAI(**kwargs)


def make_async_client(
    key: str | None,
    base_url: str,
    timeout: float,
    azure: AzureTarget | None,
    on_request: Any = None,
) -> openai.AsyncOpenAI:
    """An async client for one call (its pool belongs to the running event loop).

    ``on_request`` (an async function of the outgoing request) runs after the guard.
    """
    http_client = _with_hook(
        openai.DefaultAsyncHttpxClient(follow_redirects=False), _async_guard_hook
    )
    if on_request is not None:
        http_client = _with_hook(http_client, on_request)
    kwargs = _client_kwargs(key, base_url, timeout, azure)
    kwargs["http_client"] = http_client
    return openai.AsyncAzureOpenAI(**kwargs) if azure is not None else openai.AsyncOpenAI(**kwargs)
