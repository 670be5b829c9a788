"""Opens a report in a real browser: Debian's Chromium driven by Playwright (never a browser
Playwright downloads). ``visit_report(url, ...)`` takes any URL, so the same check runs on a
page served by this test's loopback server or by the web service.

Without Chromium or Playwright the browser tests skip locally and fail under CI (``.ci/run``
installs Chromium with ``.ci/ensure-chromium``).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import struct
import threading
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

__all__ = ["BrowserVisit", "chromium_path", "ink_share", "serve_page", "visit_report"]


def chromium_path() -> str:
    """The Chromium to drive (``SNAPSHOT_TEST_CHROMIUM``, else Debian's); skips the test
    locally, fails it under CI, when it or Playwright is missing."""
    path = os.environ.get("SNAPSHOT_TEST_CHROMIUM") or shutil.which("chromium") or ""
    reason = None
    if not path or not os.access(path, os.X_OK):
        reason = "no Chromium (apt-get install -y chromium, or set SNAPSHOT_TEST_CHROMIUM)"
    elif importlib.util.find_spec("playwright") is None:
        reason = "no Playwright (it is in the dev extra: python3 dev.py check installs it)"
    if reason is None:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests, but there is {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def serve_page(html: str, headers: Mapping[str, str] = {}) -> Iterator[str]:
    """Serves ``html`` at ``http://127.0.0.1:PORT/report`` (with ``headers``); every other
    path is a 404. Yields the page's URL."""
    body = html.encode("utf-8")

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == "/report"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            for name, value in headers.items() if found else ():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body) if found else 0))
            self.end_headers()
            if found:
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/report"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class BrowserVisit:
    """What the browser saw: marks counted per (chart id, selector), each chart's drawn size,
    console errors and page errors, every request beyond the page, a screenshot and a PDF."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    chart_sizes: dict[str, tuple[float, float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    other_requests: list[str] = field(default_factory=list)
    screenshot: bytes = b""
    pdf: bytes = b""


def visit_report(
    url: str,
    selectors: Iterable[tuple[str, str]],
    *,
    chromium: str,
    headers: Mapping[str, str] | None = None,
) -> BrowserVisit:
    """Opens ``url`` (with ``headers``, say a bearer key) in headless Chromium and records
    what ``BrowserVisit`` holds; the page is printed to PDF as a user would print it."""
    from playwright.sync_api import sync_playwright

    visit = BrowserVisit()
    with sync_playwright() as playwright:
        # As root (CI, containers) Chromium needs --no-sandbox; a small /dev/shm crashes it.
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            page = browser.new_page(
                viewport={"width": 1100, "height": 900}, extra_http_headers=dict(headers or {})
            )
            page.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: visit.errors.append(str(error)))
            page.on(
                "request", lambda r: visit.other_requests.append(r.url) if r.url != url else None
            )
            response = page.goto(url, wait_until="load")
            assert response is not None and response.ok, f"{url}: {response and response.status}"
            for chart_id, selector in selectors:
                visit.counts[chart_id, selector] = page.locator(f"#{chart_id} {selector}").count()
            for chart in page.locator("svg.chart").all():
                box = chart.bounding_box()
                chart_id = chart.get_attribute("id") or "?"
                visit.chart_sizes[chart_id] = (box["width"], box["height"]) if box else (0, 0)
            visit.screenshot = page.screenshot()  # the first screen, as a reader sees it
            visit.pdf = page.pdf(format="A4", print_background=True)
        finally:
            browser.close()
    return visit


def _png_rows(png: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and unfiltered scanlines of an 8-bit, non-interlaced RGB(A) PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, data, header = 8, b"", b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind, chunk = png[position + 4 : position + 8], png[position + 8 : position + 8 + length]
        header = chunk if kind == b"IHDR" else header
        data += chunk if kind == b"IDAT" else b""
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    size = 3 if colour == 2 else 4
    raw, stride, rows, previous = zlib.decompress(data), width * size, [], bytes(width * size)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            a = line[i - size] if i >= size else 0
            b, c = previous[i], previous[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = bytes(line)
    return width, height, rows


def ink_share(png: bytes, sample_every: int = 3) -> float:
    """The share of (sampled) pixels that differ from the most common colour: 0 for a blank
    page, a few percent at least for one with text and charts."""
    width, _, rows = _png_rows(png)
    size = len(rows[0]) // width
    pixels = Counter(
        row[x * size : x * size + 3]
        for row in rows[::sample_every]
        for x in range(0, width, sample_every)
    )
    total = sum(pixels.values())
    return 1 - pixels.most_common(1)[0][1] / total
