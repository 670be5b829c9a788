"""Amounts and timestamps: exactly which spellings are accepted, and what they mean."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from random import Random

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from snapshot_adapters.files import ValueProblem, parse_amount, parse_timestamp
from snapshot_adapters.files.amounts import _PLAIN
from snapshot_adapters.files.construct import _constructed, _direct, trusted_row
from snapshot_adapters.files.values import ISO_TIMESTAMP, shape_matcher
from snapshot_core.domain import EstimateRow
from snapshot_core.domain.models import Outcome


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", "0"),
        ("1234", "1234"),
        ("1234.5", "1234.5"),
        ("1,234.50", "1234.50"),
        ("1,234,567", "1234567"),
        ("$1,234.50", "1234.50"),
        ("$ 12", "12"),
        ("€12", "12"),
        ("£0.99", "0.99"),
        ("¥5000", "5000"),
        ("₹1,000.00", "1000.00"),
        ("1.234,50", "1234.50"),
        ("1.234.567,5", "1234567.5"),
        ("12,5", "12.5"),
        ("0,250", "0.250"),
        ("0.250", "0.250"),
        ("1234.567", "1234.567"),
        ("1234,567", "1234.567"),
        ("1 234", "1234"),
        ("1\u00a0234,50", "1234.50"),
        ("CHF 1'234.50", "1234.50"),
        ("12 USD", "12"),
        ("EUR 12,00", "12.00"),
        ("12€", "12"),
        ("1.234,50 €", "1234.50"),
        (".5", "0.5"),
        ("5.", "5"),
        ("-0", "0"),
        ("-$0.00", "0.00"),
        ("999999999999999.9999999999", "999999999999999.9999999999"),
    ],
)
def test_accepted_amounts(text: str, value: str) -> None:
    assert parse_amount(text) == Decimal(value)
    assert str(parse_amount(text)) == value


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("-5", "negative amount: '-5'"),
        ("-$1,000.00", "negative amount: '-$1,000.00'"),
        ("$-3", "negative amount: '$-3'"),
        ("1,2,3", "badly grouped digits: '1,2,3'"),
        ("12,34,567", "badly grouped digits: '12,34,567'"),
        ("1.234.56", "badly grouped digits: '1.234.56'"),
        ("1,234,5.00", "badly grouped digits: '1,234,5.00'"),
        ("(120.00)", "negative amount: '(120.00)'"),
        ("120.00-", "negative amount: '120.00-'"),
        ("USD -5.00", "negative amount: 'USD -5.00'"),
        ("12 XYZ", "not a number: '12 XYZ'"),
        ("$12 USD", "not a number: '$12 USD'"),
        ("1e3", "not a number: '1e3'"),
        ("NaN", "not a number: 'NaN'"),
        ("Infinity", "not a number: 'Infinity'"),
        ("$$5", "not a number: '$$5'"),
        ("(-100)", "not a number: '(-100)'"),
        ("+5", "not a number: '+5'"),
        ("--5", "not a number: '--5'"),
        ("a5", "not a number: 'a5'"),
        ("١٢٣", "not a number: '١٢٣'"),  # Arabic-Indic digits
        ("５", "not a number: '５'"),  # full-width digit
        ("1000000000000000", "too large (over 15 digits): '1000000000000000'"),
        ("0.12345678901", "more than 10 decimal places: '0.12345678901'"),
        ("\x1b[2J5", "not a number: '\\x1b[2J5'"),
    ],
)
def test_refused_amounts(text: str, problem: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_amount(text)
    assert str(caught.value) == problem


@given(
    st.decimals(0, 10**14, places=2, allow_nan=False),
    st.sampled_from(["", "$", "€ ", "£", "¥"]),
    st.booleans(),
)
def test_any_amount_reads_back_in_any_accepted_spelling(
    value: Decimal, symbol: str, grouped: bool
) -> None:
    text = f"{value:,.2f}" if grouped else f"{value:.2f}"
    assert parse_amount(symbol + text) == value


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-01-05", datetime(2026, 1, 5, tzinfo=UTC)),
        ("2026-01-05T10:00", datetime(2026, 1, 5, 10, tzinfo=UTC)),
        ("2026-01-05 10:00:30", datetime(2026, 1, 5, 10, 0, 30, tzinfo=UTC)),
        ("2026-01-05T10:00:00Z", datetime(2026, 1, 5, 10, tzinfo=UTC)),
        ("2026-01-05T10:00:00.5+05:30", datetime(2026, 1, 5, 4, 30, 0, 500_000, tzinfo=UTC)),
        ("2026-01-05T10:00:00,25-0800", datetime(2026, 1, 5, 18, 0, 0, 250_000, tzinfo=UTC)),
        ("2026-01-05T10:00+14", datetime(2026, 1, 4, 20, tzinfo=UTC)),
        ("2026-01-04T23:30:00-02:00", datetime(2026, 1, 5, 1, 30, tzinfo=UTC)),  # Sun -> Mon
        ("2026-01-05T00:30:00+02:00", datetime(2026, 1, 4, 22, 30, tzinfo=UTC)),  # Mon -> Sun
        ("2026-01-05T10:00:00.123456789Z", datetime(2026, 1, 5, 10, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_accepted_timestamps_are_converted_to_utc(text: str, utc: datetime) -> None:
    moment = parse_timestamp(text)
    assert moment == utc and moment.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("05/01/2026", "not an ISO 8601 date or date-time"),
        ("20260105", "not an ISO 8601 date or date-time"),
        ("2026-W02-1", "not an ISO 8601 date or date-time"),
        ("2026-01-05x10:00", "not an ISO 8601 date or date-time"),
        ("2026-01-05T10", "not an ISO 8601 date or date-time"),
        ("2026-01-05T1000", "not an ISO 8601 date or date-time"),
        ("2026-01-05T10:00 +02:00", "not an ISO 8601 date or date-time"),
        ("2026-01-05T10:00:00.+02:00", "not an ISO 8601 date or date-time"),
        ("2026-01-05T10:00:00+05:30:15", "not an ISO 8601 date or date-time"),
        ("2026-01-05+02:00", "not an ISO 8601 date or date-time"),
        ("2026-1-5", "not an ISO 8601 date or date-time"),
        ("２０２６-01-05", "not an ISO 8601 date or date-time"),
        ("yesterday", "not an ISO 8601 date or date-time"),
        ("1767607200", "not an ISO 8601 date or date-time"),
        ("2026-02-30", "not a valid date: '2026-02-30' (day is out of range for month)"),
        ("2026-01-05T25:00:00Z", "not a valid date"),
        ("2026-01-05T23:59:60Z", "not a valid date"),
        ("2026-01-05T10:00+24:00", "not a valid date"),
        ("0001-01-01T00:00+01:00", "not a valid date"),  # before year 1 in UTC
        ("9999-12-31T23:59-01:00", "not a valid date"),  # after year 9999 in UTC
    ],
)
def test_refused_timestamps(text: str, problem: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        parse_timestamp(text)
    assert str(caught.value).startswith(problem)


OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@given(st.datetimes(datetime(1000, 1, 2), datetime(9999, 12, 30)), OFFSETS, st.sampled_from("T "))
def test_any_moment_in_any_offset_reads_back_as_the_same_utc_instant(
    local: datetime, zone: timezone, separator: str
) -> None:
    aware = local.replace(tzinfo=zone)
    moment = parse_timestamp(aware.isoformat(sep=separator))
    assert moment == aware and moment.tzinfo is UTC
    naive = parse_timestamp(local.isoformat(sep=separator))
    assert naive == local.replace(tzinfo=UTC)


@given(
    st.decimals(0, 10**14, places=4, allow_nan=False),
    st.datetimes(timezones=st.just(UTC)),
    st.one_of(st.none(), st.timedeltas(timedelta(0), timedelta(days=900))),
    # Storable ids only (no NUL; st.text draws no surrogates): the kind RowChecker passes on.
    st.one_of(st.none(), st.text(max_size=10).filter(lambda text: "\x00" not in text)),
    st.sampled_from([None, "won", "lost", "pending"]),
)
def test_trusted_rows_are_exactly_what_validation_builds(
    amount: Decimal,
    sent: datetime,
    gap: timedelta | None,
    ident: str | None,
    outcome: Outcome | None,
) -> None:
    decided = None
    if gap is not None:
        try:
            decided = sent + gap
        except OverflowError:
            decided = sent
    validated = EstimateRow(
        amount=amount, sent_at=sent, decided_at=decided, estimate_id=ident, outcome=outcome
    )
    for build in (trusted_row, _direct, _constructed):
        built = build(amount, sent, decided, ident, outcome)
        assert built == validated and hash(built) == hash(validated)
        assert built.__getstate__() == validated.__getstate__()
        assert built.model_dump() == validated.model_dump()
        assert EstimateRow.model_validate(built.model_dump()) == built
        # Rows share one fields set: a copy with changes must leave it (and them) alone.
        copied = built.model_copy(update={"outcome": "won"})
        assert copied.outcome == "won" and built.outcome == outcome
        assert built.model_fields_set == set(EstimateRow.model_fields)
    assert trusted_row is _direct  # the shortcut is in use with this pydantic


# Texts near the accepted shapes: digits (ASCII and others), the separators both patterns
# use, and characters neither accepts (a lone surrogate included).
_NEAR_CHARS = [*"0123456789-T:.,Z+ tx\t", "٣", "²", "\ud800", "é", "e"]
_SHAPE_MATCHERS = {
    "ISO_TIMESTAMP": (ISO_TIMESTAMP, shape_matcher(ISO_TIMESTAMP)),
    "plain amount": (_PLAIN, shape_matcher(_PLAIN)),
}


@given(
    st.sampled_from(sorted(_SHAPE_MATCHERS)),
    st.text(alphabet=st.sampled_from(_NEAR_CHARS), max_size=30),
    st.randoms(use_true_random=False),
)
@example("ISO_TIMESTAMP", "2026-01-05T10:00:00+05:30", Random(1))
@example("plain amount", "1234567890123456", Random(2))
def test_a_shape_matcher_answers_exactly_as_its_pattern(name: str, text: str, rng: Random) -> None:
    pattern, matches = _SHAPE_MATCHERS[name]
    # The text and another of the same shape (its ASCII digits replaced), through one
    # matcher whose memory is shared by every example: the first seen decides for both.
    twin = "".join(rng.choice("0123456789") if ch in "0123456789" else ch for ch in text)
    for value in (text, twin):
        assert matches(value) is (pattern.fullmatch(value) is not None)


@given(st.text(alphabet=st.sampled_from(_NEAR_CHARS), max_size=30))
def test_the_timestamp_parser_accepts_exactly_what_iso_timestamp_matches(text: str) -> None:
    try:
        parsed = parse_timestamp(text)
    except ValueProblem:
        parsed = None
    if ISO_TIMESTAMP.fullmatch(text) is None:
        assert parsed is None
    elif parsed is not None:
        moment = datetime.fromisoformat(text)
        assert parsed.tzinfo is UTC
        assert parsed == (moment if moment.tzinfo else moment.replace(tzinfo=UTC))


@pytest.mark.parametrize(
    ("ident", "problem"),
    [
        ("a\\u0000b", "contains a NUL character (\\u0000)"),  # ASCII, with a NUL
        ("\\ud800x", "contains a lone surrogate character"),
        ("é\\u0000", "contains a NUL character (\\u0000)"),
    ],
)
def test_an_estimate_id_no_backend_can_store_is_a_bad_row(ident: str, problem: str) -> None:
    import io

    from snapshot_adapters.fake import FixedClock, SequentialIds
    from snapshot_adapters.files import ingest_file
    from snapshot_adapters.memory import MemoryStore
    from snapshot_core.domain import InvalidInputError

    line = f'{{"amount": 1, "sent_at": "2026-01-05", "estimate_id": "{ident}"}}\n'
    with pytest.raises(InvalidInputError) as caught:
        ingest_file(
            io.BytesIO(line.encode()), format="jsonl", uow_factory=MemoryStore(),
            ids=SequentialIds(), clock=FixedClock(), user_id="u",
        )  # fmt: skip
    assert [(p.column, p.problem) for p in caught.value.problems] == [("estimate_id", problem)]
