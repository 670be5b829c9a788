"""`snapshot validate` run as a user runs it: the real entry point in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from openai_chat_server import Reply, completion
from openai_test_data import API_KEY


def validate(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``snapshot validate`` with ``env`` on top of the test's scrubbed environment."""
    entry = Path(sys.executable).with_name("snapshot")
    command = (
        [str(entry)] if entry.exists() else [sys.executable, "-m", "snapshot_adapters.cli.main"]
    )
    return subprocess.run(
        [*command, "validate", *args],
        env={**os.environ, "SNAPSHOT_DATABASE_URL": "memory://", **env},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_all_checks_pass_against_a_working_server(chat_server):
    done = validate(OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=chat_server.base_url)

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("✓ settings:")
    assert f"✓ API key: OPENAI_API_KEY is set (sk-…{API_KEY[-4:]})" in lines
    assert "– database: memory://: in-process, nothing to check" in lines
    assert any(
        line.startswith("✓ model endpoint:") and "gpt-4o-2024-08-06 listed" in line
        for line in lines
    )
    assert any(line.startswith("✓ narrative schema: accepted") for line in lines)
    assert lines[-1] == "All checks passed."
    assert API_KEY not in done.stdout + done.stderr
    [request] = chat_server.requests  # one GET, with the key in the header only
    assert (request.method, request.path) == ("GET", "/v1/models")
    assert request.headers["authorization"] == f"Bearer {API_KEY}"


def test_an_unreachable_endpoint_fails_with_a_fix_and_no_traceback():
    base_url = f"http://127.0.0.1:{_closed_port()}/v1"
    done = validate(OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=base_url, SNAPSHOT_LLM_TIMEOUT="2")

    assert done.returncode == 1
    output = done.stdout + done.stderr
    lines = done.stdout.splitlines()
    failed = [line for line in lines if line.startswith("✗ model endpoint:")]
    assert failed and "connection to 127.0.0.1" in failed[0]
    assert lines[lines.index(failed[0]) + 1].startswith("    fix: Check OPENAI_BASE_URL")
    assert lines[-1] == "1 check(s) failed."
    assert "Traceback" not in output
    assert API_KEY not in output


def test_a_rejected_key_is_named_without_echoing_it(chat_server):
    chat_server.models = lambda _request: Reply(
        401, {"error": {"message": f"Incorrect API key {API_KEY}"}}
    )
    done = validate(OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=chat_server.base_url)

    assert done.returncode == 1
    assert "the API key was rejected (401)" in done.stdout
    assert "fix: Check OPENAI_API_KEY." in done.stdout
    assert API_KEY not in done.stdout + done.stderr
    assert len(chat_server.requests) == 1


def test_a_missing_key_fails_and_nothing_is_sent(chat_server):
    done = validate(OPENAI_BASE_URL=chat_server.base_url)

    assert done.returncode == 1
    assert "✗ API key: OPENAI_API_KEY is required" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert chat_server.requests == []


def test_the_fake_backend_skips_the_key_and_endpoint(chat_server):
    done = validate(SNAPSHOT_LLM="fake", OPENAI_BASE_URL=chat_server.base_url)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "– model endpoint: skipped (SNAPSHOT_LLM=fake)" in done.stdout
    assert chat_server.requests == []


def _chat_requests(server) -> list:
    return [r for r in server.requests if r.path.endswith("/chat/completions")]


def test_a_normal_validate_sends_no_chat_request(chat_server):
    done = validate(OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=chat_server.base_url)

    assert done.returncode == 0, done.stdout + done.stderr
    assert _chat_requests(chat_server) == []


def test_the_probe_states_its_cost_then_reports_an_endpoint_that_honours_the_schema(chat_server):
    chat_server.respond(Reply(body=completion('{"probe":"strict-ok","n":7}')))

    done = validate("--probe", OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=chat_server.base_url)

    assert done.returncode == 0, done.stdout + done.stderr
    [sent] = _chat_requests(chat_server)
    assert sent.json()["response_format"]["json_schema"]["strict"] is True
    cost_line = done.stdout.index("probe: one request")
    assert "at most $0.0004" in done.stdout  # gpt-4o list price of 80 in + 20 out, said first
    assert cost_line < done.stdout.index("✓ strict schema honoured")
    assert API_KEY not in done.stdout + done.stderr


def test_the_probe_reports_an_endpoint_that_ignores_the_schema(chat_server):
    chat_server.respond(Reply(body=completion("Hello!")))  # as Ollama does with response_format

    done = validate("--probe", OPENAI_API_KEY=API_KEY, OPENAI_BASE_URL=chat_server.base_url)

    assert done.returncode == 1
    assert "✗ strict schema honoured" in done.stdout
    assert "the schema was ignored" in done.stdout
    assert len(_chat_requests(chat_server)) == 1
