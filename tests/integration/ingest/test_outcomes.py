"""The outcome field in files: a status column read case-insensitively into won, lost or
pending, stored on every backend; an unknown status is a bad row naming what is known."""

from __future__ import annotations

import io

import pytest

from snapshot_core.domain import InvalidInputError

from .conftest import Backend


def _outcomes(backend: Backend, source_id: str) -> dict[object, int]:
    with backend.uow_factory() as uow:
        return uow.estimates.outcome_counts(source_id)


def test_a_status_column_becomes_stored_outcomes(backend: Backend) -> None:
    text = (
        "amount,sent_at,outcome\n"
        "10,2026-01-05,Approved\n"
        "20,2026-01-06, won \n"
        "30,2026-01-07,DECLINED\n"
        "40,2026-01-08,changes_requested\n"
        "50,2026-01-09,\n"
    )
    report = backend.ingest(io.StringIO(text), format="csv")
    assert _outcomes(backend, report.source_id) == {"won": 2, "lost": 1, "pending": 1, None: 1}


def test_json_lines_outcomes_are_read_the_same_way(backend: Backend) -> None:
    text = (
        '{"amount": 1, "sent_at": "2026-01-05", "outcome": "Sold"}\n'
        '{"amount": 2, "sent_at": "2026-01-05", "outcome": null}\n'
    )
    report = backend.ingest(io.StringIO(text), format="jsonl")
    assert _outcomes(backend, report.source_id) == {"won": 1, None: 1}


def test_an_unknown_status_is_a_bad_row_naming_the_value_and_stores_nothing(
    backend: Backend,
) -> None:
    text = "amount,sent_at,outcome\n10,2026-01-05,won\n20,2026-01-06,On hold\n"
    with pytest.raises(InvalidInputError) as caught:
        backend.ingest(io.StringIO(text), format="csv")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (3, "outcome")
    assert "'On hold'" in problem.problem and "--outcome-map" in problem.problem
    assert "approved" in problem.problem  # the accepted ones are listed
    assert backend.source_ids() == []
