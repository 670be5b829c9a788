"""A corpus of contractor exports, each generated here from one set of estimates and written
the way a real tool writes it; each ingests with the right options, and the stored
aggregates (tally and outcomes, on every backend) equal an oracle from the generator."""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from snapshot_core.domain import DEFAULT_BAND_SCHEME, EstimateRow, tally_estimates
from snapshot_core.domain.models import Outcome

from .conftest import Backend


@dataclass(frozen=True)
class Quote:
    number: int
    customer: str
    amount: Decimal
    sent: date
    decided: date | None
    outcome: Outcome | None


CUSTOMERS = ["Müller GmbH", "Café Noël", "O'Brien & Sons", "Łódź Roofing", "Smith; Jones", "Zoë"]


def generate(count: int = 120, seed: int = 2026) -> list[Quote]:
    rng = random.Random(seed)
    quotes = []
    for number in range(1, count + 1):
        amount = Decimal(rng.choice([rng.randrange(5_000, 99_999), rng.randrange(100, 5_000_000)]))
        amount = amount.scaleb(-2)
        sent = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 120))
        outcome: Outcome = rng.choice(["won", "lost", "pending"])
        decided = None if outcome == "pending" else sent + timedelta(days=rng.randrange(0, 40))
        quotes.append(Quote(number, rng.choice(CUSTOMERS), amount, sent, decided, outcome))
    # Days past the 12th settle the day order; a thousands-grouped amount the decimal mark.
    assert any(q.sent.day > 12 for q in quotes) and any(q.amount >= 1000 for q in quotes)
    return quotes


def oracle(quotes: list[Quote]) -> tuple[object, Counter[Outcome | None]]:
    def at(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=UTC)

    rows = [
        EstimateRow(
            amount=q.amount,
            sent_at=at(q.sent),
            decided_at=at(q.decided) if q.decided else None,
            outcome=q.outcome,
        )
        for q in quotes
    ]
    return tally_estimates(rows, DEFAULT_BAND_SCHEME), Counter(r.outcome for r in rows)


def us_amount(value: Decimal) -> str:
    return f"${value:,.2f}"


