"""The local Chat Completions test server in a process of its own, answering every chat
completion with the grounded narrative after a fixed latency (the job benchmark's model).

A process of its own so that its CPU can be read from /proc and its threads do not share a
GIL with the process that drives the benchmark. Run as
``python -m tests.integration.jobs.slow_chat LATENCY``: it prints its base URL, then answers
each line read on stdin with the number of chat completions received so far.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from ..openai.openai_chat_server import ChatServer, Recorded, Reply, grounded_completion

__all__ = ["SlowChatProcess"]

ROOT = Path(__file__).resolve().parents[3]
# The listen backlog: socketserver's default (5) would drop the SYNs of 64 calls made at
# once, and each dropped SYN is retried 1 s later by the client's kernel.
BACKLOG = 256


class _AfterLatency:
    """Chat completions answered ``latency`` seconds after they arrived, counted."""

    def __init__(self, latency: float) -> None:
        self.latency = latency

    def __call__(self, request: Recorded) -> Reply:
        arrived = time.monotonic()
        reply = grounded_completion(request)
        return replace(reply, delay=max(0.0, self.latency - (time.monotonic() - arrived)))


def _serve(latency: float) -> None:
    # Connections kept alive as the real API keeps them: a new TCP connection per call would
    # charge the workers (and this server) a cost that calls to the provider do not have.
    with ChatServer(keep_alive=True) as server:
        server.respond(_AfterLatency(latency))
        server._httpd.socket.listen(BACKLOG)  # listen() again only resizes the backlog
        print(server.base_url, flush=True)
        for _ in sys.stdin:
            chats = sum(1 for r in list(server.requests) if r.path.endswith("/chat/completions"))
            print(chats, flush=True)


class SlowChatProcess:
    """Starts the server process; ``base_url``, ``pid`` and ``chat_requests()`` while open."""

    def __init__(self, latency: float) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.jobs.slow_chat", str(latency)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._stdin, self._stdout = self._process.stdin, self._process.stdout
        self.base_url = self._stdout.readline().strip()
        if not self.base_url.startswith("http://127.0.0.1:"):
            self.close()
            raise RuntimeError(f"the chat server did not start (said {self.base_url!r})")

    @property
    def pid(self) -> int:
        return self._process.pid

    def chat_requests(self) -> int:
        """Chat completions the server has received since it started."""
        self._stdin.write("count\n")
        self._stdin.flush()
        return int(self._stdout.readline())

    def close(self) -> None:
        self._stdin.close()  # the server's loop ends at end of input
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(10)

    def __enter__(self) -> SlowChatProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


if __name__ == "__main__":
    _serve(float(sys.argv[1]))
