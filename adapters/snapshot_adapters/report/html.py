"""The snapshot report: one self-contained, offline HTML page (``snapshot show --format html``
and ``GET /v1/snapshots/{id}/report`` serve the same page).

No script, no external fetch, no inline style attribute: the charts are inline SVG (``svg``),
styled by the one ``<style>`` block, whose hash ``CONTENT_SECURITY_POLICY`` names. The page
needs only ``default-src 'none'; style-src 'sha256-…'; img-src data:`` (it also carries that
policy in a ``<meta>`` element, so a saved copy keeps it). Every text node and attribute is
escaped; numbers are written from the snapshot's typed values.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from snapshot_core.domain import INSIGHT_CATALOGUE, Insight, SnapshotResult, SnapshotRun

from .charts import (
    has_outcomes,
    latency_figure,
    money_figure,
    price_figure,
    table,
    weekly_figure,
    win_rate_figure,
)
from .facts import NarrativeFacts, Targets, anchor, narrative_facts
from .figures import Figures, day_label
from .style import META_POLICY, STYLE
from .svg import escape_text

__all__ = ["render_html"]

_TOPICS = {
    "demand": "Demand",
    "pricing": "Pricing",
    "decision_latency": "Decision time",
    "outcomes": "Outcomes",
}
_MEANINGS = {kind.code: kind.meaning for kind in INSIGHT_CATALOGUE}


def _tile(targets: Targets, label: str, value: str, more: str = "", fact: str | None = None) -> str:
    extra = f'<p class="more">{escape_text(more)}</p>' if more else ""
    return (
        f'<div{targets.attrs(fact, "kpi")}><p class="label">{escape_text(label)}</p>'
        f'<p class="value">{escape_text(value)}</p>{extra}</div>'
    )


def _tiles(snapshot: SnapshotResult, fig: Figures, targets: Targets) -> str:
    weeks, o, m = snapshot.demand.weekly_volume, snapshot.outcomes, snapshot.money
    first = weeks[0].week_start if weeks else None
    tiles = [
        _tile(targets, "Estimates", fig.count(snapshot.meta.estimate_count), "", "n"),
        _tile(
            targets,
            "Weeks",
            f"{len(weeks):,}",
            f"from {day_label(first)}" if first else "",
            "weeks",
        ),
    ]
    if has_outcomes(snapshot):
        decided = (o.won or 0) + (o.lost or 0) if None not in (o.won, o.lost) else None
        tiles.append(
            _tile(
                targets,
                "Win rate",
                fig.pct(o.win_rate_pct),
                f"won {fig.count(o.won)} of {fig.count(decided)} decided",
            )
        )
        tiles.append(
            _tile(
                targets,
                "Open pipeline",
                fig.money(o.open_amount),
                f"{fig.count(o.pending)} estimates open",
            )
        )
    latency = snapshot.decision_latency.median_days
    if latency is not None:
        tiles.append(
            _tile(targets, "Median decision", fig.days(latency), "from sending", "median_days")
        )
    if any(v is not None for v in (m.total_amount, m.average_amount, m.median_amount)):
        more = f"average {fig.money(m.average_amount)} · median {fig.money(m.median_amount)}"
        tiles.append(_tile(targets, "Total quoted", fig.money(m.total_amount), more, "money"))
    return f'<section class="kpis" aria-label="Key figures">{"".join(tiles)}</section>'


def _chips(fact_ids: Iterable[str], facts: NarrativeFacts) -> str:
    chips = []
    for fact_id in fact_ids:
        if fact_id in facts.ids:
            tip = _MEANINGS.get(fact_id, "")
            title = f' title="{escape_text(tip)}"' if tip else ""
            href = escape_text(anchor(fact_id))
            chips.append(f'<a class="chip" href="#{href}"{title}>{escape_text(fact_id)}</a>')
        else:
            chips.append(
                f'<span class="chip unknown" title="not a fact of this snapshot">'
                f"{escape_text(fact_id)}</span>"
            )
    return f'<p class="rests">Rests on {"".join(chips)}</p>' if chips else ""


def _findings(snapshot: SnapshotResult, facts: NarrativeFacts) -> tuple[str, set[str]]:
    items, cited = [], set()
    for finding in snapshot.insights.findings:
        text, linked = facts.linked(finding.text, finding.facts)
        cited |= linked | set(finding.facts)
        key = finding.topic or ""  # every stored finding has one; the core files it
        topic = _TOPICS.get(key, finding.topic_words)
        items.append(
            f'<li class="finding {escape_text(key)}">'
            f'<p class="topic">{escape_text(topic)}</p>'
            f'<p class="text">{text}</p>{_chips(finding.facts, facts)}</li>'
        )
    block = (
        '<section aria-labelledby="findings-h"><h2 id="findings-h">Findings</h2>'
        f'<ol class="findings">{"".join(items)}</ol></section>'
    )
    return block, cited


def _insight_value(name: str, value: Decimal, fig: Figures) -> str:
    suffix = name.rsplit("_", 1)[-1]
    label = name.rsplit("_", 1)[0].replace("_", " ")
    written = {
        "n": lambda: f"{value:,}",
        "pct": lambda: fig.pct(value),
        "chg": lambda: f"{value:+.1f}%",
        "pts": lambda: f"{value:+.1f} pts",
        "amt": lambda: fig.money(value),
        "days": lambda: fig.days(value),
    }.get(suffix, lambda: f"{value}")()
    return f"{label} {written}"


def _signals(insights: Iterable[Insight], fig: Figures, targets: Targets) -> str:
    rows = [
        (
            i.code,
            [
                i.code,
                _MEANINGS.get(i.code, ""),
                "good" if i.direction == "good" else "needs attention",
                " · ".join(_insight_value(k, v, fig) for k, v in i.values.items()),
            ],
        )
        for i in insights
    ]
    if not rows:
        return ""
    data = table(
        "Signals the findings rest on",
        ["Signal", "What it compares", "For you", "Figures"],
        rows,
        targets,
    )
    return f'<section class="card signals"><h2>Signals</h2>{data}</section>'


def _meta(snapshot: SnapshotResult, run: SnapshotRun | None) -> str:
    meta = snapshot.meta
    writer = (
        "the model"
        if meta.narrative_source == "model"
        else "the core's template (the model call failed)"
    )
    pairs = [
        ("Snapshot", meta.snapshot_id),
        ("Source", meta.source_id),
        ("Generated", f"{meta.generated_at:%Y-%m-%d %H:%M} UTC"),
        ("Confidence", meta.confidence_level),
        ("Narrative written by", writer),
        ("Model", meta.model),
        (
            "Small cells",
            f"counts under {meta.min_cell_count} hidden"
            if meta.min_cell_count > 1
            else "none hidden",
        ),
        ("Schema version", meta.schema_version),
    ]
    if run is not None:
        source = "reported by the server" if run.cost_reported else "from the price table"
        cost = "–" if run.cost_usd is None else f"${run.cost_usd:.4f} ({source})"
        pairs += [
            ("Run", f"{run.run_id} · attempt {run.attempt} · {run.outcome.value}"),
            ("Run model", run.model or "–"),
            (
                "Tokens",
                f"{run.prompt_tokens:,} prompt · {run.completion_tokens:,} completion"
                f" · {run.cached_tokens:,} cached",
            ),
            ("Cost", cost),
            ("Latency", f"{Decimal(str(run.latency_ms)) / 1000:.2f} s"),
        ]
    rows = "".join(f"<dt>{escape_text(k)}</dt><dd>{escape_text(v)}</dd>" for k, v in pairs)
    return f'<footer class="card meta"><h2>About this snapshot</h2><dl>{rows}</dl></footer>'


def render_html(
    snapshot: SnapshotResult, run: SnapshotRun | None = None, *, currency: str = "USD"
) -> str:
    """The report page of ``snapshot``; with ``run`` (the run that made it: tokens, cost,
    latency), and amounts shown in ``currency`` (``SNAPSHOT_CURRENCY``)."""
    meta = snapshot.meta
    fig = Figures(meta.min_cell_count, currency)
    facts = narrative_facts(snapshot, currency)
    headline, cited = facts.linked(snapshot.insights.headline)
    findings, cited_by_findings = _findings(snapshot, facts)
    targets = Targets(cited | cited_by_findings)
    weeks = snapshot.demand.weekly_volume
    span = ""
    if weeks and weeks[0].week_start and weeks[-1].week_start:
        span = f" ({weeks[0].week_start.isoformat()} to {weeks[-1].week_start.isoformat()})"
    hidden = f" · counts under {meta.min_cell_count} hidden" if meta.min_cell_count > 1 else ""
    sub = (
        f"{fig.count(meta.estimate_count)} estimates over {len(weeks):,} weeks{span}"
        f" · confidence {meta.confidence_level}{hidden}"
    )
    tiles = _tiles(snapshot, fig, targets)  # first: ids go to elements in page order
    figures = [weekly_figure(snapshot, fig, targets), price_figure(snapshot, fig, targets)]
    if has_outcomes(snapshot):
        figures.append(win_rate_figure(snapshot, fig))
    figures.append(latency_figure(snapshot, fig, targets))
    if has_outcomes(snapshot):
        figures.append(money_figure(snapshot, fig, targets))
    signals = [facts.insights[code] for code in sorted(targets.cited) if code in facts.insights]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{escape_text(META_POLICY)}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Snapshot {escape_text(meta.snapshot_id)}</title>
<style>{STYLE}</style></head>
<body><main>
<header><p class="eyebrow">Estimate snapshot · {meta.generated_at:%Y-%m-%d %H:%M} UTC</p>
<h1>{headline}</h1>
<p class="sub">{escape_text(sub)}</p></header>
{tiles}
{findings}
<div class="charts">{"".join(figures)}</div>
{_signals(signals, fig, targets)}
{_meta(snapshot, run)}
</main></body></html>
"""
