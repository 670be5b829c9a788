"""Flask: a route that makes a snapshot, and one error handler for the whole catalogue.

Run: python examples/flask_app.py (fake model, in-memory storage; Flask's test client)
"""

from __future__ import annotations

from flask import Flask, jsonify, request

from snapshot_adapters import build_orchestrator
from snapshot_adapters.fake import FakeModel, synthetic_estimates
from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.settings import load_settings
from snapshot_core import SnapshotError

orchestrator = build_orchestrator(
    load_settings(llm="fake"), model=FakeModel(), storage=MemoryStore()
)
app = Flask(__name__)

# The statuses `snapshot serve` answers with (snapshot_adapters.http.problems.STATUS), for
# the codes these routes can meet; anything else is the client's to fix (422).
STATUS = {"invalid_source": 404, "source_not_bucketed": 409, "snapshot_in_progress": 409}


@app.errorhandler(SnapshotError)
def problem(error: SnapshotError):  # one handler: Flask looks it up through the class's MRO
    status = STATUS.get(error.code, 422)
    response = jsonify(
        type=f"docs/errors.md#{error.code}",
        title=error.message,
        status=status,
        detail=error.meaning,
        code=error.code,
        solution=error.solution,
    )
    response.status_code, response.content_type = status, "application/problem+json"
    return response


@app.post("/sources/<source_id>/snapshots")
def create_snapshot(source_id: str):
    user_id = request.headers["X-User"]  # stands in for your authentication
    return {"snapshot_id": orchestrator.run_snapshot(source_id=source_id, user_id=user_id)}, 201


def main() -> None:
    source_id = orchestrator.ingest_estimates(user_id="u1", rows=synthetic_estimates(40))
    orchestrator.bucket_source(source_id=source_id, user_id="u1")
    client = app.test_client()
    made = client.post(f"/sources/{source_id}/snapshots", headers={"X-User": "u1"})
    assert made.status_code == 201, made.data
    again = client.post(f"/sources/{source_id}/snapshots", headers={"X-User": "u1"})
    assert (again.status_code, again.json["code"]) == (409, "source_not_bucketed")
    theirs = client.post(f"/sources/{source_id}/snapshots", headers={"X-User": "u2"})
    assert (theirs.status_code, theirs.json["code"]) == (404, "invalid_source")
    print("snapshot", made.json["snapshot_id"], "| again:", again.json["code"])


if __name__ == "__main__":
    main()
