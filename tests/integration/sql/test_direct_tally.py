"""The tally on the direct store (``sql/direct/tally.py``: compiled statements, no SQLAlchemy)
equals today's tally on the same file, figure for figure and digit for digit (the JSON of
both), and the core's reference; the cases outside its envelope (another price band scheme,
inexact amounts, an integer sum that overflows) are seen to take today's path."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from snapshot_adapters.sql import SqlStore, create_sql_store, median_positions, tally_figures
from snapshot_adapters.sql.direct.store import DirectStore, direct_store
from snapshot_adapters.sql.direct.unit_of_work import DirectUnitOfWork
from snapshot_adapters.sql.encodings import SCALED_AMOUNT_CAP, scaled_edge
from snapshot_core.domain import (
    DEFAULT_BAND_SCHEME,
    BandScheme,
    BucketTallies,
    EstimateRow,
    Source,
    tally_estimates,
)

from ...contract.databases import copy_sqlite_template
from .test_sql_medians import LATENCIES, MEDIANS, _amounts
from .test_sql_metrics import OVERFLOWING, OVERFLOWING_STALE, STALE, with_outcomes
from .test_sql_pushdown import schemes

START = datetime(2026, 1, 5, tzinfo=UTC)
_ids = itertools.count()


class BothWays:
    """One migrated file, served by the direct store and by today's SQL store."""

    def __init__(self, direct: DirectStore, sql: SqlStore) -> None:
        self.direct, self.sql = direct, sql

    def tally(self, rows: list[EstimateRow], scheme: BandScheme) -> tuple[BucketTallies, bool]:
        """The tally of a new source holding ``rows``, checked equal both ways (and to the
        core's); and whether the direct store made it without today's path."""
        source_id = f"direct-{next(_ids)}"
        with self.sql() as uow:
            uow.sources.add(Source(source_id=source_id, user_id="u", created_at=START))
            uow.estimates.add_many(source_id, rows)
            uow.commit()
        with self.direct() as direct_uow:
            assert isinstance(direct_uow, DirectUnitOfWork)
            direct = direct_uow.estimates.tally(source_id, scheme)
            took_direct = direct_uow._sql is None
        with self.sql() as uow:
            today = uow.estimates.tally(source_id, scheme)
        assert direct.model_dump_json() == today.model_dump_json()
        assert direct == today == tally_estimates(rows, scheme)
        return direct, took_direct


@pytest.fixture
def both_ways(tmp_path: Path, sqlite_template: Path) -> Iterator[BothWays]:
    url = copy_sqlite_template(sqlite_template, tmp_path / "store.db")
    direct, sql = direct_store(url), create_sql_store(url)
    assert direct is not None
    yield BothWays(direct, sql)
    direct.dispose()
    sql.dispose()


