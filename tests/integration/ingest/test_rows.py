"""Row-level behaviour of ingest_file: problems by physical line, skip and reject, rejects,
JSON Lines specifics, notices, progress and names."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from snapshot_adapters.files import REPORTED_PROBLEMS
from snapshot_adapters.memory import MemoryStore
from snapshot_core.domain import InvalidInputError, RowProblem

from .conftest import Backend

HEADER = "amount,sent_at,decided_at,estimate_id\n"


def problems_of(backend: Backend, text: str, file_format: str = "csv") -> list[str]:
    report = backend.ingest(io.StringIO(text), format=file_format, on_bad_rows="skip")
    return [str(p) for p in report.problems]


def rows_of(backend: Backend, source_id: str) -> list[tuple]:
    store = backend.uow_factory
    assert isinstance(store, MemoryStore)
    return [
        (r.amount, r.sent_at.isoformat(), r.decided_at and r.decided_at.isoformat(), r.estimate_id)
        for r in store.estimates[source_id]
    ]


def test_a_record_spanning_lines_is_reported_on_the_line_it_starts(memory: Backend) -> None:
    text = (
        "amount,sent_at,notes\n"
        '1,2026-01-05,"one\ntwo\nthree"\n'  # lines 2-4
        '-1,2026-01-05,"four\r\nfive"\n'  # lines 5-6: bad, reported on 5
        "\n"  # line 7: blank
        "x,2026-01-05,\n"  # line 8
    )
    assert problems_of(memory, text) == [
        "line 5: amount: negative amount: '-1'",
        "line 8: amount: not a number: 'x'",
    ]


def test_malformed_csv_rows_keep_their_raw_text_in_the_rejects(memory: Backend) -> None:
    text = (
        "amount,sent_at\n"
        '"1"2,2026-01-05\n'  # stray quote
        "3,2026-01-05\rx\n"  # a bare CR outside quotes
        "4,2026-01-06\n"
        '5,"2026-01-07\nunterminated\n'  # open quote to the end of the file
    )
    rejects = io.StringIO()
    report = memory.ingest(io.StringIO(text), format="csv", on_bad_rows="skip", rejects=rejects)
    assert [(p.line, p.column) for p in report.problems] == [(2, "row"), (3, "row"), (5, "row")]
    assert report.problems[0].problem == "malformed CSV: ',' expected after '\"'"
    assert "new-line character seen in unquoted field" in report.problems[1].problem
    assert report.problems[2].problem == "malformed CSV: unexpected end of data"
    written = list(csv.reader(io.StringIO(rejects.getvalue())))
    assert written[0] == ["line", "column", "problem", "amount", "sent_at"]
    assert [r[3:] for r in written[1:]] == [
        ['"1"2,2026-01-05'],
        ["3,2026-01-05\rx"],
        ['5,"2026-01-07\nunterminated'],
    ]
    assert rows_of(memory, report.source_id) == [
        (Decimal(4), "2026-01-06T00:00:00+00:00", None, None)
    ]


def test_wrong_field_counts_and_missing_values(memory: Backend) -> None:
    text = HEADER + "1,2026-01-05\n1,2026-01-05,,,\n ,2026-01-05,,\n1,  ,,\n1,2026-01-05,,\n"
    assert problems_of(memory, text) == [
        "line 2: row: expected 4 fields as in the header, found 2",
        "line 3: row: expected 4 fields as in the header, found 5",
        "line 4: amount: missing value",
        "line 5: sent_at: missing value",
    ]


def test_decisions_and_ids(memory: Backend) -> None:
    text = HEADER + (
        "1,2026-01-05T10:00:00+02:00,2026-01-05T08:00:00Z,A\n"  # decided at the same instant
        "1,2026-01-05T10:00:00+02:00,2026-01-05T07:59:59Z,B\n"  # one second before
        "1,2026-01-05,2026-01-06,A\n"  # duplicate of line 2
        "x,2026-01-05,,C\n"  # bad, so C is not taken
        "1,2026-01-05,,C\n"  # ... and this C is no duplicate
        f"1,2026-01-05,,{'i' * 256}\n"
    )
    report = memory.ingest(io.StringIO(text), format="csv", on_bad_rows="skip")
    assert [str(p) for p in report.problems] == [
        "line 3: decided_at: is before sent_at",
        "line 4: estimate_id: duplicate of line 2",
        "line 5: amount: not a number: 'x'",
        "line 7: estimate_id: longer than 255 characters",
    ]
    assert [r[3] for r in rows_of(memory, report.source_id)] == ["A", "C"]


def test_reject_still_writes_the_rejects_and_reports_every_bad_row(memory: Backend) -> None:
    text = HEADER + "".join(
        f"{-i},2026-01-05,,\n" if i % 2 else "1,2026-01-05,,\n" for i in range(300)
    )
    rejects = io.StringIO()
    with pytest.raises(InvalidInputError) as caught:
        memory.ingest(io.StringIO(text), format="csv", rejects=rejects)
    assert caught.value.total == 150 and caught.value.message == "Invalid input: 150 bad rows"
    assert len(caught.value.problems) == REPORTED_PROBLEMS
    assert caught.value.problems[0] == RowProblem(3, "amount", "negative amount: '-1'")
    assert len(rejects.getvalue().splitlines()) == 151
    assert isinstance(memory.uow_factory, MemoryStore) and memory.uow_factory.sources == {}


def test_skip_with_every_row_bad_stores_nothing(memory: Backend) -> None:
    with pytest.raises(InvalidInputError) as caught:
        memory.ingest(io.StringIO(HEADER + "x,y,,\n"), format="csv", on_bad_rows="skip")
    assert caught.value.message == "No rows stored: all 1 rows are bad"
    assert isinstance(memory.uow_factory, MemoryStore) and memory.uow_factory.sources == {}


def test_rejects_file_has_its_header_even_when_every_row_is_good(
    memory: Backend, tmp_path: Path
) -> None:
    path, rejects = tmp_path / "in.csv", tmp_path / "rejects.csv"
    path.write_text("Amount , SENT_AT,notes\n1,2026-01-05,hi\n", encoding="utf-8")
    report = memory.ingest(path, rejects=rejects)
    assert report.stored_rows == 1 and report.bad_rows == 0
    assert rejects.read_text(encoding="utf-8") == "line,column,problem,Amount , SENT_AT,notes\n"


def test_notices_name_every_ignored_column_once(memory: Backend) -> None:
    notices: list[str] = []
    text = "amount,notes,sent_at,Customer Name,\n1,x,2026-01-05,y,\n"
    report = memory.ingest(io.StringIO(text), format="csv", notify=notices.append)
    assert report.ignored_columns == ("notes", "Customer Name", "(unnamed column 5)")
    assert notices == ["Ignored columns (not stored): notes, Customer Name, (unnamed column 5)"]


def test_control_characters_in_column_names_are_escaped_in_notices(memory: Backend) -> None:
    notices: list[str] = []
    text = "amount,sent_at,\x1b[31mred\n1,2026-01-05,x\n"
    memory.ingest(io.StringIO(text), format="csv", notify=notices.append)
    assert notices == ["Ignored column (not stored): '\\x1b[31mred'"]


def test_progress_reports_bytes_read_of_the_total(memory: Backend, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "1,2026-01-05,,\n" * 50_000)
    calls: list[tuple[int, int | None]] = []
    memory.ingest(path, progress=lambda done, total: calls.append((done, total)))
    assert len(calls) >= 5
    assert all(total == path.stat().st_size for _, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_the_source_is_named_after_the_file_unless_named(memory: Backend, tmp_path: Path) -> None:
    path = tmp_path / "March quotes.csv"
    path.write_text(HEADER + "1,2026-01-05,,\n")
    first = memory.ingest(path)
    second = memory.ingest(path, name="Q1")
    store = memory.uow_factory
    assert isinstance(store, MemoryStore)
    assert store.sources[first.source_id].name == "March quotes.csv"
    assert store.sources[second.source_id].name == "Q1"


def test_json_lines(memory: Backend) -> None:
    text = (
        '{"amount": 0.1, "sent_at": "2026-01-05T10:00:00+05:30", "estimate_id": 7, "x": [1]}\n'
        "\n"
        '{"amount": "$1,234.50", "sent_at": "2026-01-05", "decided_at": null}\r\n'
        '{"amount": true, "sent_at": "2026-01-05"}\n'
        '{"amount": 1, "sent_at": 20260105}\n'
        "[1, 2]\n"
        '{"amount": 1, "sent_at": "2026-01-05"\n'
        '{"amount": NaN, "sent_at": "2026-01-05"}\n'
        '{"amount": 1, "Amount": 2, "sent_at": "2026-01-05"}\n'
        '{"AMOUNT": 1e2, " Sent_At ": "2026-01-06", "estimate_id": "7"}\n'
        '{"amount": -0.0, "sent_at": "2026-01-07"}\n'
        '{"amount": 1e999999, "sent_at": "2026-01-07"}\n'
    )
    report = memory.ingest(io.StringIO(text), format="jsonl", on_bad_rows="skip")
    assert [str(p) for p in report.problems] == [
        "line 4: amount: expected a number, found bool",
        "line 5: sent_at: expected a date as text, found int",
        "line 6: row: expected a JSON object, found list",
        "line 7: row: not valid JSON: Expecting ',' delimiter (column 38)",
        "line 8: row: not valid JSON: NaN is not a number JSON allows",
        "line 9: amount: given twice (as 'amount' and 'Amount')",
        "line 10: estimate_id: duplicate of line 1",
        "line 12: amount: too large (over 15 digits): '1E+999999'",
    ]
    assert report.ignored_columns == ("x",)
    assert rows_of(memory, report.source_id) == [
        (Decimal("0.1"), "2026-01-05T04:30:00+00:00", None, "7"),
        (Decimal("1234.50"), "2026-01-05T00:00:00+00:00", None, None),
        (Decimal("0"), "2026-01-07T00:00:00+00:00", None, None),
    ]


def test_the_first_object_of_a_json_lines_file_may_follow_blank_lines(memory: Backend) -> None:
    text = '\n  \n{"amount": -1, "sent_at": "2026-01-05"}\n{"amount": 1, "sent_at": "2026-01-05"}\n'
    assert problems_of(memory, text, "jsonl") == ["line 3: amount: negative amount: '-1'"]


def test_text_streams_and_binary_streams_read_the_same(memory: Backend) -> None:
    text = "\ufeffamount,sent_at\r\n€ 5,2026-01-05T23:30:00-02:00\r\n"
    a = memory.ingest(io.StringIO(text), format="csv")
    b = memory.ingest(io.BytesIO(text.encode()), format="csv")
    assert (
        rows_of(memory, a.source_id)
        == rows_of(memory, b.source_id)
        == [(Decimal(5), "2026-01-06T01:30:00+00:00", None, None)]
    )
