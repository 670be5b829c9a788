"""FastAPI, synchronous handler: `def` routes run in FastAPI's thread pool, so the blocking
`run_snapshot` (one model call, seconds) holds a worker thread, not the event loop.

Run: python examples/fastapi_sync.py (fake model, in-memory storage; nothing leaves the machine)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Header
from fastapi.testclient import TestClient

from snapshot_adapters import build_orchestrator
from snapshot_adapters.fake import FakeModel, synthetic_estimates
from snapshot_adapters.http.problems import install_problem_handlers
from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.settings import load_settings

orchestrator = build_orchestrator(
    load_settings(llm="fake"), model=FakeModel(), storage=MemoryStore()
)  # production: build_orchestrator() reads SNAPSHOT_DATABASE_URL, OPENAI_API_KEY, ...
app = FastAPI()
install_problem_handlers(app)  # every SnapshotError -> problem+json with its status


def current_user(x_user: Annotated[str, Header()]) -> str:
    return x_user  # stands in for your authentication


@app.post("/sources/{source_id}/snapshots", status_code=201)
def create_snapshot(source_id: str, user_id: Annotated[str, Depends(current_user)]) -> dict:
    return {"snapshot_id": orchestrator.run_snapshot(source_id=source_id, user_id=user_id)}


def main() -> None:
    source_id = orchestrator.ingest_estimates(user_id="u1", rows=synthetic_estimates(40))
    orchestrator.bucket_source(source_id=source_id, user_id="u1")
    client = TestClient(app)
    made = client.post(f"/sources/{source_id}/snapshots", headers={"X-User": "u1"})
    assert made.status_code == 201, made.text
    again = client.post(f"/sources/{source_id}/snapshots", headers={"X-User": "u1"})
    assert again.status_code == 409  # source_not_bucketed: it already has its snapshot
    theirs = client.post(f"/sources/{source_id}/snapshots", headers={"X-User": "u2"})
    assert theirs.status_code == 404  # not yours reads as not found
    print("snapshot", made.json()["snapshot_id"], "| again:", again.json()["code"])


if __name__ == "__main__":
    main()
