"""Errors as RFC 9457 problems: a status for every catalogue code, the catalogue's words, no
internals; 401 for any bad key, 429 with Retry-After, and a bare 500 with the headers."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from snapshot_adapters.fake import ApiErrorModel, FakeModel
from snapshot_adapters.http import create_app
from snapshot_adapters.http.problems import STATUS, problem_body, status_of
from snapshot_adapters.http.security import SECURITY_HEADERS
from snapshot_core.domain import (
    CATALOGUE,
    DatabaseLockedError,
    InvalidInputError,
    RowProblem,
    SnapshotError,
)

from .conftest import Service, bearer, make_orchestrator


@pytest.mark.parametrize("error_class", CATALOGUE, ids=lambda c: c.code)
def test_every_catalogue_code_has_an_error_status(error_class: type[SnapshotError]) -> None:
    assert STATUS[error_class.code] in range(400, 600)


def test_the_status_table_names_no_code_outside_the_catalogue() -> None:
    assert set(STATUS) == {c.code for c in CATALOGUE}


def test_a_problem_carries_the_catalogue_words_and_never_the_errors_own_detail() -> None:
    error = DatabaseLockedError(detail="postgresql://admin@db.internal:5432/prod")
    body = problem_body(error, status_of(error))
    assert body == {
        "type": "docs/errors.md#database_locked",
        "title": error.message,
        "status": 503,
        "detail": error.meaning,
        "code": "database_locked",
        "solution": error.solution,
    }
    assert "db.internal" not in repr(body)


def test_line_problems_become_the_errors_list() -> None:
    error = InvalidInputError([RowProblem(3, "amount", "not a number")])
    body = problem_body(error, 422)
    assert body["errors"] == [{"line": 3, "column": "amount", "problem": "not a number"}]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic YWxpY2U6eA==",
        "Bearer snap.x.y",
        "Bearer " + "a" * 9000,
    ],
)
def test_no_key_or_a_bad_key_is_the_same_401_problem(
    service: Service, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    answer = service.client.get("/v1/sources", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["code"] == "invalid_api_key"


def test_a_revoked_key_is_refused_from_then_on(service: Service) -> None:
    headers = bearer(service.orchestrator, "carol")
    assert service.client.get("/v1/sources", headers=headers).status_code == 200
    (key,) = service.orchestrator.list_api_keys(user_id="carol")
    service.orchestrator.revoke_api_key(key_id=key.key_id)
    answer = service.client.get("/v1/sources", headers=headers)
    assert answer.status_code == 401 and answer.json()["code"] == "invalid_api_key"


def test_the_providers_rate_limit_is_a_429_with_retry_after_and_no_provider_text(
    service: Service,
) -> None:
    model = ApiErrorModel(status=429, retry_after=7.2)
    orchestrator = make_orchestrator(model)
    headers = bearer(orchestrator, "alice")
    with TestClient(create_app(orchestrator, max_upload_bytes=10**6)) as client:
        limited = Service(client, orchestrator, model, headers, headers)
        source_id = limited.upload(headers)
        client.post(f"/v1/sources/{source_id}/bucket", headers=headers)
        answer = client.post(f"/v1/sources/{source_id}/snapshots", headers=headers)
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "8"
    assert answer.json()["title"] == "OpenAI API error (429)"
    assert len(model.calls) == 1


def test_an_unexpected_fault_is_a_bare_500_problem_with_the_security_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    orchestrator = make_orchestrator(FakeModel())
    headers = bearer(orchestrator, "alice")
    app = create_app(orchestrator, max_upload_bytes=10**6)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals: sk-live-123")

    with (
        caplog.at_level(logging.ERROR),
        TestClient(app, raise_server_exceptions=False) as client,
    ):
        answer = client.get("/boom", headers=headers)
    assert answer.status_code == 500
    assert answer.json() == {"type": "about:blank", "title": "Internal Server Error", "status": 500}
    assert answer.headers["content-type"] == "application/problem+json"
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers[name] == value
    assert "sk-live-123" not in answer.text


def test_an_unknown_route_and_a_wrong_method_are_problems_too(service: Service) -> None:
    missing = service.client.get("/v2/nothing", headers=service.alice)
    assert (missing.status_code, missing.json()["title"]) == (404, "Not Found")
    wrong = service.client.delete("/v1/sources", headers=service.alice)
    assert wrong.status_code == 405
    for answer in (missing, wrong):
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_an_errors_own_detail_goes_to_the_log_not_to_the_client(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(make_orchestrator(FakeModel()), max_upload_bytes=10**6)

    @app.get("/locked")
    def locked() -> None:
        raise DatabaseLockedError(detail="db.internal:5432 said: lock timeout")

    with caplog.at_level(logging.WARNING), TestClient(app) as client:
        answer = client.get("/locked")
    assert (answer.status_code, answer.json()["code"]) == (503, "database_locked")
    assert "db.internal" not in answer.text
    assert "db.internal:5432 said: lock timeout" in caplog.text
