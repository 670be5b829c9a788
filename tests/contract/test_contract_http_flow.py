"""The whole flow through the web service on every backend: keys, upload, bucket, the async
snapshot path (storage steps in worker threads), reads, and another user's 404s."""

from __future__ import annotations

import pytest

from snapshot_adapters import build_orchestrator
from snapshot_adapters.fake import FakeModel
from snapshot_adapters.settings import load_settings
from snapshot_core.ports import UnitOfWorkFactory

pytest.importorskip("fastapi", reason='the web service needs the "http" extra')

from fastapi.testclient import TestClient

from snapshot_adapters.http import create_app

from .samples import rows


def _csv(count: int) -> bytes:
    lines = ["amount,sent_at,decided_at"] + [
        f"{r.amount},{r.sent_at.isoformat()},{r.decided_at.isoformat() if r.decided_at else ''}"
        for r in rows(count)
    ]
    return "\n".join(lines).encode()


def test_the_whole_flow_runs_over_http_on_every_backend(store: UnitOfWorkFactory) -> None:
    model = FakeModel()
    settings = load_settings(llm="fake", database_url="sqlite://")  # storage: the fixture's
    orchestrator = build_orchestrator(settings, model=model, storage=store)
    alice = {"Authorization": f"Bearer {orchestrator.create_api_key(user_id='alice').token}"}
    mallory = {"Authorization": f"Bearer {orchestrator.create_api_key(user_id='mallory').token}"}
    with TestClient(create_app(orchestrator, max_upload_bytes=10**6)) as client:
        made = client.post("/v1/sources", headers=alice, files={"file": ("q1.csv", _csv(120))})
        assert made.status_code == 201, made.text
        source_id = made.json()["source_id"]
        assert client.post(f"/v1/sources/{source_id}/bucket", headers=alice).status_code == 200
        theirs = client.post(f"/v1/sources/{source_id}/snapshots", headers=mallory)
        assert theirs.status_code == 404 and model.calls == []
        snapshot = client.post(f"/v1/sources/{source_id}/snapshots", headers=alice)
        assert snapshot.status_code == 201, snapshot.text
        snapshot_id = snapshot.json()["snapshot_id"]
        shown = client.get(f"/v1/snapshots/{snapshot_id}", headers=alice).json()
        assert shown["meta"]["estimate_count"] == 120
        assert client.get(f"/v1/snapshots/{snapshot_id}", headers=mallory).status_code == 404
        (run,) = client.get(f"/v1/sources/{source_id}/runs", headers=alice).json()
        assert run["outcome"] == "succeeded"
        assert client.get("/v1/stats", headers=alice).json()["succeeded"] == 1
    assert len(model.calls) == 1
