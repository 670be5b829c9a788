"""A 10,000-row export with 37 planted bad rows of every kind and many valid edge cases."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, date, timedelta
from functools import cache
from pathlib import Path

import pytest

from snapshot_adapters.files import restore_cell
from snapshot_adapters.memory import MemoryStore
from snapshot_core.domain import EstimateBuckets, InvalidInputError

from .conftest import Backend
from .planted import INJECTION, Expected, Planted, build_planted_csv

PRICE_BANDS = ["<500", "500-1k", "1k-2.5k", "2.5k-5k", "5k-10k", "10k+"]
LATENCY_BANDS = ["0-2d", "3-7d", "8-14d", "15-30d", "31d+", "pending"]


@cache
def planted(newline: str = "\r\n") -> Planted:
    return build_planted_csv(newline=newline)


def oracle(rows: list[Expected]) -> dict[str, list[tuple[str, int]]]:
    """DESIGN.md's rules written out plainly, from the values the generator chose."""
    weeks = Counter(r.sent_at.astimezone(UTC).strftime("%G-W%V") for r in rows)
    filled = []
    monday = date.fromisocalendar(int(min(weeks)[:4]), int(min(weeks)[6:]), 1)
    while True:
        label = monday.strftime("%G-W%V")
        filled.append((label, weeks[label]))
        if label == max(weeks):
            break
        monday += timedelta(days=7)
    prices = Counter()
    latencies = Counter()
    for r in rows:
        a = r.amount
        prices[
            "<500"
            if a < 500
            else "500-1k"
            if a < 1000
            else "1k-2.5k"
            if a < 2500
            else "2.5k-5k"
            if a < 5000
            else "5k-10k"
            if a < 10000
            else "10k+"
        ] += 1
        if r.decided_at is None:
            latencies["pending"] += 1
        else:
            days = int((r.decided_at - r.sent_at).total_seconds() // 86_400)
            latencies[
                "0-2d"
                if days <= 2
                else "3-7d"
                if days <= 7
                else "8-14d"
                if days <= 14
                else "15-30d"
                if days <= 30
                else "31d+"
            ] += 1
    return {
        "weekly_volume": filled,
        "price_distribution": [(b, prices[b]) for b in PRICE_BANDS],
        "decision_latency": [(b, latencies[b]) for b in LATENCY_BANDS],
    }


def aggregates(buckets: EstimateBuckets) -> dict[str, list[tuple[str, int | None]]]:
    return {
        "weekly_volume": [(w.week, w.count) for w in buckets.weekly_volume],
        "price_distribution": [(b.band, b.count) for b in buckets.price_distribution],
        "decision_latency": [(b.band, b.count) for b in buckets.decision_latency],
    }


def test_the_planted_file_has_every_edge_case_and_every_kind_of_bad_row() -> None:
    file = planted()
    assert file.data.startswith(b"\xef\xbb\xbf") and b"\r\n" in file.data
    assert len(file.bad) == 37 and set(file.bad.values()) == {
        "amount", "sent_at", "decided_at", "estimate_id", "row"
    }  # fmt: skip
    assert len(file.good) == 10_000 - 37
    for feature in (
        "sent_at in another ISO week locally", "multi-line record", "band-edge amount",
        "currency symbol or separator", "latency-edge decision", "plain date", "naive time",
        "right-to-left text", "emoji", "blank line",
    ):  # fmt: skip
        assert file.features[feature] >= 5, feature


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_skip_stores_exactly_the_good_rows_and_reports_exactly_the_planted_lines(
    backend: Backend, newline: str, tmp_path: Path
) -> None:
    file = planted(newline)
    path = tmp_path / "export.csv"
    path.write_bytes(file.data)
    rejects = tmp_path / "rejects.csv"

    report = backend.ingest(path, on_bad_rows="skip", rejects=rejects)

    assert report.stored_rows == len(file.good) == 10_000 - 37
    assert report.bad_rows == 37
    assert {p.line: p.column for p in report.problems} == file.bad
    assert report.ignored_columns == ("notes", "customer")
    buckets = backend.bucket(report.source_id)
    assert buckets.estimate_count == len(file.good)
    assert aggregates(buckets) == oracle(file.good)
    # The rejects file holds every bad row: its line, column, problem and what was written
    # (cells a spreadsheet would run as formulas carry a leading ' that restore_cell drops).
    with rejects.open(encoding="utf-8", newline="") as f:
        written = list(csv.reader(f))
    assert written[0] == ["line", "column", "problem", *file_header()]
    assert {int(r[0]): r[1] for r in written[1:]} == file.bad
    assert {int(r[0]): [restore_cell(c) for c in r[3:]] for r in written[1:]} == file.raw


def file_header() -> list[str]:
    return ["estimate_id", "notes", " Amount ", "sent_at", "customer", "decided_at"]


def test_skip_stores_each_good_row_with_its_true_values() -> None:
    store = MemoryStore()
    backend = Backend("memory", store, *_clock_ids())
    file = planted()
    report = backend.ingest(io.BytesIO(file.data), format="csv", on_bad_rows="skip")
    stored = [
        Expected(r.amount, r.sent_at, r.decided_at, r.estimate_id)
        for r in store.estimates[report.source_id]
    ]
    assert stored == file.good
    assert all(r.sent_at.tzinfo is UTC for r in store.estimates[report.source_id])
    # Free text in ignored columns is not stored anywhere.
    assert INJECTION not in repr(store.__dict__)


def _clock_ids():  # type: ignore[no-untyped-def]
    from snapshot_adapters.fake import FixedClock, SequentialIds

    return FixedClock(), SequentialIds()


def test_reject_stores_nothing_and_lists_the_planted_lines(backend: Backend) -> None:
    file = planted()
    with pytest.raises(InvalidInputError) as caught:
        backend.ingest(io.BytesIO(file.data), format="csv")
    assert caught.value.code == "invalid_input"
    assert caught.value.total == 37
    assert {p.line: p.column for p in caught.value.problems} == file.bad
    assert backend.source_ids() == []
    if isinstance(backend.uow_factory, MemoryStore):
        assert backend.uow_factory.estimates == {}
        assert backend.uow_factory.sources == {}


def test_reingesting_the_same_file_gives_a_new_source_with_identical_aggregates(
    backend: Backend, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(planted().data)
    first = backend.ingest(path, on_bad_rows="skip")
    second = backend.ingest(path, on_bad_rows="skip")
    assert first.source_id != second.source_id
    assert backend.source_ids() == [first.source_id, second.source_id]
    a, b = backend.bucket(first.source_id), backend.bucket(second.source_id)
    assert a.estimate_count == b.estimate_count == 10_000 - 37
    assert aggregates(a) == aggregates(b) == oracle(planted().good)
