"""The pushed-down tally's figures, without SQLAlchemy: what a cell row holds, and the sums,
counts and documents made from the rows its statements return. Both ways of running those
statements share it: SQLAlchemy's (``tally``, ``metrics_tally``) and the direct store's
(``direct/tally``), so they add up the same rows the same way."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from snapshot_core.domain import BandScheme, BucketTallies
from snapshot_core.domain import week_label as core_week_label
from snapshot_core.domain.metrics import STALE_AFTER_DAYS, BandOutcomes, MetricTallies

from .encodings import AMOUNT_SCALE, OUTCOME_CODES

__all__ = [
    "GATHER_MAX_ROWS",
    "LOST",
    "OUTCOME_CELLS",
    "PENDING_CODE",
    "WON",
    "Cell",
    "Cells",
    "Scan",
    "Sums",
    "bucket_tallies",
    "exact_sums",
    "gathers_days",
    "latest_of",
    "metric_tallies_of",
    "money",
    "read_cells",
    "read_scan",
    "scaled_by_band",
    "stale_before",
    "week_label",
]

_STORED_CODES = {name: code for name, code in OUTCOME_CODES.items() if code is not None}
WON, LOST, PENDING_CODE = _STORED_CODES["won"], _STORED_CODES["lost"], _STORED_CODES["pending"]
OUTCOME_CELLS = 4  # outcome codes in a cell key: 0 (not known), then the stored codes
# SQLite gathers a source's days to a decision in its plain scan (a few bytes a decided row in
# SQLite, then a pointer each in Python: about 15 MB at this size) up to this many rows; a
# larger source counts them in a grouped scan instead, whose memory is a row a distinct day.
GATHER_MAX_ROWS = 1_000_000


def gathers_days(rows: int) -> bool:
    """Whether the plain scan gathers the days to a decision of a source of ``rows`` rows."""
    return rows <= GATHER_MAX_ROWS


_SCALE = Decimal(10) ** AMOUNT_SCALE


def money(value: Any) -> Decimal:
    """A sum of scaled amounts as money (``None``, a sum of no rows: 0)."""
    return Decimal(0) if value is None else Decimal(value) / _SCALE


def week_label(week_key: int) -> str:
    """The core's label for a stored key (ISO year × 100 + ISO week)."""
    return core_week_label(*divmod(week_key, 100))


def stale_before(latest: datetime) -> datetime:
    """Pending estimates sent before this moment are stale."""
    return latest - timedelta(days=STALE_AFTER_DAYS)


class Cell(NamedTuple):
    """One group of the tally: a week, a price band index and an outcome code (0: not known),
    its row count, and its metric columns (``MetricColumns``; ``None``: the sums overflowed)."""

    week: str
    band: int
    code: int
    rows: int
    values: Sequence[Any] | None


class Cells(NamedTuple):
    """The tally's rows read: rows per week label and per price band, the cells, and the
    latency histogram rows PostgreSQL adds (``None`` when not asked for)."""

    weeks: Counter[str]
    price_counts: list[int]
    cells: list[Cell]
    histogram: list[tuple[int, int]] | None


def read_cells(
    rows: Iterable[Sequence[Any]], n_bands: int, histogram: list[tuple[int, int]] | None
) -> Cells:
    """``tally_query``'s rows: (cell key, days, count, metric columns...); a row with a NULL
    cell key is one of the latency histogram (PostgreSQL), kept in ``histogram``."""
    weeks: Counter[str] = Counter()
    labels: dict[int, str] = {}
    price_counts = [0] * n_bands
    cells: list[Cell] = []
    for row in rows:
        if row[0] is None:
            if row[1] is not None and histogram is not None:
                histogram.append((row[1], row[2]))
            continue
        week_band, code = divmod(row[0], OUTCOME_CELLS)
        week_key, band = divmod(week_band, n_bands)
        label = labels.get(week_key) or labels.setdefault(week_key, week_label(week_key))
        weeks[label] += row[2]
        price_counts[band] += row[2]
        cells.append(Cell(label, band, code, row[2], row[3:] if len(row) > 3 else None))
    return Cells(weeks, price_counts, cells, histogram)


def latest_of(cells: Sequence[Cell]) -> datetime | None:
    """The latest sending time, from cells whose metric columns are there."""
    return max((cell.values[2] for cell in cells if cell.values), default=None)


def scaled_by_band(cells: Sequence[Cell], bands: int) -> list[int]:
    """Each price band's sum of scaled amounts (cells whose sums did not overflow)."""
    sums = [0] * bands
    for cell in cells:
        sums[cell.band] += int(cell.values[0]) if cell.values and cell.values[0] else 0
    return sums


class Scan(NamedTuple):
    """The stale pipeline's plain scan, read: rows below each pivot, the stale count, whether
    any amount is inexact, the stale scaled sum (``None``: overflowed), whether any stale
    amount is inexact, and the latency histogram ((days, count), ascending days)."""

    below: dict[int, int]
    stale_count: int
    inexact: bool
    stale_scaled: Any
    inexact_stale: bool
    latencies: list[tuple[int, int]]


