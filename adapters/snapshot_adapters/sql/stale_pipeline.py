"""The stale pipeline of the pushed-down tally (pending estimates sent over STALE_AFTER_DAYS
before the latest one), and what its one plain scan of the source's rows gathers besides:
whether any amount is inexact, the latency histogram (SQLite) and the row counts below the
amount median's pivots; on PostgreSQL, when every amount is exact, the median instead."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, func, null, select
from sqlalchemy.exc import OperationalError

from snapshot_core.domain import BandScheme

from .errors import database_errors
from .metric_columns import PENDING_CODE, MetricColumns
from .metric_medians import median_columns, median_of_scaled, pivot_columns
from .schema import estimates
from .tally_figures import read_scan, stale_before

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

__all__ = [
    "StalePipeline",
    "latency_histogram",
    "latest_sent",
    "scan_query",
    "stale_and_latencies",
    "stale_and_median",
]


def latest_sent(uow: SqlUnitOfWork, source_key: int) -> datetime | None:
    """The latest sending time, when the tally's scan could not give it (sums overflowed)."""
    return uow.execute(
        select(func.max(estimates.c.sent_at)).where(estimates.c.source_key == source_key)
    ).scalar_one_or_none()


def latency_histogram(uow: SqlUnitOfWork, source_key: int) -> list[tuple[int, int]]:
    """(whole days to a decision, decided rows), by a grouped scan: for a source too large to
    gather its days in the plain scan (``GATHER_MAX_ROWS``)."""
    days = estimates.c.latency_days
    where = (estimates.c.source_key == source_key, days.is_not(None))
    query = select(days, func.count()).where(*where).group_by(days)
    rows: list[Any] = list(uow.execute(query))
    return [(int(day), int(count)) for day, count in rows]


class StalePipeline(NamedTuple):
    """What the stale pipeline's plain scan gives (see ``stale_and_latencies``)."""

    stale_count: int
    stale_amount: Decimal
    latencies: list[tuple[int, int]]
    inexact: bool
    below: dict[int, int]  # rows whose scaled amount is below each of the median's pivots


def stale_and_latencies(
    uow: SqlUnitOfWork,
    source_key: int,
    latest: datetime | None,
    histogram: list[tuple[int, int]] | None,
    pivots: list[int],
) -> StalePipeline:
    """Pending estimates sent over STALE_AFTER_DAYS before the latest one (count and sum), the
    histogram of whole days to a decision: given (PostgreSQL makes it in the tally's scan),
    or made here; whether any amount is inexact; and the rows below each of the amount
    median's ``pivots``. One plain scan (``scan_query``)."""
    if latest is None:
        return StalePipeline(0, Decimal(0), [], False, {})
    before = stale_before(latest)
    query = scan_query(source_key, before, pivots, uow.dialect, gather_days=histogram is None)
    scan = read_scan(_scanned(uow, query, source_key, before, pivots, histogram), pivots, histogram)
    if scan.inexact_stale:
        where = estimates.c.source_key == source_key
        stale_rows = select(estimates.c.amount).where(where, _stale(before))
        amounts = [amount for (amount,) in uow.execute(stale_rows)]
        total = sum(amounts, Decimal(0))
        return StalePipeline(len(amounts), total, scan.latencies, scan.inexact, scan.below)
    stale_amount = MetricColumns(uow.dialect).money(scan.stale_scaled)
    return StalePipeline(scan.stale_count, stale_amount, scan.latencies, scan.inexact, scan.below)


def scan_query(
    source_key: int,
    before: datetime,
    pivots: list[int],
    dialect: str = "sqlite",
    *,
    gather_days: bool = True,
    sums: bool = True,
) -> Select[Any]:
    """The plain scan: the days to a decision (``gather_days``; SQLite groups only through a
    sorter, so instead of grouping the decided rows by days, a sort of most rows, the scan
    gathers their days with ``json_group_array`` and Python counts them), the rows below
    each pivot, the stale count, the inexact count and (``sums``) the stale sum and inexact
    stale count."""
    days, columns, stale = estimates.c.latency_days, MetricColumns(dialect), _stale(before)
    gathered = func.json_group_array(days).filter(days.is_not(None))
    query = select(gathered if gather_days else null(), *pivot_columns(pivots))
    query = query.where(estimates.c.source_key == source_key)
    query = query.add_columns(func.count().filter(stale), func.count().filter(columns.inexact()))
    if sums:
        stale_sum = func.sum(columns.amount).filter(stale)
        query = query.add_columns(stale_sum, func.count().filter(stale & columns.inexact()))
    return query


def _stale(before: datetime) -> ColumnElement[bool]:
    return and_(estimates.c.outcome == PENDING_CODE, estimates.c.sent_at < before)


def stale_and_median(
    uow: SqlUnitOfWork,
    source_key: int,
    scheme: BandScheme,
    latest: datetime,
    price_counts: list[int],
) -> tuple[int, Decimal, Decimal | None]:
    """PostgreSQL, every scaled amount exact: the stale count and sum and the amount median in
    one scan (the tally's scan made the latency histogram)."""
    stale, amount = _stale(stale_before(latest)), estimates.c.amount_scaled
    medians = median_columns(scheme, price_counts)
    query = select(func.count().filter(stale), func.sum(amount).filter(stale), *medians)
    row = tuple(uow.execute(query.where(estimates.c.source_key == source_key)).one())
    median = median_of_scaled(list(row[2:]), sum(price_counts))
    return row[0], MetricColumns(uow.dialect).money(row[1]), median


def _scanned(
    uow: SqlUnitOfWork,
    query: Select[Any],
    source_key: int,
    before: datetime,
    pivots: list[int],
    histogram: list[tuple[int, int]] | None,
) -> tuple[Any, ...]:
    """The scan's row; if SQLite's integer sum overflowed, the row without the sums, then
    the sum ``None`` and one inexact stale row (summed in Python)."""
    try:
        return tuple(uow.connection.execute(query).one())
    except OperationalError as error:
        if "integer overflow" not in str(error.orig):
            with database_errors(uow.store.url):
                raise
    counted = scan_query(
        source_key, before, pivots, uow.dialect, gather_days=histogram is None, sums=False
    )
    return (*uow.execute(counted).one(), None, 1)
