"""`snapshot show --format html`: a self-contained page (inline CSS, no script), offline."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from snapshot_core.domain import BandCount, SnapshotResult, WeekCount

__all__ = ["render_html"]

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}td{padding:.15rem .5rem;vertical-align:middle}
td.n{text-align:right;width:4rem;font-variant-numeric:tabular-nums}td.l{width:7rem}
.bar{background:#3b82f6;height:.9rem;border-radius:2px}
.meta{color:#555}.finding{margin:.4rem 0}.topic{font-weight:600;text-transform:capitalize}
"""


def _rows(cells: Sequence[BandCount | WeekCount], k: int) -> str:
    top = max((cell.count or 0 for cell in cells), default=0) or 1
    rows = []
    for cell in cells:
        label = cell.week if isinstance(cell, WeekCount) else cell.band
        shown = f"&lt;{k}" if cell.count is None else str(cell.count)
        width = 0 if cell.count is None else 100 * cell.count / top
        rows.append(
            f'<tr><td class="l">{escape(label)}</td><td class="n">{shown}</td>'
            f'<td><div class="bar" style="width:{width:.1f}%"></div></td></tr>'
        )
    return "<table>" + "".join(rows) + "</table>"


def render_html(snapshot: SnapshotResult) -> str:
    meta, k = snapshot.meta, snapshot.meta.min_cell_count
    findings = "".join(
        f'<p class="finding"><span class="topic">{escape(f.topic_words)}</span>: '
        f"{escape(f.text)}</p>"
        for f in snapshot.insights.findings
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Snapshot {escape(meta.snapshot_id)}</title><style>{_STYLE}</style></head>
<body>
<h1>{escape(snapshot.insights.headline)}</h1>
<p class="meta">{meta.estimate_count} estimates · confidence {escape(meta.confidence_level)} ·
model {escape(meta.model)} · generated {meta.generated_at:%Y-%m-%d %H:%M} UTC ·
snapshot {escape(meta.snapshot_id)}</p>
{findings}
<h2>Weekly volume</h2>{_rows(snapshot.demand.weekly_volume, k)}
<h2>Price distribution</h2>{_rows(snapshot.demand.price_distribution, k)}
<h2>Decision latency</h2>{_rows(snapshot.decision_latency.distribution, k)}
</body></html>
"""
