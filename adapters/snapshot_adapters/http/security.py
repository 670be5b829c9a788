"""Security headers on every response: no sniffing, no framing, no referrer, a strict CSP."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..report.style import CONTENT_SECURITY_POLICY as REPORT_POLICY

__all__ = ["SECURITY_HEADERS", "SecurityHeadersMiddleware"]

# The report's own policy: no script at all, its one stylesheet by hash, images only from
# data: URLs, nothing loaded from elsewhere, never framed. JSON answers need no more than that.
CONTENT_SECURITY_POLICY = REPORT_POLICY

SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): adds the headers to each response as it starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
