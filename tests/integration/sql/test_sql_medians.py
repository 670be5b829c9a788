"""The two medians: of amounts, read from a piece of its price band (the band cut at pivots
whose counts the stale pipeline's scan makes, the top band's pivots placed from its mean;
the pieces read are checked to be the narrow ones), and of latencies, from the histogram
(SQLite: the decided rows' days gathered in that scan). Each case equals the core's
reference."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from snapshot_adapters.sql import SqlStore, create_sql_store, median_positions, metric_medians
from snapshot_core.domain import DEFAULT_BAND_SCHEME, EstimateRow, tally_estimates

from .test_sql_pushdown import _tally_in

START = datetime(2026, 1, 5, tzinfo=UTC)


def _amounts(*amounts: str | Decimal) -> list[EstimateRow]:
    return [
        EstimateRow(
            amount=Decimal(amount),
            sent_at=START + timedelta(hours=i),
            decided_at=START + timedelta(hours=i, days=i % 9) if i % 4 else None,
            outcome=("won", "lost", "pending", None)[i % 4],
        )
        for i, amount in enumerate(amounts)
    ]


# The default scheme's top band is 10k+ (no upper edge), the one below it 5k-10k.
MEDIANS = {
    "one row, top band": _amounts("25000"),
    "odd, top band": _amounts("10000", "11000", "15000", "40000", "99999.99"),
    "even, top band": _amounts("10000", "11000", "15000", "40000"),
    "ties on the middle": _amounts(*["12000"] * 7, "10000", "10001", "90000", "12000.0001"),
    "all at the lower edge": _amounts(*["10000"] * 6),
    "all equal above the edge": _amounts(*["31415.9265"] * 5),
    "a huge amount drags the mean": _amounts("10000", "10002", "10003", "10004", "1E+13"),
    "middle across two bands": _amounts("100", "9999.99", "10000", "10000.01"),
    "empty bands between": _amounts("1", "2", "70000", "80000", "90000"),
    "middle in a bounded band": _amounts("5000", "6000", "7000", "9999.9999", "20000"),
    "finer amounts, ties broken by the exact amount": _amounts(
        "12000.00001", "12000.00002", "12000.00003", "11000", "13000"
    ),
    "capped amounts": _amounts("1E+20", "2E+20", "3E+20", "10000"),
}


def _decided_after(days: list[float | None]) -> list[EstimateRow]:
    """One row a latency (``None``: no decision), sent a day apart."""
    return [
        EstimateRow(
            amount=Decimal(10 + i),
            sent_at=START + timedelta(days=i),
            decided_at=None if latency is None else START + timedelta(days=i + latency),
        )
        for i, latency in enumerate(days)
    ]


# The latency histogram (SQLite: every decided row's whole days, gathered in one plain scan
# and counted in Python): none decided, one row, ties on the middle, odd and even counts,
# days on the band edges and far beyond them, a day that only rounds down to an edge.
LATENCIES = {
    "none decided": _decided_after([None, None, None]),
    "one row": _decided_after([4]),
    "one pending row": _decided_after([None]),
    "ties": _decided_after([7, 7, 7, 7, 1, 40, None]),
    "odd": _decided_after([0, 3, 8, 15, 31]),
    "even": _decided_after([0, 2.999, 3, 30.5, 31, 3650, None, None]),
    "far": _decided_after([36_500, 36_500, 2]),
    "many": _decided_after([i % 45 + 0.5 for i in range(500)] + [None] * 40),
}


@pytest.fixture
def every_band_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pivots for any band, however small (in use: bands of PIVOT_MIN_ROWS rows or more)."""
    monkeypatch.setattr(median_positions, "PIVOT_MIN_ROWS", 0)


@pytest.mark.usefixtures("every_band_cut")
@pytest.mark.parametrize(
    "rows", [*MEDIANS.values(), *LATENCIES.values()], ids=[*MEDIANS, *LATENCIES]
)
def test_the_medians_equal_the_reference(sql_store: SqlStore, rows: list[EstimateRow]) -> None:
    tallied = _tally_in(sql_store, rows, DEFAULT_BAND_SCHEME)
    assert tallied == tally_estimates(rows, DEFAULT_BAND_SCHEME)


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[SqlStore]:
    store = create_sql_store(sqlite_url)
    yield store
    store.dispose()


@pytest.fixture
def pieces_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The row count of every piece the median sorts (SQLite: the median's own query)."""
    read: list[int] = []
    at = metric_medians._at

    def counting(*args: Any) -> list[Decimal]:
        read.append(args[3].rows)
        return at(*args)

    monkeypatch.setattr(metric_medians, "_at", counting)
    return read


def test_a_large_top_band_is_read_from_a_narrow_piece(
    sqlite_store: SqlStore, pieces_read: list[int]
) -> None:
    """Without an upper edge the pivots are placed from the band's mean; amounts spread evenly
    over 10k-30k put the middle in a piece of about 2% of the band."""
    rows = median_positions.PIVOT_MIN_ROWS + 1_000
    amounts = [Decimal(10_000) + Decimal(20_000 * i) / rows for i in range(rows)]
    estimates = _amounts(*amounts[::2], *amounts[1::2], "50", "7000")
    assert _tally_in(sqlite_store, estimates, DEFAULT_BAND_SCHEME) == tally_estimates(
        estimates, DEFAULT_BAND_SCHEME
    )
    assert pieces_read and max(pieces_read) < rows // 20


@pytest.mark.usefixtures("every_band_cut")
def test_a_band_whose_mean_puts_the_pivots_astray_is_still_exact(
    sqlite_store: SqlStore, pieces_read: list[int]
) -> None:
    """One huge amount puts the top band's guessed upper edge far away: every pivot lands
    above the middle, which is then read from the first piece, below the lowest pivot."""
    estimates = _amounts(*(str(10_000 + i) for i in range(40)), "1E+12")
    assert _tally_in(sqlite_store, estimates, DEFAULT_BAND_SCHEME) == tally_estimates(
        estimates, DEFAULT_BAND_SCHEME
    )
    assert pieces_read == [40]
