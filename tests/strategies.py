"""Hypothesis strategies for estimates that hit the awkward places: band edges, ISO-year
boundaries, offsets, decisions at exact day multiples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import strategies as st

from snapshot_core.domain import EstimateRow

EDGE_AMOUNTS = [
    Decimal(x)
    for x in (
        "0",
        "0.01",
        "499.99",
        "500",
        "999.99",
        "1000",
        "2499.99",
        "2500",
        "4999.99",
        "5000",
        "9999.99",
        "10000",
        "250000",
    )
]
# Late December / early January of years whose ISO year differs from the calendar year.
BOUNDARY_DAYS = [
    datetime(y, 12, d, tzinfo=UTC) for y in (2020, 2024, 2025, 2026) for d in (28, 29, 31)
]
BOUNDARY_DAYS += [
    datetime(y, 1, d, tzinfo=UTC) for y in (2021, 2025, 2026, 2027) for d in (1, 3, 4)
]

offsets = st.sampled_from(
    [
        UTC,
        timezone(timedelta(hours=-8)),
        timezone(timedelta(hours=5, minutes=30)),
        timezone(timedelta(hours=14)),
        timezone(timedelta(hours=-12)),
    ]
)

amounts = st.one_of(
    st.sampled_from(EDGE_AMOUNTS),
    st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False),
)


@st.composite
def sent_times(draw: st.DrawFn) -> datetime:
    base = draw(
        st.one_of(
            st.sampled_from(BOUNDARY_DAYS),
            st.datetimes(
                min_value=datetime(2019, 6, 1),
                max_value=datetime(2027, 6, 1),
                timezones=st.just(UTC),
            ),
        )
    )
    moment = base + timedelta(seconds=draw(st.integers(0, 86_399)))
    return moment.astimezone(draw(offsets))


@st.composite
def estimate_rows(draw: st.DrawFn) -> EstimateRow:
    sent = draw(sent_times())
    decided = draw(
        st.one_of(
            st.none(),
            st.sampled_from([0, 2, 3, 7, 8, 14, 15, 30, 31, 90]).map(
                lambda d: sent + timedelta(days=d)
            ),
            st.integers(0, 60 * 86_400).map(lambda s: sent + timedelta(seconds=s)),
        )
    )
    return EstimateRow(amount=draw(amounts), sent_at=sent, decided_at=decided)


def estimate_sets(min_size: int = 25, max_size: int = 120) -> st.SearchStrategy[list[EstimateRow]]:
    # Within one source the weeks span at most a couple of years, like real exports.
    return st.lists(estimate_rows(), min_size=min_size, max_size=max_size)
