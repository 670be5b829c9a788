"""Python callers: csv.DictReader rows into ingest_estimates as they are, the same rows with
export-style values through ingest_records, Orchestrator.ingest_file, and the upload
example of docs/ingest.md run exactly as written."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from snapshot_adapters import build_orchestrator
from snapshot_adapters.fake import FixedClock, SequentialIds
from snapshot_adapters.files import ingest_records
from snapshot_adapters.memory import MemoryStore
from snapshot_core.domain import InvalidInputError
from snapshot_core.use_cases import ingest_estimates

DOCS = Path(__file__).parents[3] / "docs" / "ingest.md"


def test_dict_reader_rows_go_into_ingest_estimates_as_they_are() -> None:
    text = "Quote,Total,Sent,notes,decided_at\nQ-1,12.50,2026-01-05,hi,\nQ-2, 7 ,2026-01-06,,\n"
    store = MemoryStore()
    source_id = ingest_estimates(
        uow_factory=store,
        ids=SequentialIds(),
        clock=FixedClock(),
        user_id="u",
        rows=csv.DictReader(io.StringIO(text)),
        column_map={"amount": "Total", "sent_at": "sent", "estimate_id": "Quote"},
    )
    assert [(r.estimate_id, r.amount) for r in store.estimates[source_id]] == [
        ("Q-1", Decimal("12.50")),
        ("Q-2", Decimal(7)),
    ]


def test_export_style_records_read_as_a_file_would_be() -> None:
    text = 'Quote #,Total,Date Sent,Status\nQ-1,"$2,068.43",01/13/2026,Approved\n'
    store = MemoryStore()
    report = ingest_records(
        csv.DictReader(io.StringIO(text)),
        uow_factory=store, ids=SequentialIds(), clock=FixedClock(), user_id="u",
    )  # fmt: skip
    (row,) = store.estimates[report.source_id]
    assert (row.estimate_id, row.amount, row.sent_at.month, row.outcome) == (
        "Q-1", Decimal("2068.43"), 1, "won",
    )  # fmt: skip
    with pytest.raises(InvalidInputError) as caught:
        ingest_records(
            [{"amount": "5.250", "sent_at": "2026-01-05"}],
            uow_factory=store, ids=SequentialIds(), clock=FixedClock(), user_id="u",
        )  # fmt: skip
    assert "--decimal-comma" in caught.value.problems[0].problem


def test_records_with_approved_and_declined_dates_give_the_decision_and_outcome() -> None:
    text = "Quote #,Total,Date Sent,Date Approved,Date Declined\n"
    text += "Q-1,10,2026-01-05,2026-01-06,\nQ-2,20,2026-01-05,,2026-01-08\n"
    store = MemoryStore()
    report = ingest_records(
        csv.DictReader(io.StringIO(text)),
        uow_factory=store, ids=SequentialIds(), clock=FixedClock(), user_id="u",
    )  # fmt: skip
    rows = store.estimates[report.source_id]
    assert [(r.estimate_id, r.decided_at.day if r.decided_at else None, r.outcome)
            for r in rows] == [("Q-1", 6, "won"), ("Q-2", 8, "lost")]  # fmt: skip
    with pytest.raises(InvalidInputError) as caught:
        ingest_records(
            [{"amount": "1", "sent_at": "2026-01-05", "approved": "2026-01-06",
              "declined": "2026-01-06"}],
            uow_factory=store, ids=SequentialIds(), clock=FixedClock(), user_id="u",
        )  # fmt: skip
    assert str(caught.value.problems[0]) == (
        "line 2: decided_at: both the approved and the declined date are set"
    )


def test_the_orchestrator_ingests_a_file_object(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNAPSHOT_DATABASE_URL", "memory://")
    monkeypatch.setenv("SNAPSHOT_LLM", "fake")
    app = build_orchestrator()
    upload = io.BytesIO(b"Total;Date Sent\n1.234,50;2026-01-05\n")
    report = app.ingest_file(upload, user_id="ana", format="csv")
    assert report.stored_rows == 1
    assert app.list_sources(user_id="ana")[0].source_id == report.source_id


def test_the_upload_example_in_the_docs_runs_as_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SNAPSHOT_DATABASE_URL", "memory://")
    monkeypatch.setenv("SNAPSHOT_LLM", "fake")
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"<!-- runs in tests -->\n```python\n(.*?)```", DOCS.read_text(), re.S)
    assert blocks, "docs/ingest.md has no example marked to run"
    for block in blocks:
        namespace: dict[str, object] = {}
        exec(compile(block, str(DOCS), "exec"), namespace)
