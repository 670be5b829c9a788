"""The database's tally equals the core's reference ``tally_estimates`` exactly, on random
estimates and band schemes: band edges, ISO-year boundaries, offsets, sub-cent amounts."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from snapshot_adapters.sql import SqlStore
from snapshot_core.domain import (
    DEFAULT_BAND_SCHEME,
    BandScheme,
    EstimateRow,
    Source,
    tally_estimates,
)

from ...strategies import EDGE_AMOUNTS, estimate_rows

_ids = itertools.count(1)
D = Decimal


def _row(amount: str, sent: datetime, days: float | None = None) -> EstimateRow:
    decided = None if days is None else sent + timedelta(days=days)
    return EstimateRow(amount=D(amount), sent_at=sent, decided_at=decided)


# Amounts finer than the stored integer scale (1e-4) and beyond 28 significant digits,
# next to edges, where a float or a rounding scale would put them in the wrong band.
fine_amounts = st.sampled_from(
    [
        D("999.99999"),
        D("999.9999999999999999999999999999999"),
        D("1000.00000000000000000000000000001"),
        D("499.99995"),
        D("0.00001"),
        D("12345678901234567890.5"),
        D("1E+22"),
    ]
)
edges = st.sampled_from(
    [
        *(D(x) for x in ("0.01", "0.00005", "499.99995", "999.99", "1000", "1000.00001")),
        *EDGE_AMOUNTS[1:],
    ]
)


def _scheme_or_none(price_edges: tuple[D, ...], latency_edges_days: tuple[int, ...]) -> object:
    """A BandScheme, or None for edges whose labels a scheme refuses (too long to send)."""
    try:
        return BandScheme(price_edges=price_edges, latency_edges_days=latency_edges_days)
    except ValidationError:
        return None


schemes = st.one_of(
    st.just(DEFAULT_BAND_SCHEME),
    st.builds(
        _scheme_or_none,
        price_edges=st.lists(edges, min_size=1, max_size=6, unique=True).map(
            lambda xs: tuple(sorted(xs))
        ),
        latency_edges_days=st.lists(st.integers(1, 90), min_size=1, max_size=5, unique=True).map(
            lambda xs: tuple(sorted(xs))
        ),
    ).filter(lambda scheme: scheme is not None),
)
rows_with_fine_amounts = st.lists(
    st.one_of(
        estimate_rows(),
        st.builds(
            lambda row, amount: row.model_copy(update={"amount": amount}),
            estimate_rows(),
            fine_amounts,
        ),
    ),
    min_size=0,
    max_size=80,
)

# ISO weeks at year ends: 2020 and 2026 have a week 53; 2021-01-03 is still 2020-W53.
YEAR_END = [
    _row("500", datetime(2020, 12, 31, 23, 59, 59, tzinfo=UTC), 3),
    _row("999.99", datetime(2021, 1, 3, 23, 59, 59, 999999, tzinfo=UTC), 0),
    _row("1000", datetime(2021, 1, 4, tzinfo=UTC)),
    _row("2500", datetime(2026, 12, 28, tzinfo=UTC), 2.9999999),
    _row("10000", datetime(2027, 1, 3, 20, tzinfo=timezone(timedelta(hours=-8))), 7),
    _row("0", datetime(2025, 12, 29, 0, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))),
    _row("4999.99", datetime(2024, 12, 30, tzinfo=UTC), 31),
    _row("9999.99", datetime(2019, 12, 30, tzinfo=UTC), 14.99999),
]


def _tally_in(store: SqlStore, rows: list[EstimateRow], scheme: BandScheme) -> object:
    source_id = f"pushdown-{next(_ids)}"
    with store() as uow:
        uow.sources.add(Source(source_id=source_id, user_id="u", created_at=datetime.now(UTC)))
        uow.estimates.add_many(source_id, rows)
        uow.commit()
    with store() as uow:
        return uow.estimates.tally(source_id, scheme)


def test_year_end_weeks_and_band_edges(sql_store: SqlStore) -> None:
    for scheme in (DEFAULT_BAND_SCHEME, BandScheme(latency_edges_days=(1, 3, 15))):
        assert _tally_in(sql_store, YEAR_END, scheme) == tally_estimates(YEAR_END, scheme)
    weeks = _tally_in(sql_store, YEAR_END, DEFAULT_BAND_SCHEME).weeks  # type: ignore[attr-defined]
    assert (weeks["2020-W53"], weeks["2026-W53"]) == (2, 1)


# One store for all examples (each example tallies its own new source).
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_with_fine_amounts, scheme=schemes)
@example(rows=YEAR_END, scheme=DEFAULT_BAND_SCHEME)
@example(rows=[], scheme=DEFAULT_BAND_SCHEME)
@example(
    rows=[
        _row("999.9999999999999999999999999999999", datetime(2026, 1, 1, tzinfo=UTC)),
        _row("1000.00000000000000000000000000001", datetime(2026, 1, 1, tzinfo=UTC)),
    ],
    scheme=BandScheme(price_edges=(D("1000"), D("1000.00001"))),
)
def test_tally_equals_the_reference(
    sql_store: SqlStore, rows: list[EstimateRow], scheme: BandScheme
) -> None:
    assert _tally_in(sql_store, rows, scheme) == tally_estimates(rows, scheme)
