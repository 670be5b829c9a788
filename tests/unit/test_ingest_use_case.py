"""ingest_estimates and ingest_row_stream: one transaction, all or nothing, rows read lazily."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from snapshot_adapters.fake import FixedClock, SequentialIds
from snapshot_adapters.memory import MemoryStore
from snapshot_core.domain import EstimateRow, InvalidInputError, RowProblem, SourceStatus
from snapshot_core.use_cases import ingest_estimates
from snapshot_core.use_cases.ingest import CheckedRows, ingest_row_stream

SENT = datetime(2026, 1, 5, 10, tzinfo=UTC)


def ingest(store: MemoryStore, rows: object) -> str:
    return ingest_estimates(
        uow_factory=store, ids=SequentialIds(), clock=FixedClock(), user_id="u", rows=rows, name="n"
    )


def test_dicts_and_rows_are_stored_as_one_uploaded_source() -> None:
    store = MemoryStore()
    rows = [
        {"amount": "12.5", "sent_at": "2026-01-05T12:00:00+02:00"},
        EstimateRow(amount=Decimal(3), sent_at=SENT, estimate_id="b"),
    ]
    source_id = ingest(store, iter(rows))
    source = store.sources[source_id]
    assert (source.status, source.estimate_count, source.name) == (SourceStatus.UPLOADED, 2, "n")
    assert [r.sent_at for r in store.estimates[source_id]] == [SENT, SENT]


def test_any_bad_row_stores_nothing_and_names_rows_by_number() -> None:
    store = MemoryStore()
    rows = [
        {"amount": 1, "sent_at": SENT, "estimate_id": "a"},
        {"amount": -1, "sent_at": SENT},
        {"amount": 1, "sent_at": SENT, "decided_at": datetime(2026, 1, 1, tzinfo=UTC)},
        {"amount": 2, "sent_at": SENT, "estimate_id": "a"},
    ]
    with pytest.raises(InvalidInputError) as caught:
        ingest(store, rows)
    assert caught.value.total == 3
    assert caught.value.problems[0].line == 2 and caught.value.problems[0].column == "amount"
    assert caught.value.problems[1] == RowProblem(3, "row", "decided_at is before sent_at")
    assert caught.value.problems[2] == RowProblem(4, "estimate_id", "duplicate of row 1")
    assert store.sources == {} and store.estimates == {}


def test_rows_are_consumed_lazily_inside_the_transaction() -> None:
    store = MemoryStore()
    seen: list[bool] = []

    def rows() -> Iterator[EstimateRow]:
        for i in range(3):
            seen.append(store.lock._is_owned())  # type: ignore[attr-defined]
            yield EstimateRow(amount=Decimal(i), sent_at=SENT)

    ingest(store, rows())
    assert seen == [True, True, True]


class Stream:
    """A reader's own RowStream: yields checked rows and gives its verdict afterwards."""

    def __init__(self, verdict: InvalidInputError | None) -> None:
        self.verdict = verdict
        self.drained = False

    def __iter__(self) -> Iterator[EstimateRow]:
        yield EstimateRow(amount=Decimal(1), sent_at=SENT)
        self.drained = True

    def rejection(self) -> InvalidInputError | None:
        assert self.drained, "asked before the stream was drained"
        return self.verdict


def test_a_row_stream_that_rejects_after_the_rows_are_written_rolls_everything_back() -> None:
    store = MemoryStore()
    verdict = InvalidInputError([RowProblem(7, "amount", "bad")], total=1)
    with pytest.raises(InvalidInputError) as caught:
        ingest_row_stream(
            uow_factory=store, ids=SequentialIds(), clock=FixedClock(), user_id="u",
            rows=Stream(verdict),
        )  # fmt: skip
    assert caught.value is verdict
    assert store.sources == {} and store.estimates == {}


def test_a_row_stream_that_accepts_returns_the_id_and_the_count() -> None:
    store = MemoryStore()
    source_id, stored = ingest_row_stream(
        uow_factory=store, ids=SequentialIds(), clock=FixedClock(), user_id="u", rows=Stream(None)
    )
    assert stored == 1 and store.sources[source_id].estimate_count == 1


def test_checked_rows_is_a_row_stream() -> None:
    checked = CheckedRows([{"amount": "x", "sent_at": SENT}])
    assert list(checked) == []
    verdict = checked.rejection()
    assert verdict is not None and verdict.total == 1
    assert CheckedRows([]).rejection() is None


def test_mappings_are_read_as_file_rows_other_keys_ignored_and_empty_text_missing() -> None:
    store = MemoryStore()
    rows = [
        {" TOTAL ": " 12.5 ", "sent_at": "2026-01-05", "decided_at": "", "notes": "x", None: []},
        {"Total": "3", "SENT_AT": SENT, "estimate_id": ""},
    ]
    source_id = ingest_estimates(
        uow_factory=store,
        ids=SequentialIds(),
        clock=FixedClock(),
        user_id="u",
        rows=rows,
        column_map={"amount": "total"},
    )
    stored = store.estimates[source_id]
    assert [(r.amount, r.decided_at, r.estimate_id) for r in stored] == [
        (Decimal("12.5"), None, None),
        (Decimal(3), None, None),
    ]
    with pytest.raises(ValueError, match="cannot map 'price'"):
        ingest_estimates(
            uow_factory=store, ids=SequentialIds(), clock=FixedClock(), user_id="u",
            rows=rows, column_map={"price": "Total"},
        )  # fmt: skip
