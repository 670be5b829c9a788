"""Human-readable rendering of snapshots, sources and run statistics (Rich)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from snapshot_core.domain import (
    BandCount,
    PriceBandCount,
    RunStats,
    SnapshotResult,
    SnapshotRun,
    Source,
    WeekCount,
)

from .source_table import print_source_rows, source_row
from .tables import Column, print_fitted

__all__ = ["print_run_facts", "print_runs", "print_snapshot", "print_sources", "print_stats"]


def _count(count: int | None, k: int) -> str:
    return f"<{k}" if count is None else str(count)


def _bar(count: int | None, top: int, width: int = 24) -> str:
    if not count or not top:
        return ""
    return "█" * max(1, round(width * count / top))


def _distribution(title: str, label: str, cells: Sequence[BandCount | WeekCount], k: int) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column(label)
    table.add_column("count", justify="right")
    priced = any(isinstance(cell, PriceBandCount) for cell in cells)
    if priced:  # a price band's money and win rate
        table.add_column("amount", justify="right")
        table.add_column("win rate", justify="right")
    table.add_column("", no_wrap=True, style="cyan")
    top = max((cell.count or 0 for cell in cells), default=0)
    for cell in cells:
        name = cell.week if isinstance(cell, WeekCount) else cell.band
        extra = []
        if priced and isinstance(cell, PriceBandCount):
            amount = "–" if cell.amount_total is None else f"{cell.amount_total:,.2f}"
            extra = [amount, _pct(cell.win_rate_pct)]
        table.add_row(name, _count(cell.count, k), *extra, _bar(cell.count, top))
    return table


def _amount(value: Decimal | None, currency: str) -> str:
    return "–" if value is None else f"{value:,.2f} {currency}"


def _pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{value}%"


def _metrics(snapshot: SnapshotResult, currency: str) -> Table:
    """Win rate, pipeline and job sizes ("–": unknown, or hidden as too small)."""
    o, m, k = snapshot.outcomes, snapshot.money, snapshot.meta.min_cell_count
    table = Table(title="Outcomes and money", title_justify="left", show_header=False)
    table.show_edge = table.pad_edge = False
    table.add_column(style="bold")
    table.add_column(justify="right")
    shown = (o.won, o.lost, o.pending)
    counts = "–" if o.won is None else " / ".join(_count(c, k) for c in shown)
    stale = "–" if o.pending is None else _count(o.stale_pending, k)
    median_days = snapshot.decision_latency.median_days
    rows = [
        ("won / lost / open", counts),
        ("win rate (of decided)", _pct(o.win_rate_pct)),
        ("close rate (decided of sent)", _pct(o.close_rate_pct)),
        ("won", _amount(o.won_amount, currency)),
        ("lost", _amount(o.lost_amount, currency)),
        ("open pipeline", _amount(o.open_amount, currency)),
        ("win rate by money", _pct(o.dollar_win_rate_pct)),
        ("open over 30 days", f"{stale} · {_amount(o.stale_amount, currency)}"),
        ("total quoted", _amount(m.total_amount, currency)),
        ("average job", _amount(m.average_amount, currency)),
        ("median job", _amount(m.median_amount, currency)),
        ("median days to decide", "–" if median_days is None else str(median_days)),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def print_snapshot(console: Console, snapshot: SnapshotResult, currency: str = "USD") -> None:
    meta, k = snapshot.meta, snapshot.meta.min_cell_count
    console.print(
        Text.assemble(
            ("Snapshot", "bold"),
            f" {meta.snapshot_id}  source {meta.source_id}\n{meta.estimate_count} estimates · "
            "confidence ",
            (meta.confidence_level, "bold"),
            f" · model {meta.model} · generated {meta.generated_at:%Y-%m-%d %H:%M} UTC",
            " · narrative by the template" if meta.narrative_source == "template" else "",
        )
    )
    console.print()
    console.print(_metrics(snapshot, currency))
    console.print()
    console.print(_distribution("Weekly volume", "week", snapshot.demand.weekly_volume, k))
    console.print()
    console.print(
        _distribution("Price distribution", "band", snapshot.demand.price_distribution, k)
    )
    console.print()
    console.print(
        _distribution("Decision latency", "band", snapshot.decision_latency.distribution, k)
    )
    console.print()
    findings: list[RenderableType] = [
        Text.assemble("• ", (f.topic_words, "bold"), f": {f.text}")
        for f in snapshot.insights.findings
    ]
    title = Text(snapshot.insights.headline)
    console.print(Panel(Group(*findings), title=title, title_align="left"))


def _cost(run: SnapshotRun) -> str:
    return "unknown" if run.cost_usd is None else f"${run.cost_usd:.4f}"


def print_run_facts(console: Console, run: SnapshotRun) -> None:
    console.print(
        f"Run {run.run_id}: {run.outcome.value}"
        + (f" ({run.error_code})" if run.error_code else "")
        + f" · tokens {run.prompt_tokens} in / {run.completion_tokens} out"
        + f" · cost {_cost(run)} · latency {run.latency_ms:.1f} ms"
    )


def print_sources(
    console: Console,
    sources: Sequence[Source],
    latest: Mapping[str, str] | None = None,
    notes: Console | None = None,
) -> None:
    """One row a source; ``latest`` maps a source id to its latest snapshot id."""
    latest = latest or {}
    rows = [
        source_row(
            source.source_id,
            source.status.value,
            latest.get(source.source_id),
            source.estimate_count,
            source.name,
            source.created_at,
        )
        for source in sources
    ]
    print_source_rows(console, notes or console, rows)


def print_runs(
    console: Console, runs: Sequence[SnapshotRun], *, one_source: bool, notes: Console | None = None
) -> None:
    """Attempts, oldest first: what each did, what it cost, and why it failed.

    What the provider said (refusal text, server message) and how long it asked to wait
    follow the table, one run a paragraph, so they wrap at any width instead of narrowing
    the table; ids are never cut.
    """
    columns = [
        Column("run_id", whole=True),
        Column("outcome", whole=True),
        Column("code", priority=1, whole=True),
        Column("snapshot_id", priority=2, whole=True),
        Column("tokens in/out", priority=3, justify="right", whole=True),
        Column("cost", priority=3, justify="right", whole=True),
        Column("latency", priority=4, justify="right", whole=True),
        Column("queue/budget", priority=5, justify="right", whole=True),
        Column("narrative", priority=6, whole=True),
        Column("started (UTC)", priority=7, whole=True),
        Column("source_id", priority=8, whole=True),
    ][: 10 if one_source else 11]
    rows = [
        [
            run.run_id,
            run.outcome.value,
            run.error_code or "–",
            run.snapshot_id or "–",
            f"{run.prompt_tokens}/{run.completion_tokens}",
            _cost(run),
            _ms(run.latency_ms),
            _waits(run),
            # A run names a snapshot only when the model's reply became it; a template
            # narrative saved after a failed call belongs to no run (see `snapshot show`).
            "model" if run.snapshot_id else "–",
            f"{run.started_at:%Y-%m-%d %H:%M:%S}",
            run.source_id,
        ]
        for run in runs
    ]
    print_fitted(console, notes or console, columns, rows)
    said = [run for run in runs if run.detail or run.retry_after_seconds is not None]
    for run in said:
        console.print()
        console.print(Text.assemble((run.run_id, "bold"), f" {_said(run)}"))


def _said(run: SnapshotRun) -> str:
    """What the provider said about one run: its detail text and the wait it asked for."""
    parts = [f"{run.error_code or run.outcome.value}:"]
    if run.detail:
        parts.append(run.detail)
    if run.retry_after_seconds is not None:
        parts.append(f"(retry after {run.retry_after_seconds:g} s)")
    return " ".join(parts)


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} ms"


def _waits(run: SnapshotRun) -> str:
    """A job's queue delay / budget wait (whole ms); "–" for runs made outside jobs."""
    if run.limiter_wait_ms is None:
        return "–"
    queued = "?" if run.queue_delay_ms is None else f"{run.queue_delay_ms:.0f}"
    return f"{queued}/{run.limiter_wait_ms:.0f} ms"


