"""The request size limit: refused on its Content-Length, else counted while it arrives."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from snapshot_core.domain import UploadTooLargeError

from .problems import problem_body, problem_response

__all__ = ["RequestSizeLimit"]


class RequestSizeLimit:
    """Pure ASGI. A body announced larger than ``max_bytes`` is answered 413 before a byte
    of it is read; one that turns out larger (chunked, or a lying header) stops the reader
    with ``HTTPException(413)``, which the app's handler turns into the same problem."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, upload_limit: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_limit = upload_limit  # the number the problem names (the file's limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        announced = dict(scope["headers"]).get(b"content-length", b"")
        if announced.isdigit() and int(announced) > self.max_bytes:
            error = UploadTooLargeError(self.upload_limit)
            await problem_response(problem_body(error, 413), 413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413)
            return message

        await self.app(scope, counted, send)