@pytest.fixture(params=[False, True], ids=["large bands cut", "every band cut"])
def pivots_everywhere(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pivots for any band, however small (in use: bands of PIVOT_MIN_ROWS rows or more)."""
    if request.param:
        monkeypatch.setattr(median_positions, "PIVOT_MIN_ROWS", 0)


def _exact(rows: list[EstimateRow]) -> bool:
    """Whether every amount is one the scaled amount holds exactly."""
    scaled = [scaled_edge(row.amount) for row in rows]
    return all(value is not None and value < SCALED_AMOUNT_CAP for value in scaled)


def _fits(rows: list[EstimateRow]) -> bool:
    """Whether the scaled amounts' sum fits SQLite's integer (then no sum overflows)."""
    return sum(scaled_edge(row.amount) or 0 for row in rows) < 2**63


EXACT_CASES = {
    "no rows": [],
    **{name: rows for name, rows in MEDIANS.items() if _exact(rows)},
    **LATENCIES,
    "stale": STALE,
    "one row": _amounts("1200.5"),
    "outcomes and undecided rows": _amounts(*(str(100 + 37 * i) for i in range(60))),
    # Huge, in eleven weeks: no cell's sum overflows (their total is made in Python).
    "huge sums": OVERFLOWING,
}
INEXACT_CASES = {name: rows for name, rows in MEDIANS.items() if not _exact(rows)}


@pytest.mark.usefixtures("pivots_everywhere")
@pytest.mark.parametrize("rows", EXACT_CASES.values(), ids=EXACT_CASES.keys())
def test_an_exact_source_is_tallied_directly_and_alike(
    both_ways: BothWays, rows: list[EstimateRow]
) -> None:
    assert both_ways.tally(rows, DEFAULT_BAND_SCHEME)[1]


def test_a_band_large_enough_for_pivots_is_read_from_a_piece(
    both_ways: BothWays, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A band past PIVOT_MIN_ROWS (a smaller threshold here: the same path) is cut at pivots
    counted in the plain scan; even and odd counts, the middle in a bounded and the top band."""
    monkeypatch.setattr(median_positions, "PIVOT_MIN_ROWS", 300)
    bounded = [str(Decimal(100_000 + 150_000 * i // 700) / 100) for i in range(700)]
    top = [str(Decimal(10_000) + Decimal(7 * i)) for i in range(701)]
    for amounts in (bounded, bounded[:-1], top, top[:-1], bounded + top):
        assert both_ways.tally(_amounts(*amounts), DEFAULT_BAND_SCHEME)[1]


@pytest.mark.parametrize(
    "rows",
    [*INEXACT_CASES.values(), OVERFLOWING_STALE],
    ids=[*INEXACT_CASES, "overflowing stale sum"],
)
def test_inexact_amounts_and_overflows_take_todays_path(
    both_ways: BothWays, rows: list[EstimateRow]
) -> None:
    assert not both_ways.tally(rows, DEFAULT_BAND_SCHEME)[1]


def test_another_price_band_scheme_takes_todays_path(both_ways: BothWays) -> None:
    rows = _amounts("10", "200", "3000")
    assert not both_ways.tally(rows, BandScheme(price_edges=(Decimal(100), Decimal(1000))))[1]
    # Latency bands are counted in Python: other latency edges stay on the direct path.
    assert both_ways.tally(rows, BandScheme(latency_edges_days=(1, 2)))[1]


default_price_edges = st.builds(
    lambda scheme: BandScheme(latency_edges_days=scheme.latency_edges_days), schemes
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=with_outcomes, scheme=st.one_of(schemes, default_price_edges))
@example(rows=MEDIANS["middle across two bands"], scheme=DEFAULT_BAND_SCHEME)
@example(rows=[*STALE, *_amounts("1", "2", "3")], scheme=DEFAULT_BAND_SCHEME)
def test_random_sources_are_tallied_alike(
    both_ways: BothWays, rows: list[EstimateRow], scheme: BandScheme
) -> None:
    took_direct = both_ways.tally(rows, scheme)[1]
    if scheme.price_edges == DEFAULT_BAND_SCHEME.price_edges and _exact(rows) and _fits(rows):
        assert took_direct
    elif not _exact(rows):
        assert not took_direct


def test_later_sent_rows_make_others_stale_alike(both_ways: BothWays) -> None:
    """Pending rows sent 31 and 29 days before the latest one, on both sides of the cut."""
    latest = START + timedelta(days=90)
    rows = [
        EstimateRow(amount=Decimal(50), sent_at=latest - timedelta(days=days), outcome=outcome)
        for days, outcome in ((31, "pending"), (29, "pending"), (0, "won"), (45, None))
    ]
    tallied, took_direct = both_ways.tally(rows, DEFAULT_BAND_SCHEME)
    assert took_direct
    assert tallied.metrics is not None and tallied.metrics.stale_pending == 1


@pytest.mark.parametrize("rows", LATENCIES.values(), ids=LATENCIES.keys())
def test_a_source_too_large_to_gather_its_days_counts_them_by_group_alike(
    both_ways: BothWays, rows: list[EstimateRow], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past GATHER_MAX_ROWS (none here: the same path) the days to a decision are counted
    by a grouped scan, whose memory does not grow with the rows; the direct store leaves such
    a source to today's path. Same figures either way (``tally`` compares with the core's)."""
    gathered, took_direct = both_ways.tally(rows, DEFAULT_BAND_SCHEME)
    assert took_direct
    monkeypatch.setattr(tally_figures, "GATHER_MAX_ROWS", 0)
    grouped, took_direct = both_ways.tally(rows, DEFAULT_BAND_SCHEME)
    assert not took_direct
    assert grouped == gathered
