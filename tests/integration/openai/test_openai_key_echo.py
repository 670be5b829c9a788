"""A server that echoes the API key into its reply: the key is nowhere in the database or output."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from openai_chat_server import Recorded, Reply, agent_input_of, completion
from openai_test_data import API_KEY, SOURCE_NAME, USER, realistic_rows

from snapshot_adapters.fake import fake_narrative
from snapshot_adapters.sql import create_sql_store
from snapshot_adapters.system import SystemClock, UuidIds
from snapshot_core import Orchestrator

KEY_PARTS = (API_KEY, "CANARYkey0must0never0leak")
OTHER_KEY = "sk-proj-SomeOtherKeyAProxyForwardedWith0123"


def _echoing(request: Recorded) -> Reply:
    """The reply a careless proxy gives: the bearer token in ``model`` and in the narrative."""
    sent_key = request.headers["authorization"].removeprefix("Bearer ")
    narrative = fake_narrative(agent_input_of(request))
    narrative["headline"] = f"{narrative['headline']} (key {sent_key}, via {OTHER_KEY})"
    narrative["points"][0][0] += f" Forwarded with {sent_key}."  # [text, fact ids...]
    return Reply(body=completion(json.dumps(narrative), model=f"gpt-4o-2024-08-06+{sent_key}"))


def _snapshot(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "snapshot_adapters.cli.main", *args],
        env={**os.environ, "SNAPSHOT_DATABASE_URL": db, "SNAPSHOT_LLM": "fake"},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def test_an_echoed_key_is_scrubbed_before_it_is_stored_or_shown(
    make_model, chat_server, tmp_path: Path
):
    chat_server.respond(_echoing)
    path = tmp_path / "snapshot.db"
    db = f"sqlite:///{path}"
    store = create_sql_store(db)
    orchestrator = Orchestrator(
        uow_factory=store, model=make_model(), clock=SystemClock(), ids=UuidIds()
    )
    source_id = orchestrator.ingest_estimates(user_id=USER, rows=realistic_rows(), name=SOURCE_NAME)
    orchestrator.bucket_source(source_id=source_id, user_id=USER)

    snapshot_id = orchestrator.run_snapshot(source_id=source_id, user_id=USER)

    snapshot = orchestrator.get_snapshot(snapshot_id=snapshot_id, user_id=USER)
    assert "***" in snapshot.insights.headline and "***" in snapshot.meta.model  # it did echo
    with sqlite3.connect(path) as connection:
        dump = "\n".join(connection.iterdump())
    shown = _snapshot("show", snapshot_id, "--user", USER, db=db)
    as_json = _snapshot("show", snapshot_id, "--user", USER, "--format", "json", db=db)
    assert shown.returncode == 0, shown.stderr
    assert chat_server.requests[0].headers["authorization"] == f"Bearer {API_KEY}"  # live canary
    for text in (dump, shown.stdout + shown.stderr, as_json.stdout + as_json.stderr):
        for secret in (*KEY_PARTS, OTHER_KEY):
            assert secret not in text
