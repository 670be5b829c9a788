"""OpenAI backend: Chat Completions with strict structured outputs, via the official SDK.

Works with any OpenAI-compatible server through ``OPENAI_BASE_URL``. Set
``ALLOW_MODEL_REQUESTS = False`` (the test suite does) and only loopback hosts may be called.
"""

from __future__ import annotations

# Read at call time by guard.check_allow_model_requests, like pydantic-ai's flag of this name.
ALLOW_MODEL_REQUESTS: bool = True

try:
    import genai_prices as _genai_prices  # noqa: F401
    import openai as _openai  # noqa: F401
except ImportError as _missing:
    raise ImportError(
        f"{_missing.name or 'A package'} is needed by the OpenAI backend (a default "
        'dependency): reinstall with pip install "snapshot-orchestrator"'
    ) from _missing

from .clients import AzureTarget  # noqa: E402
from .errors import KEY_REJECTED  # noqa: E402
from .guard import (  # noqa: E402
    ModelRequestsBlockedError,
    check_allow_model_requests,
    is_loopback_host,
    override_allow_model_requests,
)
from .keys import mask_api_key  # noqa: E402
from .model import DEFAULT_MODEL, OpenAIChatModel  # noqa: E402
from .pricing import DEFAULT_BASE_URL, price_usd  # noqa: E402
from .prompt import (  # noqa: E402
    SYSTEM_PROMPT,
    build_chat_request,
    build_messages,
    encode_request_body,
    narrative_response_format,
)
from .scrub import scrub_secrets  # noqa: E402
from .strict_schema import StrictSchemaReport, check_strict_schema  # noqa: E402
from .waits import duration_seconds, retry_after_seconds  # noqa: E402

__all__ = [
    "ALLOW_MODEL_REQUESTS",
    "DEFAULT_BASE_URL",
    "DEFAULT_MODEL",
    "KEY_REJECTED",
    "SYSTEM_PROMPT",
    "AzureTarget",
    "ModelRequestsBlockedError",
    "OpenAIChatModel",
    "StrictSchemaReport",
    "build_chat_request",
    "build_messages",
    "check_allow_model_requests",
    "check_strict_schema",
    "duration_seconds",
    "encode_request_body",
    "is_loopback_host",
    "mask_api_key",
    "narrative_response_format",
    "override_allow_model_requests",
    "price_usd",
    "retry_after_seconds",
    "scrub_secrets",
]