def read_scan(
    row: Sequence[Any], pivots: list[int], histogram: list[tuple[int, int]] | None
) -> Scan:
    """The scan's row: (decided days as a JSON array, or NULL when ``histogram`` is given),
    a count below each pivot, the stale count, the inexact count, the stale sum and the
    inexact stale count."""
    decided_days, *counts = row
    below = dict(zip(pivots, counts[: len(pivots)], strict=True))
    stale_count, inexact_count, stale_scaled, inexact_stale = counts[len(pivots) :]
    if histogram is None:
        histogram = list(Counter(json.loads(decided_days)).items())
    latencies = sorted(histogram)
    return Scan(
        below, stale_count, bool(inexact_count), stale_scaled, bool(inexact_stale), latencies
    )


class Sums(NamedTuple):
    """The outcome counts and sums of a tally, overall, per week and per price band."""

    won: int
    lost: int
    pending: int
    won_amount: Decimal
    lost_amount: Decimal
    open_amount: Decimal
    total_amount: Decimal
    weeks: dict[str, BandOutcomes]
    price_bands: dict[str, BandOutcomes]

    @classmethod
    def of(cls, tallied: MetricTallies) -> Sums:
        """The core's own figures (the rare path over the exact rows)."""
        return cls(
            tallied.won,
            tallied.lost,
            tallied.pending,
            tallied.won_amount,
            tallied.lost_amount,
            tallied.open_amount,
            tallied.total_amount,
            dict(tallied.weeks),
            dict(tallied.price_bands),
        )


def exact_sums(scheme: BandScheme, cells: Sequence[Cell], price_counts: list[int]) -> Sums:
    """The sums from the cells' integer scaled sums (exact), made Decimal once each at the end
    (in the caller's exact decimal context)."""
    week_sums: dict[str, list[int]] = {}  # week -> [scaled sum, won, lost]
    band_sums = [[0, 0, 0] for _ in price_counts]
    counts, sums = [0] * OUTCOME_CELLS, [0] * OUTCOME_CELLS  # by outcome code
    for cell in cells:
        scaled = cell.values[0] if cell.values else 0
        counts[cell.code] += cell.rows
        sums[cell.code] += scaled
        won, lost = cell.rows * (cell.code == WON), cell.rows * (cell.code == LOST)
        for into in (week_sums.setdefault(cell.week, [0, 0, 0]), band_sums[cell.band]):
            into[0] += scaled
            into[1] += won
            into[2] += lost
    return Sums(
        won=counts[WON],
        lost=counts[LOST],
        pending=counts[PENDING_CODE],
        won_amount=money(sums[WON]),
        lost_amount=money(sums[LOST]),
        open_amount=money(sums[PENDING_CODE]),
        total_amount=money(sum(sums)),
        weeks={week: _outcomes(*values) for week, values in week_sums.items()},
        price_bands={
            label: _outcomes(*values)
            for label, count, values in zip(
                scheme.price_labels, price_counts, band_sums, strict=True
            )
            if count
        },
    )


def _outcomes(scaled: int, won: int, lost: int) -> BandOutcomes:
    return BandOutcomes(amount_total=money(scaled), won=won, lost=lost)


def metric_tallies_of(
    sums: Sums,
    median: Decimal | None,
    median_latency: Decimal | None,
    stale_count: int,
    stale_amount: Decimal,
) -> MetricTallies:
    return MetricTallies(
        won=sums.won,
        lost=sums.lost,
        pending=sums.pending,
        won_amount=sums.won_amount,
        lost_amount=sums.lost_amount,
        open_amount=sums.open_amount,
        total_amount=sums.total_amount,
        median_amount=median,
        median_latency_days=median_latency,
        stale_pending=stale_count,
        stale_amount=stale_amount,
        weeks=sums.weeks,
        price_bands=sums.price_bands,
    )


def bucket_tallies(
    scheme: BandScheme,
    read: Cells,
    metrics: MetricTallies,
    latencies: list[tuple[int, int]],
) -> BucketTallies:
    """The tally's document from its cells read, its metrics and latency histogram."""
    total = sum(read.price_counts)
    latency_counts = [0] * (len(scheme.latency_edges_days) + 2)
    for days, count in latencies:
        latency_counts[scheme.latency_band_index(days)] += count
    latency_counts[-1] = total - sum(latency_counts)  # pending: no decision
    return BucketTallies(
        estimate_count=total,
        weeks=read.weeks,
        price_bands=_nonzero(scheme.price_labels, read.price_counts),
        latency_bands=_nonzero(scheme.latency_labels, latency_counts),
        metrics=metrics,
    )


def _nonzero(labels: tuple[str, ...], counts: list[int]) -> dict[str, int]:
    return {label: count for label, count in zip(labels, counts, strict=True) if count}
