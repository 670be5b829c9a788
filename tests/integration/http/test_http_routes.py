"""The routes end to end in process: upload, bucket, snapshot, read, list, stats, health."""

from __future__ import annotations

import json

from snapshot_adapters.memory import InProcessJobQueue

from .conftest import Service, estimates_csv


def test_the_whole_flow_answers_with_the_documented_statuses(service: Service) -> None:
    c, alice = service.client, service.alice
    created = c.post(
        "/v1/sources",
        headers=alice,
        files={"file": ("march.csv", estimates_csv(40))},
        data={"name": "March"},
    )
    assert created.status_code == 201
    source_id = created.json()["source_id"]
    assert created.json()["stored_rows"] == 40

    bucketed = c.post(f"/v1/sources/{source_id}/bucket", headers=alice)
    assert bucketed.status_code == 200
    assert bucketed.json()["estimate_count"] == 40

    made = c.post(f"/v1/sources/{source_id}/snapshots", headers=alice)
    assert made.status_code == 201
    snapshot_id = made.json()["snapshot_id"]
    assert len(service.model.calls) == 1

    snapshot = c.get(f"/v1/snapshots/{snapshot_id}", headers=alice)
    assert snapshot.status_code == 200
    assert snapshot.json()["meta"]["snapshot_id"] == snapshot_id
    assert snapshot.json()["meta"]["estimate_count"] == 40

    (source,) = c.get("/v1/sources", headers=alice).json()
    assert (source["source_id"], source["name"], source["status"]) == (
        source_id,
        "March",
        "snapshot_generated",
    )
    (run,) = c.get(f"/v1/sources/{source_id}/runs", headers=alice).json()
    assert (run["outcome"], run["snapshot_id"]) == ("succeeded", snapshot_id)
    assert "detail" not in run and "reply_json" not in run
    stats = c.get("/v1/stats", headers=alice).json()
    assert (stats["runs"], stats["succeeded"]) == (1, 1)
    assert c.get("/healthz").json() == {"status": "ok"}


def test_the_report_is_the_html_page_with_a_strict_policy_and_no_script(service: Service) -> None:
    _, snapshot_id = service.snapshot(service.alice)
    page = service.client.get(f"/v1/snapshots/{snapshot_id}/report", headers=service.alice)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "<script" not in page.text.lower()
    assert snapshot_id in page.text


def test_a_second_snapshot_of_the_same_source_is_a_409_problem(service: Service) -> None:
    source_id, _ = service.snapshot(service.alice)
    again = service.client.post(f"/v1/sources/{source_id}/snapshots", headers=service.alice)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "source_not_bucketed"
    assert len(service.model.calls) == 1


def test_bad_rows_are_a_422_problem_listing_each_line(service: Service) -> None:
    body = estimates_csv(30) + b"EST-X,-5,2026-02-01,\nEST-Y,12,not a date,\n"
    sent = service.client.post(
        "/v1/sources", headers=service.alice, files={"file": ("bad.csv", body)}
    )
    assert sent.status_code == 422
    problem = sent.json()
    assert problem["code"] == "invalid_input" and problem["title"].startswith("Invalid input")
    assert [(e["line"], e["column"]) for e in problem["errors"]] == [
        (32, "amount"),
        (33, "sent_at"),
    ]
    assert service.client.get("/v1/sources", headers=service.alice).json() == []


def test_skip_stores_the_good_rows_and_reports_the_bad(service: Service) -> None:
    body = estimates_csv(30) + b"EST-X,-5,2026-02-01,\n"
    sent = service.client.post(
        "/v1/sources",
        headers=service.alice,
        files={"file": ("bad.csv", body)},
        data={"on_bad_rows": "skip"},
    )
    assert sent.status_code == 201
    assert (sent.json()["stored_rows"], sent.json()["bad_rows"]) == (30, 1)


def test_mapping_options_reach_the_reader(service: Service) -> None:
    body = b"Total;Sent\n" + b"".join(
        f"1.250,{i:02d};0{1 + i % 9}/02/2026\n".encode() for i in range(30)
    )
    sent = service.client.post(
        "/v1/sources",
        headers=service.alice,
        files={"file": ("export.txt", body)},
        data={
            "format": "csv",
            "delimiter": ";",
            "decimal": "comma",
            "date_format": "%d/%m/%Y",
            "column_map": json.dumps({"amount": "Total", "sent_at": "Sent"}),
        },
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["stored_rows"] == 30


def test_an_option_the_reader_refuses_is_a_422_problem_not_a_500(service: Service) -> None:
    for fields in (
        {"timezone": "Mars/Olympus"},
        {"encoding": "no-such-codec"},
        {"column_map": "[1, 2]"},
        {"column_map": "{"},
        {"format": "exe"},
    ):
        sent = service.client.post(
            "/v1/sources",
            headers=service.alice,
            files={"file": ("a.csv", estimates_csv(30))},
            data=fields,
        )
        assert sent.status_code == 422, (fields, sent.text)
        assert sent.headers["content-type"] == "application/problem+json"


def test_with_a_job_queue_wait_false_answers_202_and_the_job_finishes(service: Service) -> None:
    queue = InProcessJobQueue(service.orchestrator.run_snapshot, max_workers=1)
    service.client.app.state.job_queue = queue  # type: ignore[attr-defined]
    try:
        source_id = service.upload(service.alice)
        service.client.post(f"/v1/sources/{source_id}/bucket", headers=service.alice)
        queued = service.client.post(
            f"/v1/sources/{source_id}/snapshots?wait=false", headers=service.alice
        )
        assert queued.status_code == 202
        job_id = queued.json()["job_id"]
        queue.shutdown(wait=True)
        job = service.client.get(f"/v1/jobs/{job_id}", headers=service.alice).json()
        assert job["state"] == "succeeded" and job["snapshot_id"]
        other = service.client.get(f"/v1/jobs/{job_id}", headers=service.bob)
        assert other.status_code == 404 and other.json()["code"] == "invalid_job"
    finally:
        queue.shutdown(wait=False)


def test_without_a_job_queue_wait_false_is_refused_and_jobs_are_not_found(
    service: Service,
) -> None:
    source_id = service.upload(service.alice)
    refused = service.client.post(
        f"/v1/sources/{source_id}/snapshots?wait=false", headers=service.alice
    )
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_request"
    assert service.client.get("/v1/jobs/x", headers=service.alice).status_code == 404
    assert service.model.calls == []


def test_openapi_lists_exactly_the_routes(service: Service) -> None:
    paths = service.client.get("/openapi.json").json()["paths"]
    assert {(p, m) for p, ops in paths.items() for m in ops} == {
        ("/v1/sources", "post"),
        ("/v1/sources", "get"),
        ("/v1/sources/{source_id}/bucket", "post"),
        ("/v1/sources/{source_id}/snapshots", "post"),
        ("/v1/jobs/{job_id}", "get"),
        ("/v1/snapshots/{snapshot_id}", "get"),
        ("/v1/snapshots/{snapshot_id}/report", "get"),
        ("/v1/sources/{source_id}/runs", "get"),
        ("/v1/stats", "get"),
        ("/healthz", "get"),
    }