def print_stats(console: Console, stats: RunStats) -> None:
    table = Table(show_header=False, show_edge=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("runs", str(stats.runs))
    table.add_row("succeeded", str(stats.succeeded))
    for code, count in stats.failed_by_code.items():
        table.add_row(f"failed: {code}", str(count))
    if stats.possibly_billed_runs:  # calling, or abandoned: no finished record of the call
        table.add_row("possibly billed", str(stats.possibly_billed_runs))
    table.add_row("latency p50", _ms(stats.latency_p50_ms))
    table.add_row("latency p95", _ms(stats.latency_p95_ms))
    if stats.job_runs:  # only runs made by jobs (`snapshot worker`) record their waits
        table.add_row("queue delay p50", _ms(stats.queue_delay_p50_ms))
        table.add_row("queue delay p95", _ms(stats.queue_delay_p95_ms))
        table.add_row("budget wait total", _ms(stats.limiter_wait_total_ms))
        table.add_row("budget wait p95", _ms(stats.limiter_wait_p95_ms))
    table.add_row("prompt tokens", str(stats.prompt_tokens))
    table.add_row("completion tokens", str(stats.completion_tokens))
    table.add_row("cached tokens", str(stats.cached_tokens))
    cost = f"${stats.cost_usd:.4f}"
    if stats.cost_unknown_runs:
        cost += f" (+{stats.cost_unknown_runs} runs of unknown price)"
    table.add_row("cost", cost)
    console.print(table)
