"""The real `snapshot serve` in a subprocess on a free loopback port: /healthz, then one
authenticated flow over HTTP with a key made by `snapshot keys create`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from ..cli_runner import run_cli
from .conftest import estimates_csv


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _lower(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def _call(
    url: str, key: str | None = None, *, data: bytes | None = None, content_type: str = ""
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, _lower(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, _lower(refused.headers.items()), refused.read()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    database = f"sqlite:///{tmp_path / 'serve.db'}"
    made = run_cli(tmp_path, "--db", database, "keys", "create", "--user", "alice")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))}
    env.update({"SNAPSHOT_LLM": "fake", "SNAPSHOT_DATABASE_URL": database})
    process = subprocess.Popen(
        [sys.executable, "-m", "snapshot_adapters.cli.main", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _call(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "snapshot serve did not answer in 60 s"
            time.sleep(0.2)
        yield base, key
    finally:
        process.terminate()
        log = process.communicate(timeout=30)[0]
        assert key not in log  # the key never reaches the server's log
        assert "Traceback" not in log, log


def test_snapshot_serve_answers_health_and_one_authenticated_flow(
    server: tuple[str, str],
) -> None:
    base, key = server
    status, headers, body = _call(f"{base}/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert headers["x-content-type-options"] == "nosniff"
    assert "server" not in headers

    assert _call(f"{base}/v1/sources")[0] == 401
    boundary = "serve-test"
    form = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="e.csv"\r\n\r\n'
        ).encode()
        + estimates_csv(40)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _, body = _call(
        f"{base}/v1/sources",
        key,
        data=form,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert status == 201, body
    source_id = json.loads(body)["source_id"]
    assert _call(f"{base}/v1/sources/{source_id}/bucket", key, data=b"")[0] == 200
    status, _, body = _call(f"{base}/v1/sources/{source_id}/snapshots", key, data=b"")
    assert status == 201, body
    snapshot_id = json.loads(body)["snapshot_id"]
    status, _, body = _call(f"{base}/v1/snapshots/{snapshot_id}", key)
    assert (status, json.loads(body)["meta"]["estimate_count"]) == (200, 40)
    status, headers, body = _call(f"{base}/v1/snapshots/{snapshot_id}/report", key)
    assert status == 200 and headers["content-type"].startswith("text/html")


def test_the_report_served_by_snapshot_serve_draws_every_chart_in_chromium(
    server: tuple[str, str],
) -> None:
    """The page as a browser gets it from the service: the service's own headers (its CSP),
    a bearer key, every chart with the right number of marks, nothing else fetched."""
    from snapshot_core.domain import SnapshotResult

    from ..report.browser import chromium_path, ink_share, visit_report
    from ..report.marks import expected_marks
    from ..report.snapshots import estimates

    chromium = chromium_path()
    base, key = server
    lines = ["amount,sent_at,decided_at,outcome"]
    for row in estimates(weeks=12, per_week=12):
        decided = row.decided_at.isoformat() if row.decided_at else ""
        lines.append(f"{row.amount},{row.sent_at.isoformat()},{decided},{row.outcome}")
    boundary = "report-test"
    form = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="o.csv"\r\n\r\n'
        + "\n".join(lines)
        + f"\n\r\n--{boundary}--\r\n"
    ).encode()
    multipart = f"multipart/form-data; boundary={boundary}"
    status, _, body = _call(f"{base}/v1/sources", key, data=form, content_type=multipart)
    assert status == 201, body
    source_id = json.loads(body)["source_id"]
    assert _call(f"{base}/v1/sources/{source_id}/bucket", key, data=b"")[0] == 200
    status, _, body = _call(f"{base}/v1/sources/{source_id}/snapshots", key, data=b"")
    assert status == 201, body
    snapshot_id = json.loads(body)["snapshot_id"]
    snapshot = SnapshotResult.model_validate_json(
        _call(f"{base}/v1/snapshots/{snapshot_id}", key)[2]
    )
    assert snapshot.outcomes.won  # the upload's outcome column was read

    marks = expected_marks(snapshot, outcomes=True)
    url = f"{base}/v1/snapshots/{snapshot_id}/report"
    visit = visit_report(url, marks, chromium=chromium, headers={"Authorization": f"Bearer {key}"})
    assert visit.counts == marks
    assert visit.errors == []  # under the service's CSP header: a blocked style is an error
    assert visit.other_requests == []
    assert ink_share(visit.screenshot) > 0.1
    assert visit.pdf.startswith(b"%PDF")
