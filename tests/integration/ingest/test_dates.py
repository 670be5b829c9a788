"""Dates beyond ISO 8601: the file's own day order (refused when it never shows), a
--date-format pattern, naive times in a --timezone (DST-correct), Excel serials."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from snapshot_adapters.files.dates import AmbiguousDatesError, excel_serial_date
from snapshot_adapters.memory import MemoryStore
from snapshot_core.domain import InvalidInputError

from .conftest import Backend


def _sent(backend: Backend, source_id: str) -> list[datetime]:
    store = backend.uow_factory
    assert isinstance(store, MemoryStore)
    return sorted(row.sent_at for row in store.estimates[source_id])


def _csv(*dates: str) -> io.StringIO:
    return io.StringIO("amount,sent_at\n" + "".join(f"1,{d}\n" for d in dates))


def test_day_order_is_settled_by_any_row_of_the_file(memory: Backend) -> None:
    us = memory.ingest(_csv("01/05/2026", "12/31/2025", "02/03/2026 4:30 PM"), format="csv")
    assert _sent(memory, us.source_id) == [
        datetime(2025, 12, 31, tzinfo=UTC),
        datetime(2026, 1, 5, tzinfo=UTC),
        datetime(2026, 2, 3, 16, 30, tzinfo=UTC),
    ]
    uk = memory.ingest(_csv("01/05/2026", "31.12.2025", "05.05.2026"), format="csv")
    assert _sent(memory, uk.source_id) == [
        datetime(2025, 12, 31, tzinfo=UTC),
        datetime(2026, 5, 1, tzinfo=UTC),
        datetime(2026, 5, 5, tzinfo=UTC),
    ]


def test_a_file_whose_every_date_reads_two_ways_is_refused_naming_the_option(
    memory: Backend,
) -> None:
    with pytest.raises(AmbiguousDatesError) as caught:
        memory.ingest(_csv("01/05/2026", "02/03/2026"), format="csv")
    assert "--date-format" in caught.value.message
    assert "%d/%m/%Y" in caught.value.problems[0].problem
    assert memory.source_ids() == []


def test_a_date_contradicting_the_files_day_order_is_a_bad_row(memory: Backend) -> None:
    with pytest.raises(InvalidInputError) as caught:
        memory.ingest(_csv("12/31/2025", "31/12/2025"), format="csv")
    (problem,) = caught.value.problems
    assert problem.line == 3 and "day-first" in problem.problem
    assert memory.source_ids() == []


def test_a_date_format_reads_every_value_by_it(memory: Backend) -> None:
    report = memory.ingest(
        _csv("05.01.2026 14:30", "06.01.2026 09:00"), format="csv", date_format="%d.%m.%Y %H:%M"
    )
    assert _sent(memory, report.source_id)[0] == datetime(2026, 1, 5, 14, 30, tzinfo=UTC)
    with pytest.raises(InvalidInputError) as caught:
        memory.ingest(_csv("2026-01-05"), format="csv", date_format="%d/%m/%Y")
    assert "does not match --date-format '%d/%m/%Y'" in caught.value.problems[0].problem


def test_naive_times_are_read_in_the_time_zone_with_its_daylight_saving(memory: Backend) -> None:
    report = memory.ingest(
        _csv("2026-01-05T09:00", "2026-07-06T09:00", "2026-07-06T09:00Z"),
        format="csv",
        timezone="America/New_York",
    )
    assert _sent(memory, report.source_id) == [
        datetime(2026, 1, 5, 14, tzinfo=UTC),  # EST, UTC-5
        datetime(2026, 7, 6, 9, tzinfo=UTC),  # an explicit offset stays as written
        datetime(2026, 7, 6, 13, tzinfo=UTC),  # EDT, UTC-4
    ]
    with pytest.raises(InvalidInputError) as caught:  # 02:30 on 8 March 2026 never happened
        memory.ingest(_csv("2026-03-08T02:30"), format="csv", timezone="America/New_York")
    assert "does not exist in America/New_York" in caught.value.problems[0].problem
    with pytest.raises(ValueError, match="unknown time zone"):
        memory.ingest(_csv("2026-01-05"), format="csv", timezone="Mars/Olympus")


def test_excel_serial_numbers_are_dates(memory: Backend) -> None:
    assert excel_serial_date(46027) == datetime(2026, 1, 5, tzinfo=UTC)
    assert excel_serial_date(46027.5) == datetime(2026, 1, 5, 12, tzinfo=UTC)
    report = memory.ingest(_csv("46027", "46028.25"), format="csv")
    assert _sent(memory, report.source_id) == [
        datetime(2026, 1, 5, tzinfo=UTC),
        datetime(2026, 1, 6, 6, tzinfo=UTC),
    ]
