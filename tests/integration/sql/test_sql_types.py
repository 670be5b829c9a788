"""The encodings behind exact SQL bucketing: SQLite's order-preserving decimal text, the
scaled integer amount, and UTC timestamps that compare as text in time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from snapshot_adapters.sql.encodings import (
    OUTCOME_CODES,
    amount_columns,
    epoch_micros,
    from_epoch_micros,
)
from snapshot_adapters.sql.sqlite_bulk import amount_column_pairs, sqlite_column_rows
from snapshot_adapters.sql.types import (
    AMOUNT_SCALE,
    SCALED_AMOUNT_CAP,
    decimal_from_key,
    decimal_key,
    scaled_amount,
    scaled_edge,
    sqlite_datetime,
)
from snapshot_core.domain import EstimateRow, latency_days
from snapshot_core.domain.estimate_columns import EstimateColumns

amounts = st.one_of(
    st.decimals(min_value=0, max_value=Decimal("1E+100"), allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=100_000, places=8),
    st.sampled_from([Decimal("1E+3"), Decimal("0E-7"), Decimal("-0"), Decimal("1E+30")]),
)


@given(amounts, amounts)
# Found while developing: abs() rounded to 28 digits, storing this amount as 1000.
@example(Decimal("999.9999999999999999999999999999999"), Decimal("1000"))
def test_decimal_keys_order_like_the_decimals(a: Decimal, b: Decimal) -> None:
    assert (a < b) == (decimal_key(a) < decimal_key(b))
    assert (a == b) == (decimal_key(a) == decimal_key(b))
    assert decimal_from_key(decimal_key(a)) == a


@given(amounts, st.decimals(min_value="0.0001", max_value=10**12, places=4))
def test_scaled_amounts_compare_exactly_with_scale_sized_edges(
    amount: Decimal, edge: Decimal
) -> None:
    scaled = scaled_edge(edge)
    assert scaled is not None
    assert (amount < edge) == (scaled_amount(amount) < scaled)


def test_edges_finer_than_the_scale_are_not_scaled() -> None:
    assert scaled_edge(Decimal("1000.00001")) is None
    assert scaled_edge(Decimal(10) ** 30) is None  # beyond the cap
    assert scaled_edge(Decimal("999.99")) == 9_999_900
    assert scaled_amount(Decimal("1E+40")) == SCALED_AMOUNT_CAP
    assert scaled_amount(Decimal("0.99999")) == 10**AMOUNT_SCALE - 1


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-0.01"])
def test_amounts_that_cannot_be_stored_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="finite decimal >= 0"):
        decimal_key(Decimal(bad))


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
    st.sampled_from([UTC, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5, minutes=30))]),
)
def test_sqlite_timestamps_sort_in_time_order(
    moment: datetime, later_by: timedelta, offset: timezone
) -> None:
    later = moment + later_by
    first, second = sqlite_datetime(moment.astimezone(offset)), sqlite_datetime(later)
    assert (first < second) == (moment < later)
    assert datetime.fromisoformat(first).replace(tzinfo=UTC) == moment


@given(amounts)
@example(Decimal("6327.07"))
@example(Decimal("0"))
@example(Decimal("1E+22"))
def test_the_one_pass_amount_encoding_equals_the_two_separate_ones(amount: Decimal) -> None:
    assert amount_columns(amount) == (decimal_key(amount), scaled_amount(amount))


@given(amounts)
@example(Decimal("6327.07"))
@example(Decimal("99999999999999.99999"))
@example(Decimal("100000000000000"))
def test_the_rows_sqlite_stores_hold_the_same_amount_columns(amount: Decimal) -> None:
    """A row's amount reaches SQLite as str() of its Decimal (EstimateColumns.of_rows), and
    the column encoding of that text gives the same key and scaled value."""
    if amount.is_signed():
        amount = -amount  # -0: rows hold amounts >= 0, and 0 as 0
    row = EstimateRow(amount=amount, sent_at=datetime(2026, 1, 5, tzinfo=UTC))
    ((_, _, _, key, scaled, *_),) = next(sqlite_column_rows(1, 1, [EstimateColumns.of_rows([row])]))
    assert (key, scaled) == (decimal_key(row.amount), scaled_amount(row.amount))


# Amounts as a file writes them (the text that column batches carry): leading zeros,
# trailing zeros, up to 15 integer digits and more, and str() of any Decimal.
amount_texts = st.one_of(
    st.from_regex(r"[0-9]{1,17}(\.[0-9]{1,11})?", fullmatch=True),
    amounts.map(lambda amount: str(amount.copy_abs())),
    st.sampled_from(["0", "000", "0.0", "007.50", "1E-7", "0E-7", "999999999999999.9999"]),
)


@given(st.lists(amount_texts, max_size=8))
@example(["461168601842738.7904", "0461168601842738.7903"])  # just over, just under the cap
@example(["٣", "1.5"])  # a digit that is not ASCII: Decimal reads it, one by one
def test_amount_columns_from_text_equal_those_of_the_decimal(texts: list[str]) -> None:
    keys, scaled = amount_column_pairs(texts)
    assert list(zip(keys, scaled, strict=True)) == [amount_columns(Decimal(t)) for t in texts]


# Amounts to the cent (amount_column_pairs' own path when a whole batch is so), and near
# misses that must leave it: leading zeros, 15 integer digits, other places.
cent_texts = st.one_of(
    st.from_regex(r"0{0,2}[0-9]{1,15}\.[0-9]{2}", fullmatch=True),
    st.sampled_from(["0.00", "6300.00", "10.10", "0.05", "00.50", "1.5", "12", "1.250"]),
)


@given(st.lists(cent_texts, max_size=8))
@example(["6300.00", "0.00", "10.10", "0.05", "99999999999999.99"])  # all on the cent path
@example(["007.50", "1.25"])  # a leading zero: one by one
@example(["100000000000000.00"])  # 15 integer digits: off the cent path
@example(["1.5", "2.00"])
def test_amounts_to_the_cent_are_encoded_as_their_decimals(texts: list[str]) -> None:
    keys, scaled = amount_column_pairs(texts)
    assert list(zip(keys, scaled, strict=True)) == [amount_columns(Decimal(t)) for t in texts]


def _stored(source_key: int, seq: int, row: EstimateRow) -> tuple[object, ...]:
    """The row as the estimates table holds it, each value by its own definition."""
    sent = epoch_micros(row.sent_at)
    decided = None if row.decided_at is None else epoch_micros(row.decided_at)
    year, week, _ = row.sent_at.isocalendar()
    return (
        source_key,
        seq,
        row.estimate_id,
        *amount_columns(row.amount),
        sent,
        decided,
        year * 100 + week,
        None if decided is None else latency_days(row.sent_at, row.decided_at),
        OUTCOME_CODES[row.outcome],
    )


@given(
    st.lists(
        st.tuples(
            amounts,
            st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
            st.one_of(st.none(), st.timedeltas(min_value=timedelta(0), max_value=timedelta(400))),
            st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9-]{1,5}", fullmatch=True)),
            st.sampled_from([None, "won", "lost", "pending"]),
        ),
        max_size=12,
    ),
    st.integers(1, 5),
)
def test_column_batches_are_stored_as_the_rows_are(
    values: list[tuple[Decimal, datetime, timedelta | None, str | None, str | None]], size: int
) -> None:
    """sqlite_column_rows of rows made into columns stores each row's values as the encodings
    define them, row by row."""
    sample = [
        EstimateRow(
            amount=amount.copy_abs(),
            sent_at=sent.replace(tzinfo=UTC),
            decided_at=None if later is None else sent.replace(tzinfo=UTC) + later,
            estimate_id=ident,
            outcome=outcome,
        )
        for amount, sent, later, ident, outcome in values
    ]
    batches = [
        EstimateColumns.of_rows(sample[at : at + size]) for at in range(0, len(sample), size)
    ]
    stored = [row for batch in sqlite_column_rows(7, 3, batches) for row in batch]
    assert stored == [_stored(7, seq, row) for seq, row in enumerate(sample, 3)]
    assert [row for batch in batches for row in batch.rows()] == sample


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    )
)
@example(datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC))
def test_integer_microseconds_round_trip_exactly(moment: datetime) -> None:
    assert from_epoch_micros(epoch_micros(moment)) == moment
