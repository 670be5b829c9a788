"""The schema backs the domain rules: status values, non-negative counts, a lease on every
claim, estimates and records that belong to an existing source, one run per attempt."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import exc, insert, select, text

from snapshot_adapters.sql import SqlStore
from snapshot_adapters.sql.schema import estimates, sources
from snapshot_core.domain import SourceStatus

from ...contract.samples import make_run, make_snapshot, make_source, rows

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def _source_row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = make_source().model_dump()
    row.update(changes)
    return row


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "done"},
        {"estimate_count": -1},
        {"attempt": -1},
        {"status": SourceStatus.GENERATING.value, "lease_expires_at": None},
    ],
    ids=["unknown-status", "negative-count", "negative-attempt", "claim-without-lease"],
)
def test_a_source_row_breaking_a_rule_is_refused(
    sql_store: SqlStore, changes: dict[str, object]
) -> None:
    with pytest.raises(exc.IntegrityError), sql_store() as uow:
        uow.execute(insert(sources).values(**_source_row(**changes)))


def test_estimates_must_belong_to_an_existing_source(sql_store: SqlStore) -> None:
    with pytest.raises(KeyError), sql_store() as uow:
        uow.estimates.add_many("src-404", rows(3))
    with pytest.raises(exc.IntegrityError), sql_store() as uow:
        uow.execute(
            insert(estimates).values(
                source_key=404_404,
                seq=1,
                amount=1,
                amount_scaled=10000,
                sent_at=NOW,
                week_key=202602,
            )
        )


def _key(sql_store: SqlStore, source_id: str = "src-1") -> int:
    with sql_store() as uow:
        key: int = uow.execute(
            select(sources.c.source_key).where(sources.c.source_id == source_id)
        ).scalar_one()
    return key


def test_deleting_a_source_deletes_its_estimates_and_rekeying_it_is_refused(
    sql_store: SqlStore,
) -> None:
    with sql_store() as uow:
        uow.sources.add(make_source())
        uow.estimates.add_many("src-1", rows(5))
        uow.commit()
    with pytest.raises(exc.IntegrityError), sql_store() as uow:
        uow.execute(text("UPDATE sources SET source_key = source_key + 1000"))
    with sql_store() as uow:
        uow.execute(text("DELETE FROM sources WHERE source_id = 'src-1'"))
        left = uow.execute(text("SELECT count(*) FROM estimates")).scalar_one()
        uow.commit()
    assert left == 0


def test_estimate_values_are_checked(sql_store: SqlStore) -> None:
    with sql_store() as uow:
        uow.sources.add(make_source())
        uow.commit()
    bad = [
        {"latency_days": -1, "decided_at": NOW},
        {"latency_days": 3},  # latency without a decision
        {"week_key": 202699},
    ]
    for changes in bad:
        values: dict[str, object] = {
            "source_key": _key(sql_store),
            "seq": 1,
            "amount": 1,
            "amount_scaled": 10000,
            "sent_at": NOW,
            "week_key": 202602,
            **changes,
        }
        with pytest.raises(exc.IntegrityError), sql_store() as uow:
            uow.execute(insert(estimates).values(**values))


def test_one_run_per_attempt_and_run_fields_that_agree(sql_store: SqlStore) -> None:
    with sql_store() as uow:
        uow.sources.add(make_source())
        uow.snapshots.add(make_snapshot(), "alice")
        uow.runs.add(make_run("run-1", attempt=1))
        uow.commit()
    with pytest.raises(exc.IntegrityError), sql_store() as uow:
        uow.runs.add(make_run("run-2", attempt=1, snapshot_id=None))
        uow.commit()
    with pytest.raises(exc.IntegrityError), sql_store() as uow:
        uow.runs.add(make_run("run-3", attempt=3, snapshot_id=None, error_code=None))
        uow.commit()
    with pytest.raises(exc.IntegrityError), sql_store() as uow:
        uow.runs.add(make_run("run-4", attempt=4, snapshot_id="snap-404"))
        uow.commit()  # the snapshot reference is checked at commit (deferred)
