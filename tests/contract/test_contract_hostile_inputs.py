"""Contract: inputs that pass ingest must not break later, on any backend. The last ISO week
of year 9999, lone surrogates and NUL in ids, spans of thousands of years, and user ids past
an index limit are line problems, the span error or the user-id error, identical everywhere."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from snapshot_adapters.fake import FixedClock, SequentialIds
from snapshot_adapters.files import ingest_file
from snapshot_adapters.system import UuidIds
from snapshot_core.domain import (
    USER_ID_MAX_LENGTH,
    EstimateRow,
    InvalidInputError,
    InvalidUserError,
    RowProblem,
    RunPolicy,
    SourceSpanTooLongError,
    SourceStatus,
)
from snapshot_core.ports import UnitOfWorkFactory
from snapshot_core.use_cases import (
    bucket_source,
    create_api_key,
    get_snapshot,
    get_source,
    ingest_estimates,
    list_api_keys,
    list_runs,
    list_source_runs,
    list_sources,
    run_stats,
)

USER = "hostile"


def ingest_lines(store: UnitOfWorkFactory, lines: list[dict[str, Any]], **options: Any) -> Any:
    text = "".join(json.dumps(line) + "\n" for line in lines)
    return ingest_file(
        io.StringIO(text), uow_factory=store, ids=UuidIds(), clock=FixedClock(),
        user_id=options.pop("user_id", USER), format="jsonl", **options,
    )  # fmt: skip


def bucket(store: UnitOfWorkFactory, source_id: str) -> Any:
    return bucket_source(
        uow_factory=store, clock=FixedClock(), policy=RunPolicy(), source_id=source_id,
        user_id=USER,
    )  # fmt: skip


def test_the_last_iso_week_of_year_9999_buckets(store: UnitOfWorkFactory) -> None:
    days = ["9999-12-27", "9999-12-31T23:59:59.999999", "9999-12-29T12:00:00+00:00"]
    lines = [
        {"amount": i, "sent_at": days[i % 3], "decided_at": "9999-12-31T23:59:59.999999"}
        for i in range(30)
    ]
    report = ingest_lines(store, lines)
    buckets = bucket(store, report.source_id)
    assert [(w.week, w.count) for w in buckets.weekly_volume] == [("9999-W52", 30)]


def test_a_span_of_thousands_of_years_is_refused_at_bucketing(store: UnitOfWorkFactory) -> None:
    years = ["0001-01-01", "9999-12-31", *(f"{1000 + 300 * i:04d}-06-15" for i in range(28))]
    lines = [{"amount": 1, "sent_at": year} for year in years]
    with pytest.raises(InvalidInputError):  # by default such dates are refused at the door
        ingest_lines(store, lines)
    # With the door's plausibility check off, bucketing still refuses before any work.
    report = ingest_lines(store, lines, max_weeks=None)
    with pytest.raises(SourceSpanTooLongError) as caught:
        bucket(store, report.source_id)
    assert caught.value.message == "Source spans 521723 weeks; a snapshot covers at most 156"
    (source,) = list_sources(uow_factory=store, user_id=USER)
    assert source.status is SourceStatus.UPLOADED  # nothing was saved


SURROGATE, NUL = "\ud800x", "a\x00b"


def test_surrogates_and_nul_in_ids_are_line_problems(store: UnitOfWorkFactory) -> None:
    good = {"amount": 1, "sent_at": "2026-01-05"}
    lines = [
        {**good, "estimate_id": SURROGATE},
        {**good, "estimate_id": NUL},
        {**good, "estimate_id": "ok"},
        {**good, "\udc00": "x"},
    ]
    report = ingest_lines(store, lines, on_bad_rows="skip")
    assert report.stored_rows == 1
    assert [str(p) for p in report.problems] == [
        "line 1: estimate_id: contains a lone surrogate character",
        "line 2: estimate_id: contains a NUL character (\\u0000)",
        "line 4: row: a key contains a lone surrogate character",
    ]
    with pytest.raises(InvalidInputError):
        ingest_lines(store, lines)


def test_python_callers_get_the_same_checks(store: UnitOfWorkFactory) -> None:
    sent = datetime(2026, 1, 5, tzinfo=UTC)
    rows = [
        {"amount": Decimal(1), "sent_at": sent, "estimate_id": SURROGATE},
        EstimateRow(amount=Decimal(1), sent_at=sent + timedelta(days=1), estimate_id="fine"),
        {"amount": Decimal(1), "sent_at": sent, "estimate_id": NUL},
        {"amount": Decimal(1), "sent_at": sent, "estimate_id": "x" * 256},
    ]
    with pytest.raises(InvalidInputError) as caught:
        ingest_estimates(
            uow_factory=store, ids=SequentialIds(), clock=FixedClock(), user_id=USER, rows=rows
        )
    assert [(p.line, p.column) for p in caught.value.problems] == [
        (1, "estimate_id"),
        (3, "estimate_id"),
        (4, "estimate_id"),
    ]
    assert caught.value.problems[0] == RowProblem(
        1, "estimate_id", "contains a lone surrogate character"
    )
    assert list_sources(uow_factory=store, user_id=USER) == []


def test_the_longest_user_id_is_stored_and_found_on_every_backend(
    store: UnitOfWorkFactory,
) -> None:
    longest = "u" * (USER_ID_MAX_LENGTH - 1) + "é"
    report = ingest_lines(store, [{"amount": 1, "sent_at": "2026-01-05"}], user_id=longest)
    assert [s.source_id for s in list_sources(uow_factory=store, user_id=longest)] == [
        report.source_id
    ]


USE_CASES: dict[str, Callable[[UnitOfWorkFactory, str], object]] = {
    "ingest_file": lambda store, user: ingest_lines(
        store, [{"amount": 1, "sent_at": "2026-01-05"}], user_id=user
    ),
    "ingest_estimates": lambda store, user: ingest_estimates(
        uow_factory=store, ids=SequentialIds(), clock=FixedClock(), user_id=user, rows=[]
    ),
    "bucket_source": lambda store, user: bucket_source(
        uow_factory=store, clock=FixedClock(), policy=RunPolicy(), source_id="s", user_id=user
    ),
    "get_snapshot": lambda store, user: get_snapshot(
        uow_factory=store, snapshot_id="s", user_id=user
    ),
    "list_sources": lambda store, user: list_sources(uow_factory=store, user_id=user),
    "list_runs": lambda store, user: list_runs(uow_factory=store, user_id=user),
    "run_stats": lambda store, user: run_stats(uow_factory=store, user_id=user),
    "get_source": lambda store, user: get_source(uow_factory=store, source_id="s", user_id=user),
    "list_source_runs": lambda store, user: list_source_runs(
        uow_factory=store, source_id="s", user_id=user
    ),
    "create_api_key": lambda store, user: create_api_key(
        uow_factory=store, clock=FixedClock(), ids=SequentialIds(), user_id=user
    ),
    "list_api_keys": lambda store, user: list_api_keys(uow_factory=store, user_id=user),
}


@pytest.mark.parametrize("use_case", USE_CASES)
@pytest.mark.parametrize(
    ("user_id", "problem"),
    [
        ("u" * (USER_ID_MAX_LENGTH + 1), "is longer than 255 characters"),
        ("x" * 3000, "is longer than 255 characters"),  # past PostgreSQL's index limit
        ("", "is empty"),
        ("a\x00b", "contains a NUL character (\\u0000)"),
        ("\ud800", "contains a lone surrogate character"),
    ],
    ids=["256", "3000", "empty", "nul", "surrogate"],
)
def test_every_use_case_refuses_a_user_id_no_backend_can_store(
    store: UnitOfWorkFactory, use_case: str, user_id: str, problem: str
) -> None:
    with pytest.raises(InvalidUserError) as caught:
        USE_CASES[use_case](store, user_id)
    assert caught.value.code == "invalid_user"
    assert caught.value.message == f"Invalid user_id: {problem}"
