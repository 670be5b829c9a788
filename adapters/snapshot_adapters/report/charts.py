"""The report's figures: each chart (inline SVG) with its data table under it.

A table row a fact can be cited by has that fact's anchor as its id, and is marked ``cited``
when the narrative rests on it. Counts, amounts and rates come from the snapshot's typed
values; hidden cells are written as ``<k`` (see ``figures.Figures``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date

from snapshot_core.domain import BandCount, SnapshotResult, WeekCount

from .facts import Targets
from .figures import Figures, day_label
from .svg import Column, Point, Series, column_chart, escape_text, time_series

__all__ = [
    "Row",
    "has_outcomes",
    "latency_figure",
    "money_figure",
    "price_figure",
    "table",
    "weekly_figure",
    "win_rate_figure",
]

# (fact id or None, cells): the first cell heads the row.
Row = tuple[str | None, Sequence[str]]


def has_outcomes(snapshot: SnapshotResult) -> bool:
    """The source had an outcome column: won, lost and open are known (or hidden)."""
    o = snapshot.outcomes
    return any(v is not None for v in (o.won, o.lost, o.pending, o.win_rate_pct)) or any(
        w.won is not None or w.lost is not None for w in snapshot.demand.weekly_volume
    )


def table(
    caption: str,
    headers: Sequence[str],
    rows: Iterable[Row],
    targets: Targets,
    *,
    fact_id: str | None = None,
) -> str:
    """A data table; a row with a fact id carries its anchor (and ``cited`` when cited), as
    does the table itself when it is one fact's (``outcomes``, ``money``)."""
    head = "".join(f'<th scope="col">{escape_text(h)}</th>' for h in headers)
    body = []
    for row_fact, cells in rows:
        first, *rest = (escape_text(cell) for cell in cells)
        body.append(
            f'<tr{targets.attrs(row_fact)}><th scope="row">{first}</th>'
            + "".join(f"<td>{cell}</td>" for cell in rest)
            + "</tr>"
        )
    return (
        f"<table{targets.attrs(fact_id, 'data')}><caption>{escape_text(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _figure(figure_id: str, heading: str, note: str, chart: str, data: str) -> str:
    lead = f'<p class="note">{escape_text(note)}</p>' if note else ""
    return (
        f'<figure class="card" id="{figure_id}"><figcaption><h2>{escape_text(heading)}</h2>'
        f"{lead}</figcaption>{chart}{data}</figure>"
    )


def _monday(week: WeekCount) -> date:
    if week.week_start is not None:
        return week.week_start
    year, number = week.week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def _share(count: int | None, total: int) -> str:
    # As the model was given it (AgentInput): a whole percent of all estimates.
    return "–" if count is None or total == 0 else f"{round(100 * count / total)}%"


def weekly_figure(snapshot: SnapshotResult, fig: Figures, targets: Targets) -> str:
    weeks, outcomes = snapshot.demand.weekly_volume, has_outcomes(snapshot)
    lines: list[tuple[str, str, Callable[[WeekCount], int | None]]] = [
        ("Estimates", "total", lambda w: w.count)
    ]
    if outcomes:
        lines += [("Won", "won", lambda w: w.won), ("Lost", "lost", lambda w: w.lost)]
    series = [
        Series(
            name,
            css,
            tuple(
                Point(
                    _monday(w),
                    value(w),
                    f"{w.week} (from {_monday(w).isoformat()}): {fig.count(value(w))} "
                    + name.lower(),
                )
                for w in weeks
            ),
        )
        for name, css, value in lines
    ]
    first, last = (_monday(weeks[0]), _monday(weeks[-1])) if weeks else (None, None)
    span = f", weeks starting {first.isoformat()} to {last.isoformat()}" if first and last else ""
    chart = time_series(
        "chart-weekly",
        "Estimates sent per week",
        f"Line chart of {len(weeks)} weeks{span}"
        + ("; with the estimates won and lost by the week they were sent" if outcomes else "")
        + ". The table below has every value.",
        series,
        date_label=day_label,
    )
    headers = ["Week", "Starts", "Estimates", *(["Won", "Lost"] if outcomes else []), "Quoted"]
    rows: list[Row] = [
        (
            w.week,
            [
                w.week,
                _monday(w).isoformat(),
                fig.count(w.count),
                *([fig.count(w.won), fig.count(w.lost)] if outcomes else []),
                fig.money(w.amount_total),
            ],
        )
        for w in weeks
    ]
    note = "By the Monday each ISO week starts on; a source's first and last weeks may be partial."
    data = table("Estimates per week", headers, rows, targets)
    return _figure("weekly", "Weekly volume", note, chart, data)


def _count_columns(bands: Sequence[BandCount], fig: Figures, what: str) -> list[Column]:
    return [
        Column(b.band, b.count, fig.count(b.count), f"{b.band}: {fig.count(b.count)} {what}")
        for b in bands
    ]


def price_figure(snapshot: SnapshotResult, fig: Figures, targets: Targets) -> str:
    bands, n = snapshot.demand.price_distribution, snapshot.meta.estimate_count
    chart = column_chart(
        "chart-price",
        "Estimates per price band",
        f"Column chart of {len(bands)} price bands. The table below has every value.",
        _count_columns(bands, fig, "estimates"),
    )
    outcomes = has_outcomes(snapshot)
    headers = ["Band", "Estimates", "Share", "Quoted", *(["Win rate"] if outcomes else [])]
    rows: list[Row] = [
        (
            b.band,
            [
                b.band,
                fig.count(b.count),
                _share(b.count, n),
                fig.money(b.amount_total),
                *([fig.pct(b.win_rate_pct)] if outcomes else []),
            ],
        )
        for b in bands
    ]
    note = f"Amounts in {fig.currency}; share of all {n:,} estimates."
    data = table("Estimates per price band", headers, rows, targets)
    return _figure("price", "Price distribution", note, chart, data)


def win_rate_figure(snapshot: SnapshotResult, fig: Figures) -> str:
    bands = snapshot.demand.price_distribution
    columns = [
        Column(
            b.band,
            b.win_rate_pct,
            fig.pct(b.win_rate_pct),
            f"{b.band}: won {fig.count(b.won)}, lost {fig.count(b.lost)}",
            "bar rate",
        )
        for b in bands
    ]
    chart = column_chart(
        "chart-win-rate",
        "Win rate by price band",
        f"Column chart of the win rate (won of decided) in {len(bands)} price bands, 0 to 100%.",
        columns,
        top=100,
        tick_label=lambda tick: f"{tick}%",
    )
    rows: list[Row] = [
        (None, [b.band, fig.count(b.won), fig.count(b.lost), fig.pct(b.win_rate_pct)])
        for b in bands
    ]
    data = table(
        "Win rate per price band", ["Band", "Won", "Lost", "Win rate"], rows, Targets(set())
    )
    note = "Won of the estimates decided in each band; – where none were decided or it is hidden."
    return _figure("win-rate", "Win rate by price band", note, chart, data)


def latency_figure(snapshot: SnapshotResult, fig: Figures, targets: Targets) -> str:
    latency, n = snapshot.decision_latency, snapshot.meta.estimate_count
    bands = latency.distribution
    chart = column_chart(
        "chart-latency",
        "Days from sending to a decision",
        f"Column chart of {len(bands)} latency bands. The table below has every value.",
        _count_columns(bands, fig, "estimates"),
    )
    rows: list[Row] = [(b.band, [b.band, fig.count(b.count), _share(b.count, n)]) for b in bands]
    note = f"Median {fig.days(latency.median_days)} to a decision." if latency.median_days else ""
    data = table("Estimates per latency band", ["Band", "Estimates", "Share"], rows, targets)
    return _figure("latency", "Decision latency", note, chart, data)


def money_figure(snapshot: SnapshotResult, fig: Figures, targets: Targets) -> str:
    o = snapshot.outcomes
    parts = [("Won", o.won, o.won_amount, "won"), ("Lost", o.lost, o.lost_amount, "lost")]
    parts.append(("Open", o.pending, o.open_amount, "open"))
    columns = [
        Column(name, amount, fig.money(amount), f"{name}: {fig.money(amount)}", f"bar {css}")
        for name, _, amount, css in parts
    ]
    chart = column_chart(
        "chart-money",
        "Money won, lost and still open",
        f"Column chart of the money in won, lost and open estimates, in {fig.currency}.",
        columns,
        tick_label=fig.money_short,
    )
    rows: list[Row] = [
        (None, [name, fig.count(count), fig.money(amount)]) for name, count, amount, _ in parts
    ]
    rows += [
        (None, ["Win rate", fig.pct(o.win_rate_pct), "won of decided"]),
        (None, ["Close rate", fig.pct(o.close_rate_pct), "decided of sent"]),
        (None, ["Money win rate", fig.pct(o.dollar_win_rate_pct), "won of money decided"]),
        (None, ["Open over 30 days", fig.count(o.stale_pending), fig.money(o.stale_amount)]),
    ]
    data = table("Outcomes", ["Outcome", "Estimates", "Amount"], rows, targets, fact_id="outcomes")
    return _figure("money", "Won, lost and open", f"Amounts in {fig.currency}.", chart, data)
