"""Column mapping: --map / column_map, recognised header spellings with a notice, ambiguity
refused with the --map that resolves it, and approved/declined date columns as outcomes."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from snapshot_adapters.files import MappingFileError, UnreadableFileError
from snapshot_adapters.files.columns import AmbiguousColumnError
from snapshot_adapters.memory import MemoryStore
from snapshot_core.domain import InvalidInputError

from .conftest import Backend

EXPORT = (
    "Quote #,Customer,Total,Date Sent,Date Approved,Status\n"
    'Q-1,Ana,"$2,068.43",2026-01-05,2026-01-09,Approved\n'
    "Q-2,Bo,$310.00,2026-01-06,,Awaiting response\n"
    "Q-3,Cy,$99.50,2026-01-07,2026-01-08,declined\n"
)


def _rows(backend: Backend, source_id: str) -> list[tuple[object, ...]]:
    store = backend.uow_factory
    assert isinstance(store, MemoryStore)
    return [
        (r.estimate_id, r.amount, r.sent_at.day, r.decided_at and r.decided_at.day, r.outcome)
        for r in store.estimates[source_id]
    ]


def test_a_field_service_export_is_recognised_and_the_notice_says_how(memory: Backend) -> None:
    notices: list[str] = []
    report = memory.ingest(io.StringIO(EXPORT), format="csv", notify=notices.append)
    assert _rows(memory, report.source_id) == [
        ("Q-1", Decimal("2068.43"), 5, 9, "won"),
        ("Q-2", Decimal("310.00"), 6, None, "pending"),
        ("Q-3", Decimal("99.50"), 7, 8, "lost"),
    ]
    assert notices[0] == (
        "Columns used: amount from 'Total', sent_at from 'Date Sent', estimate_id from "
        "'Quote #', outcome from 'Status', decided_at from 'Date Approved' "
        '(--map FIELD="COLUMN" to choose others)'
    )
    assert report.ignored_columns == ("Customer",)


def test_an_explicit_map_wins_over_recognised_names(memory: Backend) -> None:
    text = "Ref,Net,Gross,Created,Sent\nA,1.00,2.00,2026-01-01,2026-01-05\n"
    report = memory.ingest(
        io.StringIO(text),
        format="csv",
        column_map={"amount": "gross", "sent_at": "Sent", "estimate_id": "Ref"},
    )
    assert _rows(memory, report.source_id) == [("A", Decimal("2.00"), 5, None, None)]


def test_two_candidates_for_one_field_are_refused_listing_them(memory: Backend) -> None:
    text = "Subtotal,Total,Date Sent\n1.00,1.10,2026-01-05\n"
    with pytest.raises(AmbiguousColumnError) as caught:
        memory.ingest(io.StringIO(text), format="csv")
    assert "'Subtotal' and 'Total'" in caught.value.message
    assert '--map amount="Total"' in caught.value.message
    assert caught.value.problems[0].problem == "candidates: Subtotal, Total"
    assert memory.source_ids() == []


def test_a_map_naming_a_missing_column_lists_the_header(memory: Backend) -> None:
    with pytest.raises(UnreadableFileError) as caught:
        memory.ingest(
            io.StringIO("Total,Sent\n1,2026-01-05\n"), format="csv", column_map={"amount": "Sum"}
        )
    assert "--map amount='Sum'" in caught.value.message
    assert "the header has: Total, Sent" in caught.value.problems[0].problem


def test_approved_and_declined_date_columns_give_the_decision_and_its_outcome(
    memory: Backend,
) -> None:
    text = (
        "Estimate #,Estimate Total,Issued,Date Approved,Date Declined\n"
        "1,10,2026-01-05,2026-01-06,\n"
        "2,20,2026-01-05,,2026-01-07\n"
        "3,30,2026-01-05,,\n"
    )
    report = memory.ingest(io.StringIO(text), format="csv")
    assert _rows(memory, report.source_id) == [
        ("1", Decimal(10), 5, 6, "won"),
        ("2", Decimal(20), 5, 7, "lost"),
        ("3", Decimal(30), 5, None, "pending"),
    ]
    both = text + "4,40,2026-01-05,2026-01-06,2026-01-06\n"
    with pytest.raises(InvalidInputError) as caught:
        memory.ingest(io.StringIO(both), format="csv")
    assert str(caught.value.problems[0]) == (
        "line 5: decided_at: both the approved and the declined date are set"
    )


def test_an_outcome_map_extends_the_status_words(memory: Backend) -> None:
    text = "amount,sent_at,Stage\n1,2026-01-05,On hold\n2,2026-01-05,Won\n"
    report = memory.ingest(io.StringIO(text), format="csv", outcome_map={"On hold": "pending"})
    assert [row[-1] for row in _rows(memory, report.source_id)] == ["pending", "won"]
    with pytest.raises(ValueError, match="won, lost or pending"):
        memory.ingest(io.StringIO(text), format="csv", outcome_map={"On hold": "maybe"})


def test_a_saved_toml_mapping_gives_columns_statuses_and_options(
    memory: Backend, tmp_path: Path
) -> None:
    saved = tmp_path / "tool.toml"
    saved.write_text(
        '[columns]\namount = "Betrag"\nsent_at = "Datum"\noutcome = "Zustand"\n'
        '[outcomes]\n"Offen" = "pending"\n'
        '[read]\ndecimal = "comma"\ndelimiter = ";"\n',
        encoding="utf-8",
    )
    text = "Betrag;Datum;Zustand\n5.250;2026-01-05;Offen\n"
    report = memory.ingest(io.StringIO(text), format="csv", mapping=saved)
    assert _rows(memory, report.source_id) == [(None, Decimal(5250), 5, None, "pending")]
    saved.write_text("[colums]\n", encoding="utf-8")
    with pytest.raises(MappingFileError, match="unknown table"):
        memory.ingest(io.StringIO(text), format="csv", mapping=saved)


def test_json_lines_keys_follow_the_map_too(memory: Backend) -> None:
    text = '{"Total": "12.50", "Date Sent": "2026-01-05", "Quote #": 7}\n'
    report = memory.ingest(
        io.StringIO(text),
        format="jsonl",
        column_map={"amount": "Total", "sent_at": "Date Sent", "estimate_id": "Quote #"},
    )
    assert _rows(memory, report.source_id) == [("7", Decimal("12.50"), 5, None, None)]
