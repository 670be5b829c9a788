"""A local HTTP server speaking the Chat Completions protocol, recording every request it gets."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from snapshot_adapters.fake import fake_narrative
from snapshot_core.domain import AgentInput

__all__ = ["ChatServer", "Recorded", "Reply", "completion", "grounded_completion"]

SERVED_MODEL = "gpt-4o-2024-08-06"
USAGE = {"prompt_tokens": 571, "completion_tokens": 94, "cached_tokens": 128}


@dataclass(frozen=True)
class Recorded:
    """One request as it arrived: method, path, headers (lower-cased names), body bytes."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    """What the server does: answer (``status``, ``headers``, ``body``) after ``delay`` seconds,
    or ``reset`` the connection without answering. ``gzip`` compresses the body as sent
    (``Content-Encoding: gzip``); ``trickle`` sends the body one byte every that many seconds.
    ``headers`` may be a list of (name, value) pairs, so a recorded reply keeps repeated ones."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] | list[tuple[str, str]] = field(default_factory=dict)
    delay: float = 0.0
    reset: bool = False
    content_type: str = "application/json"
    gzip: bool = False
    trickle: float = 0.0

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


def completion(
    content: str | None = "{}",
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    model: str = SERVED_MODEL,
    usage: dict[str, int] | None = USAGE,
) -> dict[str, Any]:
    """A chat.completion object as OpenAI returns it."""
    body: dict[str, Any] = {
        "id": "chatcmpl-local-1",
        "object": "chat.completion",
        "created": 1767600000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
    }
    if usage is not None:
        body["usage"] = {
            "prompt_tokens": usage["prompt_tokens"],
            "completion_tokens": usage["completion_tokens"],
            "total_tokens": usage["prompt_tokens"] + usage["completion_tokens"],
            "prompt_tokens_details": {"cached_tokens": usage["cached_tokens"]},
        }
    return body


def agent_input_of(request: Recorded) -> AgentInput:
    """The AgentInput the adapter sent (the last message), parsed back strictly."""
    return AgentInput.model_validate_json(request.json()["messages"][-1]["content"])


def grounded_completion(request: Recorded) -> Reply:
    """A well-behaved model: the fake narrative for the AgentInput it was sent."""
    narrative = fake_narrative(agent_input_of(request))
    return Reply(body=completion(json.dumps(narrative)))


def _models(_: Recorded) -> Reply:
    return Reply(body={"object": "list", "data": [{"id": SERVED_MODEL, "object": "model"}]})


class ChatServer:
    """``base_url`` is ``http://127.0.0.1:<port>/v1``; ``requests`` lists what arrived.

    ``respond`` sets how chat completions are answered (a ``Reply`` or a function of the
    request); ``GET /v1/models`` lists one model. Each connection is closed after its reply
    unless ``keep_alive``: then, as the real API does, it stays open for the next request.
    """

    def __init__(self, keep_alive: bool = False) -> None:
        self.keep_alive = keep_alive
        self.requests: list[Recorded] = []
        self.chat: Callable[[Recorded], Reply] = grounded_completion
        self.models: Callable[[Recorded], Reply] = _models
        self._lock = threading.Lock()
        self.stopped = threading.Event()  # ends trickling replies when the test is over
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval, once per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def respond(self, reply: Reply | Callable[[Recorded], Reply]) -> None:
        self.chat = reply if callable(reply) else (lambda _request: reply)

    def record(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
        path = request.path.partition("?")[0]  # Azure sends ?api-version=...
        if path.rstrip("/").endswith("/models"):
            return self.models(request)
        if path.endswith("/chat/completions"):
            return self.chat(request)
        return Reply(status=404, body={"error": {"message": f"no route {request.path}"}})

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler_for(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The headers and the body go out in two writes: on a kept-alive connection, Nagle's
        # algorithm would hold the body back until the client's delayed ACK (40 ms).
        disable_nagle_algorithm = server.keep_alive

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            reply = server.record(Recorded(self.command, self.path, headers, body))
            self.close_connection = not server.keep_alive or reply.reset
            if reply.delay:
                time.sleep(reply.delay)
            if reply.reset:
                # SO_LINGER 0: close() sends a TCP RST, as a crashed proxy or server would.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                return
            payload = reply.encoded()
            if reply.gzip:
                payload = gzip.compress(payload)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(payload)))
                if self.close_connection:
                    self.send_header("Connection", "close")
                if reply.gzip:
                    self.send_header("Content-Encoding", "gzip")
                pairs = reply.headers.items() if isinstance(reply.headers, dict) else reply.headers
                for name, value in pairs:
                    self.send_header(name, value)
                self.end_headers()
                if reply.trickle:
                    for index in range(len(payload)):
                        self.wfile.write(payload[index : index + 1])
                        self.wfile.flush()
                        if server.stopped.wait(reply.trickle):
                            return
                else:
                    self.wfile.write(payload)
            except OSError:  # the client gave up (timeout test): nothing left to do
                pass

        def finish(self) -> None:
            with contextlib.suppress(OSError):  # the socket was reset or abandoned on purpose
                super().finish()

        def log_message(self, format: str, *args: Any) -> None:  # stdlib's signature
            pass  # quiet: the test reads `requests`, not the access log

    return Handler
