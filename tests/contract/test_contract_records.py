"""Contract: estimates (bulk add, pushed-down tally), buckets, snapshots and runs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from snapshot_core.domain import (
    DEFAULT_BAND_SCHEME,
    BandScheme,
    EstimateRow,
    RunOutcome,
    SnapshotResult,
    tally_estimates,
)
from snapshot_core.domain.estimate_columns import EstimateColumns
from snapshot_core.domain.models import Outcome
from snapshot_core.ports import UnitOfWorkFactory

from .samples import T0, make_buckets, make_run, make_snapshot, make_source, rows

ODD_SCHEME = BandScheme(
    price_edges=(Decimal("999.99"), Decimal("1000.005"), Decimal(4000)),
    latency_edges_days=(1, 2, 60),
)


def _with_source(store: UnitOfWorkFactory, *source_ids: str, user_id: str = "alice") -> None:
    with store() as uow:
        for source_id in source_ids:
            uow.sources.add(make_source(source_id, user_id=user_id))
        uow.commit()


def test_add_many_streams_rows_and_tally_equals_the_reference(store: UnitOfWorkFactory) -> None:
    _with_source(store, "src-1", "src-2")
    sample = rows(300, seed=4)
    with store() as uow:
        assert uow.estimates.add_many("src-1", iter(sample)) == 300
        assert uow.estimates.add_many("src-2", iter(rows(30, seed=5))) == 30
        uow.commit()
    with store() as uow:
        for scheme in (DEFAULT_BAND_SCHEME, ODD_SCHEME):
            assert uow.estimates.tally("src-1", scheme) == tally_estimates(sample, scheme)


def _with_outcomes(sample: list[EstimateRow]) -> list[EstimateRow]:
    outcomes: list[Outcome | None] = ["won", "lost", "pending", None]
    return [
        row.model_copy(update={"outcome": outcomes[index % len(outcomes)]})
        for index, row in enumerate(sample)
    ]


def _columns(sample: list[EstimateRow], size: int) -> list[EstimateColumns]:
    return [EstimateColumns.of_rows(sample[at : at + size]) for at in range(0, len(sample), size)]


def test_add_columns_stores_what_add_many_stores(store: UnitOfWorkFactory) -> None:
    """Column batches (as the file readers hand them over) are the same rows: the same
    tallies and outcome counts as ``add_many`` of the rows; appended after rows already
    there; an unknown source is a KeyError."""
    _with_source(store, "src-1", "src-2")
    first, second = _with_outcomes(rows(300, seed=4)), rows(70, seed=5)
    with store() as uow:
        assert uow.estimates.add_many("src-1", iter(first[:100])) == 100
        assert uow.estimates.add_columns("src-1", iter(_columns(first[100:], 64))) == 200
        assert uow.estimates.add_columns("src-1", iter(_columns(second, 512))) == 70
        assert uow.estimates.add_columns("src-2", iter([])) == 0
        with pytest.raises(KeyError):
            uow.estimates.add_columns("src-404", iter(_columns(second, 8)))
        uow.commit()
    with store() as uow:
        for scheme in (DEFAULT_BAND_SCHEME, ODD_SCHEME):
            tallied = uow.estimates.tally("src-1", scheme)
            assert tallied == tally_estimates(first + second, scheme)
        assert uow.estimates.outcome_counts("src-1") == {
            "won": 75, "lost": 75, "pending": 75, None: 75 + 70
        }  # fmt: skip


def test_add_columns_reads_amounts_as_their_decimal_text(store: UnitOfWorkFactory) -> None:
    """An amount is its text as ``Decimal`` reads it: leading zeros, trailing zeros, an
    exponent (as ``str`` of a tiny Decimal writes it), many digits, on the band edges."""
    _with_source(store, "src-1")
    amounts = ["007.50", "0", "000", "0.0000001", "1E-7", "999.990", "1000.005", "1000.0049999",
               "12345678901234.5678", "999999999999999.9999999999", "4000"]  # fmt: skip
    sent = [1_767_225_600_000_000 + day * 86_400_000_000 for day in range(len(amounts))]
    decided = [None if day % 3 else moment + 3_600_000_000 for day, moment in enumerate(sent)]
    columns = EstimateColumns(amounts, sent, decided, [f"E-{n}" for n in range(len(amounts))])
    with store() as uow:
        assert uow.estimates.add_columns("src-1", [columns]) == len(amounts)
        uow.commit()
    expected = list(columns.rows())
    assert [row.amount for row in expected] == [Decimal(text) for text in amounts]
    with store() as uow:
        for scheme in (DEFAULT_BAND_SCHEME, ODD_SCHEME):
            assert uow.estimates.tally("src-1", scheme) == tally_estimates(expected, scheme)


def test_adding_to_a_source_again_appends(store: UnitOfWorkFactory) -> None:
    _with_source(store, "src-1")
    first, second = rows(20, seed=1), rows(15, seed=2)
    with store() as uow:
        uow.estimates.add_many("src-1", first)
        uow.commit()
    with store() as uow:
        assert uow.estimates.add_many("src-1", second) == 15
        uow.commit()
    with store() as uow:
        tallied = uow.estimates.tally("src-1", DEFAULT_BAND_SCHEME)
    assert tallied == tally_estimates(first + second)


def test_tally_of_a_source_without_estimates_is_empty(store: UnitOfWorkFactory) -> None:
    _with_source(store, "src-1")
    with store() as uow:
        tallied = uow.estimates.tally("src-1", DEFAULT_BAND_SCHEME)
    assert tallied == tally_estimates([])
    assert tallied.estimate_count == 0


def test_buckets_round_trip_and_saving_again_replaces(store: UnitOfWorkFactory) -> None:
    _with_source(store, "src-1")
    with store() as uow:
        assert uow.buckets.get("src-1") is None
        uow.buckets.save(make_buckets(count=40))
        uow.commit()
    replacement = make_buckets(count=60)
    with store() as uow:
        assert uow.buckets.get("src-1") == make_buckets(count=40)
        uow.buckets.save(replacement)
        uow.commit()
    with store() as uow:
        assert uow.buckets.get("src-1") == replacement


def test_a_snapshot_is_only_visible_to_its_user(store: UnitOfWorkFactory) -> None:
    _with_source(store, "src-1")
    snapshot = make_snapshot()
    with store() as uow:
        uow.snapshots.add(snapshot, "alice")
        uow.commit()
    with store() as uow:
        assert uow.snapshots.get("snap-1", "alice") == snapshot
        assert uow.snapshots.get("snap-1", "mallory") is None
        assert uow.snapshots.get("snap-404", "alice") is None


def _snapshot_at(snapshot_id: str, source_id: str, minutes: int) -> SnapshotResult:
    snapshot = make_snapshot(snapshot_id, source_id)
    meta = snapshot.meta.model_copy(update={"generated_at": T0 + timedelta(minutes=minutes)})
    return snapshot.model_copy(update={"meta": meta})


def test_each_source_s_latest_snapshot_is_the_last_generated_and_only_its_user_s(
    store: UnitOfWorkFactory,
) -> None:
    _with_source(store, "src-1", "src-2")
    _with_source(store, "src-9", user_id="mallory")
    with store() as uow:
        # Added out of order: the latest is decided by generated_at, not by insertion.
        uow.snapshots.add(_snapshot_at("snap-b", "src-1", 20), "alice")
        uow.snapshots.add(_snapshot_at("snap-a", "src-1", 10), "alice")
        uow.snapshots.add(_snapshot_at("snap-c", "src-2", 5), "alice")
        assert uow.snapshots.latest_ids("alice") == {"src-1": "snap-b", "src-2": "snap-c"}
        uow.snapshots.add(_snapshot_at("snap-z", "src-9", 30), "mallory")
        uow.commit()
    with store() as uow:
        assert uow.snapshots.latest_ids("alice") == {"src-1": "snap-b", "src-2": "snap-c"}
        assert uow.snapshots.latest_ids("mallory") == {"src-9": "snap-z"}
        assert uow.snapshots.latest_ids("nobody") == {}


def test_runs_keep_every_field_and_list_oldest_first(store: UnitOfWorkFactory) -> None:
    _with_source(store, "src-1")
    _with_source(store, "src-b", user_id="bob")
    succeeded = make_run("run-1", attempt=1, snapshot_id="snap-1")
    failed = make_run(
        "run-2", attempt=2, snapshot_id=None, cost_usd=None, model=None, request_sha256=None
    )
    bobs = make_run("run-3", source_id="src-b", user_id="bob", snapshot_id=None)
    with store() as uow:
        uow.snapshots.add(make_snapshot(), "alice")
        for run in (succeeded, failed, bobs):
            uow.runs.add(run)
        uow.commit()
    with store() as uow:
        assert list(uow.runs.list("alice")) == [succeeded, failed]
        assert list(uow.runs.list("bob")) == [bobs]
        assert list(uow.runs.list()) == [succeeded, failed, bobs]
        assert list(uow.runs.list("nobody")) == []


def test_a_run_is_recorded_calling_then_finished_in_place(store: UnitOfWorkFactory) -> None:
    _with_source(store, "src-1")
    calling = make_run(
        "run-1", snapshot_id=None, outcome=RunOutcome.CALLING, error_code=None, finished_at=None
    )
    with store() as uow:
        uow.runs.add(calling)
        uow.commit()
    with store() as uow:
        assert list(uow.runs.list("alice")) == [calling]
    failed = make_run(
        "run-1",
        snapshot_id=None,
        error_code="llm_refusal",
        detail="I can't help with that.",
        retry_after_seconds=26.604,
        cost_reported=True,
        reply_json='{"headline": "kept"}',
    )
    with store() as uow:
        uow.runs.finish(failed)
        uow.commit()
    with store() as uow:
        assert list(uow.runs.list("alice")) == [failed]  # one record, every field kept


def test_finishing_a_run_that_was_never_recorded_fails(store: UnitOfWorkFactory) -> None:
    _with_source(store, "src-1")
    with store() as uow, pytest.raises(KeyError):
        uow.runs.finish(make_run("run-never-added"))


def test_only_earlier_calling_runs_of_the_source_are_abandoned(store: UnitOfWorkFactory) -> None:
    _with_source(store, "src-1", "src-2")
    calling = {"snapshot_id": None, "outcome": RunOutcome.CALLING, "finished_at": None}
    old = make_run("run-1", attempt=1, error_code=None, **calling)
    failed = make_run("run-2", attempt=2, snapshot_id=None)
    current = make_run("run-3", attempt=3, error_code=None, **calling)
    other = make_run("run-4", source_id="src-2", attempt=1, error_code=None, **calling)
    with store() as uow:
        for run in (old, failed, current, other):
            uow.runs.add(run)
        uow.commit()
    later = T0 + timedelta(minutes=10)
    with store() as uow:
        assert uow.runs.abandon_unfinished("src-1", 3, later) == 1
        uow.commit()
    with store() as uow:
        runs = {run.run_id: run for run in uow.runs.list("alice")}
    assert runs["run-1"] == old.model_copy(
        update={"outcome": RunOutcome.ABANDONED, "finished_at": later}
    )
    assert runs["run-1"].possibly_billed
    assert (runs["run-2"], runs["run-3"], runs["run-4"]) == (failed, current, other)


def test_outcomes_are_stored_and_counted_with_unknown_as_none(store: UnitOfWorkFactory) -> None:
    _with_source(store, "src-1", "src-2")
    outcomes: list[Outcome | None] = ["won", "lost", "pending", None, "won"]
    sample = [
        row.model_copy(update={"outcome": outcomes[index % len(outcomes)]})
        for index, row in enumerate(rows(50, seed=7))
    ]
    with store() as uow:
        uow.estimates.add_many("src-1", iter(sample))
        uow.estimates.add_many("src-2", iter(rows(5, seed=8)))  # no outcomes at all
        uow.commit()
    with store() as uow:
        assert uow.estimates.outcome_counts("src-1") == {
            "won": 20,
            "lost": 10,
            "pending": 10,
            None: 10,
        }
        assert uow.estimates.outcome_counts("src-2") == {None: 5}
        assert uow.estimates.outcome_counts("src-404") == {}
        # The outcome changes no other aggregate.
        assert uow.estimates.tally("src-1", DEFAULT_BAND_SCHEME) == tally_estimates(sample)
