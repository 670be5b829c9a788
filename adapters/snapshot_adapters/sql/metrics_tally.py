"""The metric part of the pushed-down tally: outcome counts and sums per week and per price
band (added up from the tally's cells), then the stale pipeline with the latency histogram
(one plain scan on SQLite) and the amount median (a sort of one price band).

Sums are exact: both backends add the integer scaled amounts (``encodings.scaled_amount``),
exact for amounts with at most ``AMOUNT_SCALE`` decimals, and on PostgreSQL much cheaper than
adding ``numeric`` values. A source holding a finer or a huge amount (counted in the same
scan), or whose integer sum overflows (SQLite), has its sums made in Python from the stored
exact amounts instead. The same scan keeps the latest sending time, which the stale pipeline
needs, so that costs no scan of its own. The result must equal the core's ``tally_metrics``
exactly (the contract and pushdown tests check it).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    and_,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.exc import OperationalError

from snapshot_core.domain import BandScheme, EstimateRow, week_label
from snapshot_core.domain.metrics import (
    EXACT,
    STALE_AFTER_DAYS,
    BandOutcomes,
    MetricTallies,
    tally_metrics,
)

from .encodings import AMOUNT_SCALE, OUTCOME_CODES, OUTCOME_OF_CODE, SCALED_AMOUNT_CAP
from .errors import database_errors
from .metric_medians import (
    median_amount,
    median_columns,
    median_of_histogram,
    median_of_scaled,
    median_pivots,
    pivot_columns,
)
from .schema import estimates

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

__all__ = ["OUTCOME_CELLS", "Cell", "MetricColumns", "metric_tallies", "python_sums"]

_STORED_CODES = {name: code for name, code in OUTCOME_CODES.items() if code is not None}
WON, LOST, PENDING_CODE = _STORED_CODES["won"], _STORED_CODES["lost"], _STORED_CODES["pending"]
OUTCOME_CELLS = 4  # outcome codes in a cell key: 0 (not known), then the stored codes
_SCALE = Decimal(10) ** AMOUNT_SCALE


class Cell(NamedTuple):
    """One group of the tally: a week, a price band index and an outcome code (0: not known),
    its row count, and its metric columns (``MetricColumns``; ``None``: the sums overflowed)."""

    week: str
    band: int
    code: int
    rows: int
    values: Sequence[Any] | None


class MetricColumns:
    """The metric columns of one tally cell, and how to read them back: the sum of scaled
    amounts, the count of inexact amounts (PostgreSQL; NULL on SQLite) and the latest sending
    time."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.amount: ColumnElement[Any] = estimates.c.amount_scaled

    def columns(self) -> list[ColumnElement[Any]]:
        # SQLite sorts every row to group it: the inexact count (text functions, and the
        # amount's text in every sorted record) is made in the stale pipeline's plain scan.
        inexact = func.count().filter(self.inexact()) if self.dialect == "postgresql" else null()
        return [func.sum(self.amount), inexact, func.max(estimates.c.sent_at)]

    def inexact(self) -> ColumnElement[bool]:
        """A row whose scaled amount is not its exact amount (finer, or capped)."""
        if self.dialect == "postgresql":  # numeric's scale: digits after the point, as stored
            finer = func.scale(estimates.c.amount) > AMOUNT_SCALE
        else:  # the stored key has one point, then the fraction without trailing zeros
            pattern = "*." + "?" * (AMOUNT_SCALE + 1) + "*"
            finer = type_coerce(estimates.c.amount, Text).op("GLOB")(literal(pattern, Text))
        return or_(finer, estimates.c.amount_scaled >= SCALED_AMOUNT_CAP)

    def money(self, value: Any) -> Decimal:
        return Decimal(0) if value is None else Decimal(value) / _SCALE


def python_sums(uow: SqlUnitOfWork, source_key: int, scheme: BandScheme) -> MetricTallies:
    """The rare path: the core's reference tally over the stored exact rows."""
    columns = (estimates.c.week_key, estimates.c.amount, estimates.c.outcome, estimates.c.sent_at)
    query = select(*columns).where(estimates.c.source_key == source_key)
    rows, keys = [], []
    for week_key, amount, code, sent_at in (tuple(row) for row in uow.execute(query)):
        rows.append(EstimateRow(amount=amount, sent_at=sent_at, outcome=OUTCOME_OF_CODE[code]))
        keys.append(week_key)
    week_of_row = {
        id(row): week_label(*divmod(key, 100)) for row, key in zip(rows, keys, strict=True)
    }
    return tally_metrics(
        rows,
        week_of=lambda row: week_of_row[id(row)],
        band_of=lambda row: scheme.price_labels[scheme.price_band_index(row.amount)],
    )


def _latest(uow: SqlUnitOfWork, source_key: int) -> datetime | None:
    """The latest sending time, when the tally's scan could not give it (sums overflowed)."""
    return uow.execute(
        select(func.max(estimates.c.sent_at)).where(estimates.c.source_key == source_key)
    ).scalar_one_or_none()


