"""The model-request guard: with ALLOW_MODEL_REQUESTS off, only loopback hosts may be called."""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from urllib.parse import urlsplit

__all__ = [
    "ModelRequestsBlockedError",
    "check_allow_model_requests",
    "is_loopback_host",
    "override_allow_model_requests",
]

_FLAG = "ALLOW_MODEL_REQUESTS"


class ModelRequestsBlockedError(RuntimeError):
    """A model request to a non-loopback host while ``ALLOW_MODEL_REQUESTS`` is ``False``."""


def _package() -> ModuleType:
    # The flag lives on the package (``snapshot_adapters.openai.ALLOW_MODEL_REQUESTS``) and is
    # read at call time, so setting it there after import takes effect, as in pydantic-ai.
    return sys.modules[__name__.rpartition(".")[0]]


def requests_allowed() -> bool:
    return bool(getattr(_package(), _FLAG, True))


def is_loopback_host(host: str | None) -> bool:
    """``localhost`` or a loopback IP (127.0.0.0/8, ::1): traffic that never leaves the machine."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_allow_model_requests(url: str) -> None:
    """Raise ``ModelRequestsBlockedError`` if ``url`` may not be called right now.

    Called before the SDK is touched and again from the HTTP client's request hook, so a
    blocked request fails before any DNS lookup or connect.
    """
    if requests_allowed():
        return
    host = urlsplit(str(url)).hostname
    if is_loopback_host(host):
        return
    raise ModelRequestsBlockedError(
        f"Model request to {host or url!r} blocked: snapshot_adapters.openai.ALLOW_MODEL_REQUESTS "
        "is False (the test suite sets it), so only loopback servers may be called. "
        "Point OPENAI_BASE_URL at a local server, or use the fake model (SNAPSHOT_LLM=fake)."
    )


@contextmanager
def override_allow_model_requests(allow: bool) -> Iterator[None]:
    """Temporarily set ``ALLOW_MODEL_REQUESTS`` (restored on exit)."""
    package = _package()
    previous = requests_allowed()
    vars(package)[_FLAG] = allow
    try:
        yield
    finally:
        vars(package)[_FLAG] = previous
