"""The web service under test: TestClient(create_app(...)) on memory storage and a fake model."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

pytest.importorskip("fastapi", reason='the web service needs the "http" extra')

from fastapi.testclient import TestClient

from snapshot_adapters import build_orchestrator
from snapshot_adapters.fake import FakeModel, synthetic_estimates
from snapshot_adapters.http import create_app
from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.settings import load_settings
from snapshot_core import Orchestrator

MAX_UPLOAD = 256 * 1024


def estimates_csv(count: int = 40, seed: int = 7) -> bytes:
    lines = ["estimate_id,amount,sent_at,decided_at"]
    for row in synthetic_estimates(count, seed=seed):
        decided = row.decided_at.isoformat() if row.decided_at else ""
        lines.append(f"{row.estimate_id},{row.amount},{row.sent_at.isoformat()},{decided}")
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Service:
    """A running app (in process), its fake model and store, and two users' headers."""

    client: TestClient
    orchestrator: Orchestrator
    model: FakeModel
    alice: dict[str, str]
    bob: dict[str, str]

    def upload(self, headers: dict[str, str], body: bytes | None = None, **fields: str) -> str:
        sent = self.client.post(
            "/v1/sources",
            headers=headers,
            files={"file": ("estimates.csv", estimates_csv() if body is None else body)},
            data=fields,
        )
        assert sent.status_code == 201, sent.text
        source_id: str = sent.json()["source_id"]
        return source_id

    def snapshot(self, headers: dict[str, str]) -> tuple[str, str]:
        """A new source of ``headers``' user, bucketed, with a snapshot: (source, snapshot)."""
        source_id = self.upload(headers)
        assert self.client.post(f"/v1/sources/{source_id}/bucket", headers=headers).is_success
        made = self.client.post(f"/v1/sources/{source_id}/snapshots", headers=headers)
        assert made.status_code == 201, made.text
        return source_id, made.json()["snapshot_id"]


def make_orchestrator(model: FakeModel) -> Orchestrator:
    settings = load_settings(llm="fake", database_url="sqlite://")
    return build_orchestrator(settings, model=model, storage=MemoryStore())


def bearer(orchestrator: Orchestrator, user_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {orchestrator.create_api_key(user_id=user_id).token}"}


@pytest.fixture
def service() -> Iterator[Service]:
    model = FakeModel()
    orchestrator = make_orchestrator(model)
    app = create_app(orchestrator, max_upload_bytes=MAX_UPLOAD)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Service(
            client, orchestrator, model, bearer(orchestrator, "alice"), bearer(orchestrator, "bob")
        )