class StalePipeline(NamedTuple):
    """What the stale pipeline's plain scan gives (see ``_stale_and_latencies``)."""

    stale_count: int
    stale_amount: Decimal
    latencies: list[tuple[int, int]]
    inexact: bool
    below: dict[int, int]  # rows whose scaled amount is below each of the median's pivots


def _stale_and_latencies(
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


def _stale_and_median(
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


def metric_tallies(
    uow: SqlUnitOfWork,
    source_key: int | None,
    scheme: BandScheme,
    cells: Sequence[Cell],
    price_counts: list[int],
    histogram: list[tuple[int, int]] | None,
) -> tuple[MetricTallies, list[tuple[int, int]]]:
    """The metrics, and the latency histogram ((whole days, count), ascending days; made here
    when ``histogram`` is ``None``)."""
    if source_key is None:
        return MetricTallies(), []
    with localcontext(EXACT):
        return _metric_tallies(uow, source_key, scheme, cells, price_counts, histogram)


def _metric_tallies(
    uow: SqlUnitOfWork,
    source_key: int,
    scheme: BandScheme,
    cells: Sequence[Cell],
    price_counts: list[int],
    histogram: list[tuple[int, int]] | None,
) -> tuple[MetricTallies, list[tuple[int, int]]]:
    money = MetricColumns(uow.dialect).money
    overflowed = any(cell.values is None for cell in cells)
    inexact = any(cell.values[1] for cell in cells if cell.values)  # PostgreSQL counts them here
    if overflowed:
        latest = _latest(uow, source_key)
    else:
        latest = max((cell.values[2] for cell in cells if cell.values), default=None)
    two_passes = uow.dialect == "postgresql" and not inexact and histogram is not None
    median: Decimal | None = None
    if two_passes and latest is not None:
        stale_count, stale_amount, median = _stale_and_median(
            uow, source_key, scheme, latest, price_counts
        )
        latencies = sorted(histogram or [])
    else:
        scaled_by_band = None if overflowed else _scaled_by_band(cells, len(price_counts))
        pivots = median_pivots(scheme, price_counts, scaled_by_band)
        stale_count, stale_amount, latencies, inexact_rows, below = _stale_and_latencies(
            uow, source_key, latest, histogram, pivots
        )
        inexact = inexact or inexact_rows
    exact = not overflowed and not inexact
    # Integer scaled sums (exact), made Decimal once each at the end.
    week_sums: dict[str, list[int]] = {}  # week -> [scaled sum, won, lost]
    band_sums = [[0, 0, 0] for _ in price_counts]
    counts, sums = [0] * OUTCOME_CELLS, [0] * OUTCOME_CELLS  # by outcome code
    for cell in cells if exact else ():
        scaled = cell.values[0] if cell.values else 0
        counts[cell.code] += cell.rows
        sums[cell.code] += scaled
        won, lost = cell.rows * (cell.code == WON), cell.rows * (cell.code == LOST)
        for into in (week_sums.setdefault(cell.week, [0, 0, 0]), band_sums[cell.band]):
            into[0] += scaled
            into[1] += won
            into[2] += lost
    if exact:
        weeks = {week: _outcomes(money, *values) for week, values in week_sums.items()}
        bands = {
            label: _outcomes(money, *values)
            for label, count, values in zip(
                scheme.price_labels, price_counts, band_sums, strict=True
            )
            if count
        }
        named = {
            "won": (counts[WON], money(sums[WON])),
            "lost": (counts[LOST], money(sums[LOST])),
            "pending": (counts[PENDING_CODE], money(sums[PENDING_CODE])),
        }
        total_amount = money(sum(sums))
    else:
        exact_tally = python_sums(uow, source_key, scheme)
        weeks, bands = dict(exact_tally.weeks), dict(exact_tally.price_bands)
        named = {
            "won": (exact_tally.won, exact_tally.won_amount),
            "lost": (exact_tally.lost, exact_tally.lost_amount),
            "pending": (exact_tally.pending, exact_tally.open_amount),
        }
        total_amount = exact_tally.total_amount
    if not two_passes:
        median = median_amount(
            uow,
            source_key,
            scheme,
            price_counts,
            exact=exact,
            band_sums=scaled_by_band,
            below=below,
        )
    metrics = MetricTallies(
        won=named["won"][0],
        lost=named["lost"][0],
        pending=named["pending"][0],
        won_amount=named["won"][1],
        lost_amount=named["lost"][1],
        open_amount=named["pending"][1],
        total_amount=total_amount,
        median_amount=median,
        median_latency_days=median_of_histogram(latencies),
        stale_pending=stale_count,
        stale_amount=stale_amount,
        weeks=weeks,
        price_bands=bands,
    )
    return metrics, latencies


def _scaled_by_band(cells: Sequence[Cell], bands: int) -> list[int]:
    """Each price band's sum of scaled amounts (cells whose sums did not overflow)."""
    sums = [0] * bands
    for cell in cells:
        sums[cell.band] += int(cell.values[0]) if cell.values and cell.values[0] else 0
    return sums


def _outcomes(money: Any, scaled: int, won: int, lost: int) -> BandOutcomes:
    return BandOutcomes(amount_total=money(scaled), won=won, lost=lost)