def eu_amount(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def written(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


STATUS_US = {"won": "Approved", "lost": "Declined", "pending": "Awaiting response"}
STATUS_DE = {"won": "Angenommen", "lost": "Abgelehnt", "pending": "Offen"}


def us_csv(quotes: list[Quote]) -> tuple[bytes, dict[str, Any]]:
    rows = [["Quote #", "Customer", "Total", "Date Sent", "Date Approved", "Status"]]
    for q in quotes:
        decided = q.decided.strftime("%m/%d/%Y") if q.decided else ""
        status = STATUS_US[q.outcome or "pending"]
        rows.append(
            [
                f"Q-{q.number}",
                q.customer,
                us_amount(q.amount),
                q.sent.strftime("%m/%d/%Y"),
                decided,
                status,
            ]
        )
    return written(rows).encode("utf-8"), {"format": "csv"}


def european_csv(quotes: list[Quote]) -> tuple[bytes, dict[str, Any]]:
    rows = [["Nr.", "Kunde", "Betrag", "Gesendet am", "Entschieden am", "Zustand"]]
    for q in quotes:
        decided = q.decided.strftime("%d.%m.%Y") if q.decided else ""
        rows.append(
            [
                str(q.number),
                q.customer,
                f"{eu_amount(q.amount)} €",
                q.sent.strftime("%d.%m.%Y"),
                decided,
                STATUS_DE[q.outcome or "pending"],
            ]
        )
    options = {
        "format": "csv",
        "column_map": {
            "estimate_id": "Nr.",
            "amount": "Betrag",
            "sent_at": "Gesendet am",
            "decided_at": "Entschieden am",
            "outcome": "Zustand",
        },
        "outcome_map": {v: k for k, v in STATUS_DE.items()},
    }
    return written(rows, ";").encode("utf-8-sig"), options


def uk_csv(quotes: list[Quote]) -> tuple[bytes, dict[str, Any]]:
    rows = [["Estimate Number", "Client", "Estimate Total", "Issued", "Closed", "Stage"]]
    for q in quotes:
        decided = q.decided.strftime("%d/%m/%Y") if q.decided else ""
        rows.append(
            [
                str(q.number),
                q.customer,
                f"£{q.amount:,.2f}",
                q.sent.strftime("%d/%m/%Y"),
                decided,
                q.outcome or "pending",
            ]
        )
    return written(rows).encode("utf-8"), {"format": "csv"}


def tsv(quotes: list[Quote]) -> tuple[bytes, dict[str, Any]]:
    rows = [["id", "amount", "sent_at", "decided_at", "outcome", "notes"]]
    for q in quotes:
        rows.append(
            [
                str(q.number),
                str(q.amount),
                q.sent.isoformat(),
                q.decided.isoformat() if q.decided else "",
                q.outcome or "",
                "a\tb",
            ]
        )
    return written(rows, "\t").encode("utf-8"), {"format": "csv"}


def cp1252_csv(quotes: list[Quote]) -> tuple[bytes, dict[str, Any]]:
    safe = quotes  # cp1252 spells every customer name but Łódź (written Lodz)
    rows = [["Quote #", "Customer", "Grand Total", "Sent On", "Decided On", "Status"]]
    for q in safe:
        decided = q.decided.isoformat() if q.decided else ""
        rows.append(
            [
                str(q.number),
                q.customer.replace("Ł", "L").replace("ź", "z"),
                f"{q.amount:,.2f} USD",
                q.sent.isoformat(),
                decided,
                STATUS_US[q.outcome or "pending"],
            ]
        )
    return written(rows).encode("cp1252"), {"format": "csv"}


def utf16_csv(quotes: list[Quote]) -> tuple[bytes, dict[str, Any]]:
    data, options = us_csv(quotes)
    return data.decode("utf-8").encode("utf-16"), options


def approved_declined_csv(quotes: list[Quote]) -> tuple[bytes, dict[str, Any]]:
    rows = [["Estimate #", "Customer", "Total", "Created", "Date Approved", "Date Declined"]]
    for q in quotes:
        won = q.decided.isoformat() if q.decided and q.outcome == "won" else ""
        lost = q.decided.isoformat() if q.decided and q.outcome == "lost" else ""
        rows.append([str(q.number), q.customer, f"{q.amount:.2f}", q.sent.isoformat(), won, lost])
    return written(rows).encode("utf-8"), {"format": "csv"}


def xlsx(quotes: list[Quote]) -> tuple[bytes, dict[str, Any]]:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Estimates"
    sheet.append(["Quote #", "Customer", "Total", "Date Sent", "Date Approved", "Status"])
    for index, q in enumerate(quotes):
        # Half the sent dates as date cells, half as serial numbers in a plain cell.
        sent: object = q.sent if index % 2 else (q.sent - date(1899, 12, 30)).days
        amount: object = float(q.amount) if index % 3 else us_amount(q.amount)
        sheet.append(
            [q.number, q.customer, amount, sent, q.decided, STATUS_US[q.outcome or "pending"]]
        )
    data = io.BytesIO()
    book.save(data)
    return data.getvalue(), {"format": "xlsx"}


def xlsx_approved_declined(quotes: list[Quote]) -> tuple[bytes, dict[str, Any]]:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Estimate #", "Customer", "Total", "Created", "Date Approved", "Date Declined"])
    for q in quotes:
        won = q.decided if q.decided and q.outcome == "won" else None
        lost = q.decided if q.decided and q.outcome == "lost" else None
        sheet.append([q.number, q.customer, float(q.amount), q.sent, won, lost])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue(), {"format": "xlsx"}


def jsonl(quotes: list[Quote]) -> tuple[bytes, dict[str, Any]]:
    lines = [
        json.dumps(
            {
                "estimate_id": q.number,
                "amount": str(q.amount),
                "sent_at": q.sent.isoformat(),
                "decided_at": q.decided.isoformat() if q.decided else None,
                "outcome": q.outcome,
                "customer": q.customer,
            }
        )
        for q in quotes
    ]
    return ("\n".join(lines) + "\n").encode("utf-8"), {"format": "jsonl"}


SHAPES: dict[str, Callable[[list[Quote]], tuple[bytes, dict[str, Any]]]] = {
    "us-dollars-mm-dd": us_csv,
    "european-semicolon-decimal-comma": european_csv,
    "uk-dd-mm": uk_csv,
    "tsv": tsv,
    "cp1252-accents": cp1252_csv,
    "utf16-bom": utf16_csv,
    "approved-declined-columns": approved_declined_csv,
    "xlsx-date-cells-and-serials": xlsx,
    "xlsx-approved-declined-columns": xlsx_approved_declined,
    "json-lines": jsonl,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_export_shape_stores_exactly_the_generated_aggregates(
    backend: Backend, shape: str
) -> None:
    quotes = generate()
    data, options = SHAPES[shape](quotes)
    notices: list[str] = []
    report = backend.ingest(io.BytesIO(data), notify=notices.append, **options)
    assert (report.stored_rows, report.bad_rows) == (len(quotes), 0)
    expected_tally, expected_outcomes = oracle(quotes)
    with backend.uow_factory() as uow:
        assert uow.estimates.tally(report.source_id, DEFAULT_BAND_SCHEME) == expected_tally
        assert uow.estimates.outcome_counts(report.source_id) == dict(expected_outcomes)
    assert report.ignored_columns in (
        (),
        ("Customer",),
        ("Kunde",),
        ("Client",),
        ("notes",),
        ("customer",),
    )
