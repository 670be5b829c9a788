"""Django: a view that makes a snapshot, and the catalogue's errors as problem+json.

Django views are synchronous here (WSGI): `run_snapshot` blocks one worker for the model
call. The snapshot's status code comes from the error's catalogue code.

Run: python examples/django_view.py (a minimal in-file project; fake model, memory storage)
"""

from __future__ import annotations

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["testserver"],
    SECRET_KEY="example-only-not-secret",
    MIDDLEWARE=[],
)
django.setup()

from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from snapshot_adapters import build_orchestrator  # noqa: E402
from snapshot_adapters.fake import FakeModel, synthetic_estimates  # noqa: E402
from snapshot_adapters.memory import MemoryStore  # noqa: E402
from snapshot_adapters.settings import load_settings  # noqa: E402
from snapshot_core import SnapshotError  # noqa: E402

orchestrator = build_orchestrator(
    load_settings(llm="fake"), model=FakeModel(), storage=MemoryStore()
)

# The statuses `snapshot serve` answers with (snapshot_adapters.http.problems.STATUS), for
# the codes this view can meet; anything else is the client's to fix (422).
STATUS = {"invalid_source": 404, "source_not_bucketed": 409, "snapshot_in_progress": 409}


def problem(error: SnapshotError) -> JsonResponse:
    status = STATUS.get(error.code, 422)
    body = {
        "type": f"docs/errors.md#{error.code}",
        "title": error.message,
        "status": status,
        "detail": error.meaning,
        "code": error.code,
        "solution": error.solution,
    }
    return JsonResponse(body, status=status, content_type="application/problem+json")


@require_POST
def create_snapshot(request: HttpRequest, source_id: str) -> JsonResponse:
    user_id = request.headers["X-User"]  # stands in for request.user and your authentication
    try:
        snapshot_id = orchestrator.run_snapshot(source_id=source_id, user_id=user_id)
    except SnapshotError as error:
        return problem(error)
    return JsonResponse({"snapshot_id": snapshot_id}, status=201)


urlpatterns = [path("sources/<str:source_id>/snapshots", create_snapshot)]


def main() -> None:
    source_id = orchestrator.ingest_estimates(user_id="u1", rows=synthetic_estimates(40))
    orchestrator.bucket_source(source_id=source_id, user_id="u1")
    client = Client()
    made = client.post(f"/sources/{source_id}/snapshots", headers={"X-User": "u1"})
    assert made.status_code == 201, made.content
    again = client.post(f"/sources/{source_id}/snapshots", headers={"X-User": "u1"})
    assert (again.status_code, again.json()["code"]) == (409, "source_not_bucketed")
    theirs = client.post(f"/sources/{source_id}/snapshots", headers={"X-User": "u2"})
    assert (theirs.status_code, theirs.json()["code"]) == (404, "invalid_source")
    print("snapshot", made.json()["snapshot_id"], "| again:", again.json()["code"])


if __name__ == "__main__":
    main()
