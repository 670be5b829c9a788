"""Spreadsheets through python-calamine: typed cells (numbers, date cells, serial dates),
the first sheet or a named one, problems naming the cell (`Quotes!C4: sent_at: …`)."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from snapshot_adapters.files import UnreadableFileError
from snapshot_adapters.memory import MemoryStore
from snapshot_core.domain import InvalidInputError

from .conftest import Backend


def workbook(rows: list[list[object]], title: str = "Quotes", extra: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if extra is not None:
        book.create_sheet(extra).append(["amount", "sent_at"])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def _rows(backend: Backend, source_id: str) -> list[tuple[object, ...]]:
    store = backend.uow_factory
    assert isinstance(store, MemoryStore)
    return [(r.estimate_id, r.amount, r.sent_at, r.outcome) for r in store.estimates[source_id]]


def test_typed_cells_are_read_as_what_they_are(backend: Backend, tmp_path: Path) -> None:
    path = tmp_path / "quotes.xlsx"
    path.write_bytes(
        workbook(
            [
                ["Quote #", "Total", "Date Sent", "Status"],
                [101, 2068.43, datetime(2026, 1, 5, 10, 30), "Approved"],
                ["Q-2", "$310.00", date(2026, 1, 6), "Sent"],
                [103, 99, 46029, None],  # a serial date typed as a number
            ]
        )
    )
    report = backend.ingest(path)
    assert report.format == "xlsx" and report.stored_rows == 3
    with backend.uow_factory() as uow:
        assert uow.estimates.outcome_counts(report.source_id) == {"won": 1, "pending": 1, None: 1}
    if backend.name == "memory":
        assert _rows(backend, report.source_id) == [
            ("101", Decimal("2068.43"), datetime(2026, 1, 5, 10, 30, tzinfo=UTC), "won"),
            ("Q-2", Decimal("310.00"), datetime(2026, 1, 6, tzinfo=UTC), "pending"),
            ("103", Decimal(99), datetime(2026, 1, 7, tzinfo=UTC), None),
        ]


def test_problems_name_the_sheet_and_cell(memory: Backend) -> None:
    data = workbook([[], [None, "amount", "sent_at"], [None, 5, "soon"], [None, -1, "2026-01-05"]])
    with pytest.raises(InvalidInputError) as caught:
        memory.ingest(io.BytesIO(data), format="xlsx")
    assert [str(p) for p in caught.value.problems] == [
        "Quotes!C3: sent_at: not an ISO 8601 date or date-time: 'soon' (or give --date-format)",
        "Quotes!B4: amount: negative amount: '-1'",
    ]
    assert memory.source_ids() == []


def test_a_named_sheet_is_read_and_an_unknown_one_listed(memory: Backend) -> None:
    data = workbook([["amount", "sent_at"], [1, date(2026, 1, 5)]], extra="Empty")
    assert memory.ingest(io.BytesIO(data), format="xlsx", sheet="Quotes").stored_rows == 1
    with pytest.raises(UnreadableFileError, match=r"no sheet 'Nope' \(it has: Quotes, Empty\)"):
        memory.ingest(io.BytesIO(data), format="xlsx", sheet="Nope")


def test_the_spreadsheet_reader_is_imported_only_for_a_spreadsheet(tmp_path: Path) -> None:
    export = tmp_path / "plain.csv"
    export.write_text("amount,sent_at\n1,2026-01-05\n", encoding="utf-8")
    script = (
        "import sys\n"
        "from snapshot_adapters.fake import FixedClock, SequentialIds\n"
        "from snapshot_adapters.files import ingest_file\n"
        "from snapshot_adapters.memory import MemoryStore\n"
        f"ingest_file({str(export)!r}, uow_factory=MemoryStore(), ids=SequentialIds(),\n"
        "            clock=FixedClock(), user_id='u')\n"
        "print('python_calamine' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_approved_and_declined_date_columns_are_recognised_as_in_a_csv(
    memory: Backend,
) -> None:
    data = workbook(
        [
            ["Estimate #", "Total", "Created", "Date Approved", "Date Declined"],
            [1, 10, date(2026, 1, 5), datetime(2026, 1, 6, 9), None],
            [2, 20, date(2026, 1, 5), None, date(2026, 1, 7)],
            [3, 30, date(2026, 1, 5), None, None],
        ]
    )
    report = memory.ingest(io.BytesIO(data), format="xlsx")  # no column_map
    store = memory.uow_factory
    assert isinstance(store, MemoryStore)
    rows = store.estimates[report.source_id]
    assert [(r.estimate_id, r.decided_at, r.outcome) for r in rows] == [
        ("1", datetime(2026, 1, 6, 9, tzinfo=UTC), "won"),
        ("2", datetime(2026, 1, 7, tzinfo=UTC), "lost"),
        ("3", None, "pending"),
    ]
    both = workbook(
        [
            ["Estimate #", "Total", "Created", "Date Approved", "Date Declined"],
            [4, 40, date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 6)],
        ]
    )
    with pytest.raises(InvalidInputError) as caught:
        memory.ingest(io.BytesIO(both), format="xlsx")
    assert [str(p) for p in caught.value.problems] == [
        "Quotes!D2: decided_at: both the approved and the declined date are set"
    ]
