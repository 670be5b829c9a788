"""FastAPI, async handler: `await orchestrator.arun_snapshot(...)` holds no thread while the
model thinks, so one worker process serves many snapshots at once.

Run: python examples/fastapi_async.py (fake model with a 0.5 s delay, in-memory storage)
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import httpx2 as httpx  # the maintained httpx line (openai depends on it)
from fastapi import Depends, FastAPI, Header

from snapshot_adapters import build_orchestrator
from snapshot_adapters.fake import FakeModel, synthetic_estimates
from snapshot_adapters.http.problems import install_problem_handlers
from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.settings import load_settings

orchestrator = build_orchestrator(
    load_settings(llm="fake"), model=FakeModel(delay=0.5), storage=MemoryStore()
)
app = FastAPI()
install_problem_handlers(app)


def current_user(x_user: Annotated[str, Header()]) -> str:
    return x_user  # stands in for your authentication


@app.post("/sources/{source_id}/snapshots", status_code=201)
async def create_snapshot(source_id: str, user_id: Annotated[str, Depends(current_user)]) -> dict:
    snapshot_id = await orchestrator.arun_snapshot(source_id=source_id, user_id=user_id)
    return {"snapshot_id": snapshot_id}


@app.get("/snapshots/{snapshot_id}")
async def get_snapshot(snapshot_id: str, user_id: Annotated[str, Depends(current_user)]) -> dict:
    snapshot = await orchestrator.aget_snapshot(snapshot_id=snapshot_id, user_id=user_id)
    return snapshot.model_dump(mode="json")


async def main() -> None:
    sources = []
    for _ in range(10):
        source_id = await orchestrator.aingest_estimates(
            user_id="u1", rows=list(synthetic_estimates(40))
        )
        await orchestrator.abucket_source(source_id=source_id, user_id="u1")
        sources.append(source_id)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://example") as client:
        started = time.perf_counter()
        made = await asyncio.gather(
            *(client.post(f"/sources/{s}/snapshots", headers={"X-User": "u1"}) for s in sources)
        )
        took = time.perf_counter() - started
        assert all(answer.status_code == 201 for answer in made)
        snapshot_id = made[0].json()["snapshot_id"]
        shown = await client.get(f"/snapshots/{snapshot_id}", headers={"X-User": "u1"})
        assert shown.json()["meta"]["estimate_count"] == 40
    # Ten 0.5 s model calls overlapped: far less than the 5 s they take one after another.
    assert took < 3.0, took
    print(f"10 snapshots in {took:.2f} s (model: 0.5 s each)")


if __name__ == "__main__":
    asyncio.run(main())
