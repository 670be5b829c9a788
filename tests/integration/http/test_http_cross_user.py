"""Another user's ids answer exactly as random ids do (body and headers), with no model call."""

from __future__ import annotations

import pytest

from .conftest import Service

ROUTES = [
    ("post", "/v1/sources/{source}/bucket"),
    ("post", "/v1/sources/{source}/snapshots"),
    ("post", "/v1/sources/{source}/snapshots?wait=false"),
    ("get", "/v1/sources/{source}/runs"),
    ("get", "/v1/snapshots/{snapshot}"),
    ("get", "/v1/snapshots/{snapshot}/report"),
    ("get", "/v1/jobs/{job}"),
]


@pytest.mark.parametrize(("method", "route"), ROUTES, ids=[f"{m} {r}" for m, r in ROUTES])
def test_another_users_id_is_the_same_404_as_a_random_id_and_calls_no_model(
    service: Service, method: str, route: str
) -> None:
    from snapshot_adapters.memory import InProcessJobQueue

    queue = InProcessJobQueue(service.orchestrator.run_snapshot, max_workers=1)
    service.client.app.state.job_queue = queue  # type: ignore[attr-defined]
    try:
        source_id, snapshot_id = service.snapshot(service.alice)
        other_source = service.upload(service.alice)  # bucketable, not yet bucketed
        job_id = queue.enqueue(source_id=other_source, user_id="alice").job_id
        queue.shutdown(wait=True)
        calls = len(service.model.calls)

        def ask(source: str, snapshot: str, job: str) -> tuple[int, bytes, dict[str, str]]:
            url = route.format(source=source, snapshot=snapshot, job=job)
            answer = service.client.request(method, url, headers=service.bob)
            headers = {k: v for k, v in answer.headers.items() if k != "date"}
            return answer.status_code, answer.content, headers

        theirs = ask(source_id, snapshot_id, job_id)
        random = ask("0f4c2d5e-7a1b-4c3d-9e8f-1a2b3c4d5e6f", "no-such-snapshot", "no-such-job")
        assert theirs[0] == 404
        assert theirs == random
        assert len(service.model.calls) == calls
        assert service.client.get("/v1/sources", headers=service.bob).json() == []
    finally:
        queue.shutdown(wait=False)
