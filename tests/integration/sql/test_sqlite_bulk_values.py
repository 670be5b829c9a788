"""SQLite's bulk values, flattened a batch at a time, store each row as sqlite_column_rows.

The outcome is written as NULL in the statement when no row of a batch has one, and a
missing decision is bound as MISSING (stored as NULL)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from snapshot_adapters.fake import FixedClock, synthetic_estimates
from snapshot_adapters.sql import create_sql_store, sqlite_bulk
from snapshot_adapters.sql.bulk import COLUMNS
from snapshot_adapters.sql.sqlite_bulk import MISSING, sqlite_column_rows, sqlite_column_values
from snapshot_core.domain import EstimateRow, Source
from snapshot_core.domain.estimate_columns import EstimateColumns

from .flows import USER, orchestrator

_STATEMENTS = (sqlite_bulk._WITH_OUTCOMES, sqlite_bulk._NO_OUTCOMES)

OUTCOMES = [None, "won", "lost", "pending"]


def _batches(
    sample: list[EstimateRow], sizes: list[int], outcomes: list[bool]
) -> list[EstimateColumns]:
    """The sample cut into batches of the given sizes (cycled); when a batch's flag (cycled)
    is set its rows get outcomes, every fourth none."""
    batches, at, index = [], 0, 0
    while at < len(sample):
        size = sizes[index % len(sizes)]
        rows = sample[at : at + size]
        if outcomes[index % len(outcomes)]:
            rows = [
                row.model_copy(update={"outcome": OUTCOMES[(at + n) % 4]})
                for n, row in enumerate(rows)
            ]
        batches.append(EstimateColumns.of_rows(rows))
        at, index = at + size, index + 1
    return batches


@given(
    st.integers(0, 60),
    st.lists(st.integers(1, 9), min_size=1, max_size=4),
    st.lists(st.booleans(), min_size=1, max_size=3),
)
def test_the_values_are_the_rows_flattened_without_a_missing_outcome(
    count: int, sizes: list[int], outcomes: list[bool]
) -> None:
    # The two columns a missing decision leaves empty, each stored through NULLIF.
    assert COLUMNS[6] == "decided_at" and COLUMNS[8] == "latency_days"
    assert all(statements.one.count(f"NULLIF(?, {MISSING})") == 2 for statements in _STATEMENTS)
    batches = _batches(list(synthetic_estimates(count, seed=count)), sizes, outcomes)
    rows = list(sqlite_column_rows(3, 5, batches))
    values = list(sqlite_column_values(3, 5, batches))
    assert len(values) == len(rows) == len(batches)
    for batch, batch_rows, (statements, flat) in zip(batches, rows, values, strict=True):
        width = len(COLUMNS) if batch.outcomes is not None else len(COLUMNS) - 1
        assert statements.width == width
        assert statements.one.count("?") == width
        assert statements.one.endswith("NULL)" if width < len(COLUMNS) else "?)")
        if batch.outcomes is None:
            assert all(row[-1] is None for row in batch_rows)
        # A missing decision is bound as MISSING, which the statement stores as NULL.
        bound = [
            MISSING if value is None and column in (6, 8) else value
            for row in batch_rows
            for column, value in enumerate(row[:width])
        ]
        assert flat == bound


def test_batches_with_and_without_outcomes_are_stored_as_their_rows(sqlite_url: str) -> None:
    """Chunks change with the statements, cross the writer's hand-overs and end in one-row
    statements; every row is stored with its values, outcome or NULL."""
    total = 2 * sqlite_bulk._BATCH + 101
    sample = list(synthetic_estimates(total, seed=9))
    batches = _batches(sample, [500, 77, 1200, 13], [False, True, False, False, True])
    expected = [row for batch in sqlite_column_rows(1, 1, batches) for row in batch]
    store = create_sql_store(sqlite_url)
    app = orchestrator(store)
    try:
        app.list_sources(user_id=USER)  # builds the schema in the fresh database
        with store() as uow:
            uow.sources.add(Source(source_id="s", user_id=USER, created_at=FixedClock().now()))
            assert uow.estimates.add_columns("s", iter(batches)) == total
            uow.commit()
        with store() as uow:
            stored = list(
                uow.connection.exec_driver_sql(
                    f"SELECT {', '.join(COLUMNS)} FROM estimates ORDER BY seq"
                )
            )
    finally:
        store.dispose()
    key = stored[0][0]
    assert [tuple(row) for row in stored] == [(key, *row[1:]) for row in expected]
    assert any(row[-1] is not None for row in expected)
    assert any(row[-1] is None for row in expected)
    assert any(row[6] is None for row in expected) and any(row[6] for row in expected)
