"""The web service with Celery behind it: ?wait=false answers 202 and a real worker makes it."""

from __future__ import annotations

import time

import pytest

from snapshot_adapters.container import build_container
from snapshot_adapters.jobs import CeleryJobQueue
from snapshot_adapters.settings import Settings

from .world import JobWorld

pytest.importorskip("fastapi", reason="the web service needs the http extra")


def test_a_queued_snapshot_is_made_by_a_worker_and_followed_through_the_service(
    redis_world: JobWorld,
) -> None:
    from fastapi.testclient import TestClient

    from snapshot_adapters.http import create_app

    (source_id,) = redis_world.seed(1)
    orchestrator = redis_world.orchestrator()
    key = orchestrator.create_api_key(user_id="alice").token
    app = create_app(orchestrator, job_queue=redis_world.queue(), max_upload_bytes=1_000_000)
    redis_world.start_worker(concurrency=2)
    with TestClient(app) as client:
        alice = {"Authorization": f"Bearer {key}"}
        queued = client.post(f"/v1/sources/{source_id}/snapshots?wait=false", headers=alice)
        assert queued.status_code == 202, queued.text
        job_id = queued.json()["job_id"]
        again = client.post(f"/v1/sources/{source_id}/snapshots?wait=false", headers=alice)
        assert again.json()["job_id"] == job_id  # one job per unfinished source

        deadline = time.monotonic() + 60
        while (job := client.get(f"/v1/jobs/{job_id}", headers=alice).json())["state"] not in (
            "succeeded",
            "failed",
        ):
            assert time.monotonic() < deadline, f"job still {job['state']}"
            time.sleep(0.2)
        assert job["state"] == "succeeded", job
        snapshot = client.get(f"/v1/snapshots/{job['snapshot_id']}", headers=alice)
        assert snapshot.status_code == 200
        assert snapshot.json()["meta"]["source_id"] == source_id
    assert len(redis_world.runs()) == 1  # one model call for two requests


def test_the_composition_root_gives_a_celery_queue_only_when_a_broker_is_set(
    redis_world: JobWorld,
) -> None:
    with_broker = build_container(redis_world.settings())
    assert isinstance(with_broker.job_queue(), CeleryJobQueue)
    without = build_container(Settings(database_url="memory://", llm="fake"))
    assert without.job_queue() is None
