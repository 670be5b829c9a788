"""Contract: the metrics a backend tallies (outcomes, sums, medians, stale pipeline) equal the
core's reference and the plain re-statement of each formula, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from snapshot_core.domain import (
    DEFAULT_BAND_SCHEME,
    BandScheme,
    EstimateRow,
    build_buckets,
    tally_estimates,
)
from snapshot_core.domain.models import Outcome
from snapshot_core.ports import UnitOfWorkFactory

from ..unit.reference import reference_metrics
from .samples import make_source, rows

NOW = datetime(2026, 4, 1, tzinfo=UTC)
CYCLE: list[Outcome | None] = ["won", "lost", "pending", None, "won", "pending"]


def _with(outcomes: list[Outcome | None], count: int = 60) -> list[EstimateRow]:
    return [
        row.model_copy(update={"outcome": outcomes[index % len(outcomes)]})
        for index, row in enumerate(rows(count, seed=11))
    ]


def _one_week() -> list[EstimateRow]:
    return [
        EstimateRow(amount=Decimal(a), sent_at=NOW + timedelta(hours=i), outcome=o)
        for i, (a, o) in enumerate([("100.005", "won"), ("200", "lost"), ("300.01", "won")])
    ]


SAMPLES = {
    "mixed": _with(CYCLE),
    "all_pending": _with(["pending"]),
    "all_won": _with(["won"]),
    "no_outcomes": _with([None]),
    "one_week": _one_week(),
    "empty": [],
    # An even count whose middle two amounts sit in different price bands.
    "median_across_bands": [
        EstimateRow(amount=Decimal(a), sent_at=NOW, decided_at=NOW + timedelta(days=d))
        for a, d in (("100", 1), ("499.99", 2), ("500", 9), ("20000", 40))
    ],
    "huge_and_fine_amounts": [
        EstimateRow(amount=Decimal(a), sent_at=NOW, outcome="won")
        for a in ("99999999999999.5", "0.00001", "12345.67891", "1E+20")
    ],
}


@pytest.mark.parametrize("name", list(SAMPLES))
@pytest.mark.parametrize("scheme", [DEFAULT_BAND_SCHEME, BandScheme(price_edges=(Decimal(750),))])
def test_metrics_equal_the_reference_on_every_backend(
    store: UnitOfWorkFactory, name: str, scheme: BandScheme
) -> None:
    sample = SAMPLES[name]
    with store() as uow:
        uow.sources.add(make_source("src-1"))
        uow.estimates.add_many("src-1", iter(sample))
        uow.commit()
    with store() as uow:
        tallied = uow.estimates.tally("src-1", scheme)
    assert tallied == tally_estimates(sample, scheme)
    if scheme is DEFAULT_BAND_SCHEME:
        buckets = build_buckets("src-1", tallied, NOW, scheme)
        expected = reference_metrics(sample)
        assert buckets.outcomes.model_dump() == expected["outcomes"]
        assert buckets.money.model_dump() == expected["money"]
