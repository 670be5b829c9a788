"""Shared steps for the SQL integration tests: a bucketed source, and outcome bookkeeping."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from snapshot_adapters.fake import FakeModel, FixedClock, synthetic_estimates
from snapshot_adapters.system import UuidIds
from snapshot_core import Orchestrator
from snapshot_core.domain import (
    RunPolicy,
    SnapshotError,
    SnapshotInProgressError,
    SourceNotBucketedError,
)
from snapshot_core.ports import Clock, IdFactory, LanguageModel, UnitOfWorkFactory

__all__ = ["RaceOutcomes", "bucketed_source", "orchestrator"]

USER = "alice"
RACE_LOSSES = (SnapshotInProgressError, SourceNotBucketedError)


def orchestrator(
    store: UnitOfWorkFactory,
    model: LanguageModel | None = None,
    clock: Clock | None = None,
    ids: IdFactory | None = None,
    policy: RunPolicy | None = None,
) -> Orchestrator:
    return Orchestrator(
        uow_factory=store,
        model=model or FakeModel(),
        clock=clock or FixedClock(),
        ids=ids or UuidIds(),  # unique across tests sharing one database
        policy=policy or RunPolicy(),
    )


def bucketed_source(app: Orchestrator, count: int = 60, seed: int = 3) -> str:
    source_id = app.ingest_estimates(
        user_id=USER, rows=synthetic_estimates(count, seed=seed), name="race"
    )
    app.bucket_source(source_id=source_id, user_id=USER)
    return source_id


@dataclass
class RaceOutcomes:
    """What every racer got: snapshot ids, typed error codes, anything else (a failure)."""

    snapshot_ids: list[str] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)

    def record(self, outcome: str | BaseException) -> None:
        if isinstance(outcome, str):
            self.snapshot_ids.append(outcome)
        elif isinstance(outcome, RACE_LOSSES):
            self.codes[outcome.code] += 1
        elif isinstance(outcome, SnapshotError):
            self.unexpected.append(f"{outcome.code}: {outcome.message}")
        else:
            self.unexpected.append(repr(outcome))

    @property
    def total(self) -> int:
        return len(self.snapshot_ids) + sum(self.codes.values()) + len(self.unexpected)
