"""Plausibility at the door: a sent_at more than SNAPSHOT_MAX_WEEKS from the file's median
is a bad row with its line, wherever it is in the file, and it is never stored."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from snapshot_adapters.files.plausibility import WARM_UP
from snapshot_adapters.memory import MemoryStore
from snapshot_core.domain import InvalidInputError

from .conftest import Backend


def _file(count: int, typo_at: set[int], start: date = date(2026, 1, 5)) -> io.StringIO:
    lines = ["amount,sent_at"]
    for index in range(count):
        day = start + timedelta(days=index % 90)
        if index in typo_at:
            day = day.replace(year=2062)
        lines.append(f"{index},{day.isoformat()}")
    return io.StringIO("\n".join(lines) + "\n")


@pytest.mark.parametrize("count", [50, WARM_UP + 500, 3 * WARM_UP])
def test_a_mistyped_year_is_a_bad_row_with_its_line_wherever_it_is(
    memory: Backend, count: int
) -> None:
    typos = {0, count // 2, count - 1}  # first, middle (after the warm-up), last
    report = memory.ingest(_file(count, typos), format="csv", on_bad_rows="skip")
    assert sorted(p.line for p in report.problems) == sorted(i + 2 for i in typos)
    problem = report.problems[0]
    assert problem.column == "sent_at" and "SNAPSHOT_MAX_WEEKS (156)" in problem.problem
    store = memory.uow_factory
    assert isinstance(store, MemoryStore)
    kept = store.estimates[report.source_id]
    assert len(kept) == count - 3 and max(r.sent_at.year for r in kept) == 2026
    assert [int(r.amount) for r in kept] == [i for i in range(count) if i not in typos]


def test_rejecting_stores_nothing_and_the_limit_follows_max_weeks(memory: Backend) -> None:
    with pytest.raises(InvalidInputError) as caught:
        memory.ingest(_file(20, {7}), format="csv")
    assert [p.line for p in caught.value.problems] == [9]
    assert memory.source_ids() == []
    wide = memory.ingest(_file(20, {7}), format="csv", max_weeks=2000)
    assert wide.stored_rows == 20


def test_a_file_whose_dates_shift_by_years_after_the_warm_up_is_refused(memory: Backend) -> None:
    early = [f"1,{date(2020, 1, 6) + timedelta(days=i % 60)}" for i in range(WARM_UP + 10)]
    late = [f"2,{date(2026, 1, 5) + timedelta(days=i % 60)}" for i in range(3 * WARM_UP)]
    text = "amount,sent_at\n" + "\n".join(early + late) + "\n"
    with pytest.raises(InvalidInputError) as caught:
        memory.ingest(io.StringIO(text), format="csv", on_bad_rows="skip")
    assert "nothing was stored" in caught.value.message
    assert caught.value.problems[0].line == 2
    assert memory.source_ids() == []
