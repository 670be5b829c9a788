"""What `snapshot run` prints for a provider failure: the wait and the refusal text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openai_chat_server import Reply, completion
from openai_test_data import API_KEY, SOURCE_NAME, USER, realistic_rows

from snapshot_adapters.fake import FakeModel
from snapshot_adapters.sql import create_sql_store
from snapshot_adapters.system import SystemClock, UuidIds
from snapshot_core import Orchestrator

REFUSAL = "I'm sorry, I can't assist with that request."


def _bucketed_source(db: str) -> str:
    orchestrator = Orchestrator(
        uow_factory=create_sql_store(db), model=FakeModel(), clock=SystemClock(), ids=UuidIds()
    )
    source_id = orchestrator.ingest_estimates(user_id=USER, rows=realistic_rows(), name=SOURCE_NAME)
    orchestrator.bucket_source(source_id=source_id, user_id=USER)
    return source_id


@pytest.mark.parametrize(
    ("reply", "printed"),
    [
        (
            Reply(429, {"error": {"message": "Rate limit reached. Please try again in 26.604s."}}),
            ["Error: OpenAI API error (429)", "retry after 26.604 s", "rate limit was reached"],
        ),
        (
            Reply(body=completion(None, refusal=REFUSAL)),
            ["Error: Model refused to answer", f"Detail: {REFUSAL}"],
        ),
        (
            Reply(
                429,
                {
                    "error": {
                        "message": "You exceeded your current quota",
                        "code": "insufficient_quota",
                    }
                },
            ),
            ["Error: Model provider quota exhausted (429)", "Add credit or check billing"],
        ),
    ],
    ids=["rate limit", "refusal", "quota"],
)
def test_the_cli_prints_the_wait_and_the_providers_words(
    reply, printed, chat_server, tmp_path: Path
):
    db = f"sqlite:///{tmp_path / 'snapshot.db'}"
    source_id = _bucketed_source(db)
    chat_server.respond(reply)

    done = subprocess.run(
        [sys.executable, "-m", "snapshot_adapters.cli.main", "run", source_id, "--user", USER],
        env={
            **os.environ,
            "SNAPSHOT_DATABASE_URL": db,
            "OPENAI_API_KEY": API_KEY,
            "OPENAI_BASE_URL": chat_server.base_url,
        },
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )

    assert done.returncode == 1
    for text in printed:
        assert text in done.stderr
    assert "Traceback" not in done.stderr
    assert len(chat_server.requests) == 1
