"""The report in a real browser (Debian's Chromium, driven by Playwright): every chart drawn
with the right number of bars and points, nothing fetched, no console error, a screenshot
with something on it, and the page printed to PDF."""

from __future__ import annotations

from snapshot_adapters.report import CONTENT_SECURITY_POLICY, render_html

from .browser import chromium_path, ink_share, serve_page, visit_report
from .marks import expected_marks
from .snapshots import estimates, snapshot_of

CHARTS = {"chart-weekly", "chart-price", "chart-win-rate", "chart-latency", "chart-money"}


def test_the_report_draws_every_chart_in_chromium_under_its_policy_and_prints_to_pdf() -> None:
    chromium = chromium_path()
    snapshot = snapshot_of(estimates(weeks=10, per_week=9), k=3)
    marks = expected_marks(snapshot, outcomes=True)
    assert marks["chart-weekly", "g.lost circle.point"] < 10  # some weeks' cells are hidden
    assert marks["chart-win-rate", "rect.slot"] > 0  # and drawn as empty slots
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY}
    with serve_page(render_html(snapshot), headers) as url:
        visit = visit_report(url, marks, chromium=chromium)
    assert visit.counts == marks
    assert set(visit.chart_sizes) == CHARTS
    assert all(width > 200 and height > 100 for width, height in visit.chart_sizes.values())
    assert visit.errors == []  # a CSP violation (a blocked style or script) is an error here
    assert visit.other_requests == []  # self-contained: nothing else is fetched
    assert ink_share(visit.screenshot) > 0.1  # measured: 0.37 styled, 0.03 when unstyled
    assert visit.pdf.startswith(b"%PDF") and len(visit.pdf) > 10_000
