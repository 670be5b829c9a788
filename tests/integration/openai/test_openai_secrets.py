"""The API key: sent only in the Authorization header, never in errors, runs, snapshots or logs."""

from __future__ import annotations

import json
import logging

import pytest
from openai_chat_server import Reply, completion, grounded_completion
from openai_test_data import API_KEY

from snapshot_core.domain import MissingApiKeyError, SnapshotError

# The distinctive middle of the key: catches a partly masked echo as well as the whole key.
KEY_PARTS = (API_KEY, "CANARYkey0must0never0leak")
LOGGERS = ("", "openai", "httpx2", "httpcore2", "snapshot_adapters", "snapshot_core")

LEAKY_REPLIES = {
    # A gateway that quotes the credentials it received in its error message.
    "401 quoting the key": Reply(401, {"error": {"message": f"Bad key {API_KEY}"}}),
    "500 quoting the key": Reply(500, {"error": {"message": f"upstream rejected {API_KEY}"}}),
    "400 quoting the key": Reply(400, {"error": {"message": f"invalid header Bearer {API_KEY}"}}),
    "timeout": Reply(delay=1.5),
    "connection reset": Reply(reset=True),
    "refusal": Reply(body=completion(None, refusal=f"no ({API_KEY})")),
    "ungrounded": Reply(
        body=completion(
            json.dumps(
                {"headline": "Up 987654.", "findings": [{"topic": "demand", "text": "Busy."}]}
            )
        )
    ),
}


def _texts_of(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), repr(vars(error))]
    if isinstance(error, SnapshotError):
        texts.append(json.dumps(error.to_dict()))
    if error.__cause__ is not None or error.__context__ is not None:
        texts.append(repr(error.__cause__) + repr(error.__context__))
    return texts


def test_the_key_never_appears_in_errors_runs_snapshots_or_logs(
    make_model, make_flow, chat_server, caplog
):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    model = make_model(SNAPSHOT_LLM_TIMEOUT="0.5")
    seen: list[str] = [repr(model), str(model)]
    for reply in LEAKY_REPLIES.values():
        chat_server.respond(reply)
        flow = make_flow(model)
        with pytest.raises(SnapshotError) as raised:
            flow.run()
        seen += _texts_of(raised.value)
        seen += [run.model_dump_json() for run in flow.store.runs]
    chat_server.respond(grounded_completion)
    flow = make_flow(model)
    snapshot_id = flow.run()
    seen.append(
        flow.orchestrator.get_snapshot(snapshot_id=snapshot_id, user_id="user-1").model_dump_json()
    )
    seen += [run.model_dump_json() for run in flow.store.runs]
    seen.append(caplog.text)
    seen += [record.getMessage() for record in caplog.records]

    # Positive controls: the key did travel (so the canary is live) and the SDK did log.
    assert {r.headers["authorization"] for r in chat_server.requests} == {f"Bearer {API_KEY}"}
    assert any(r.name.startswith(("openai", "httpx2")) for r in caplog.records)
    assert len(chat_server.requests) == len(LEAKY_REPLIES) + 1
    for text in seen:
        for part in KEY_PARTS:
            assert part not in text


def test_a_missing_key_fails_before_anything_is_sent_or_claimed(make_model, make_flow, chat_server):
    model = make_model(OPENAI_API_KEY=None)
    flow = make_flow(model)

    with pytest.raises(MissingApiKeyError) as raised:
        flow.run()

    assert raised.value.message == "OPENAI_API_KEY is required"
    assert chat_server.requests == []
    assert flow.status() == "bucketed"
    assert flow.store.runs == []  # refused before the claim: no attempt to record


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_key_is_a_missing_key(blank, make_model, chat_server):
    model = make_model(OPENAI_API_KEY=blank)
    with pytest.raises(MissingApiKeyError):
        model.ensure_ready()
    assert chat_server.requests == []


def test_the_key_and_base_url_are_read_from_dot_env_local(
    make_model, make_flow, chat_server, tmp_path
):
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-from-dot-env-is-overridden\n")
    (tmp_path / ".env.local").write_text(
        f"OPENAI_API_KEY={API_KEY}\nOPENAI_BASE_URL={chat_server.base_url}\n"
    )
    model = make_model(OPENAI_API_KEY=None, OPENAI_BASE_URL=None)  # only the files remain

    make_flow(model).run()

    [request] = chat_server.requests
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
