"""The stale pipeline of the pushed-down tally (pending estimates sent over STALE_AFTER_DAYS
before the latest one), and what its one plain scan of the source's rows gathers besides:
whether any amount is inexact, the latency histogram (SQLite) and the row counts below the
amount median's pivots; on PostgreSQL, when every amount is exact, the median instead."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, func, null, select
from sqlalchemy.exc import OperationalError

from snapshot_core.domain import BandScheme
from snapshot_core.domain.metrics import STALE_AFTER_DAYS

from .errors import database_errors
from .metric_columns import PENDING_CODE, MetricColumns
from .metric_medians import median_columns, median_of_scaled, pivot_columns
from .schema import estimates

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

__all__ = ["StalePipeline", "latest_sent", "stale_and_latencies", "stale_and_median"]


def latest_sent(uow: SqlUnitOfWork, source_key: int) -> datetime | None:
    """The latest sending time, when the tally's scan could not give it (sums overflowed)."""
    return uow.execute(
        select(func.max(estimates.c.sent_at)).where(estimates.c.source_key == source_key)
    ).scalar_one_or_none()


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
    median's ``pivots``. One plain scan: SQLite groups only through a sorter, so instead of
    grouping the decided rows by days (a sort of most rows), the scan gathers their days
    (``json_group_array``) and Python counts them."""
    if latest is None:
        return StalePipeline(0, Decimal(0), [], False, {})
    days, columns = estimates.c.latency_days, MetricColumns(uow.dialect)
    stale, where = _stale(latest), estimates.c.source_key == source_key
    gathered = func.json_group_array(days).filter(days.is_not(None))
    query = select(null() if histogram is not None else gathered, *pivot_columns(pivots))
    decided_days, *counts = _scanned(uow, columns, query.where(where), stale)
    below = dict(zip(pivots, counts[: len(pivots)], strict=True))
    stale_count, inexact_count, stale_scaled, inexact_stale = counts[len(pivots) :]
    if histogram is None:
        histogram = list(Counter(json.loads(decided_days)).items())
    latencies, inexact = sorted(histogram), bool(inexact_count)
    if inexact_stale:
        stale_rows = select(estimates.c.amount).where(where, stale)
        amounts = [amount for (amount,) in uow.execute(stale_rows)]
        return StalePipeline(len(amounts), sum(amounts, Decimal(0)), latencies, inexact, below)
    stale_amount = columns.money(stale_scaled)
    return StalePipeline(stale_count, stale_amount, latencies, inexact, below)


def _stale(latest: datetime) -> ColumnElement[bool]:
    return and_(
        estimates.c.outcome == PENDING_CODE,
        estimates.c.sent_at < latest - timedelta(days=STALE_AFTER_DAYS),
    )


def stale_and_median(
    uow: SqlUnitOfWork,
    source_key: int,
    scheme: BandScheme,
    latest: datetime,
    price_counts: list[int],
) -> tuple[int, Decimal, Decimal | None]:
    """PostgreSQL, every scaled amount exact: the stale count and sum and the amount median in
    one scan (the tally's scan made the latency histogram)."""
    stale, amount = _stale(latest), estimates.c.amount_scaled
    medians = median_columns(scheme, price_counts)
    query = select(func.count().filter(stale), func.sum(amount).filter(stale), *medians)
    row = tuple(uow.execute(query.where(estimates.c.source_key == source_key)).one())
    median = median_of_scaled(list(row[2:]), sum(price_counts))
    return row[0], MetricColumns(uow.dialect).money(row[1]), median


def _scanned(
    uow: SqlUnitOfWork, columns: MetricColumns, query: Select[Any], stale: ColumnElement[bool]
) -> tuple[Any, ...]:
    """The plain aggregate query's row with the stale count, the inexact count, the stale sum
    and inexact stale count appended (the sum ``None`` and one inexact stale row if SQLite's
    integer sum overflowed: summed in Python)."""
    counted = query.add_columns(func.count().filter(stale), func.count().filter(columns.inexact()))
    sums = [func.sum(columns.amount).filter(stale), func.count().filter(stale & columns.inexact())]
    try:
        return tuple(uow.connection.execute(counted.add_columns(*sums)).one())
    except OperationalError as error:
        if "integer overflow" not in str(error.orig):
            with database_errors(uow.store.url):
                raise
    return (*uow.execute(counted).one(), None, 1)
