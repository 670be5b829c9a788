"""The HTML report: charts drawn from the snapshot's values, every number in the narrative linked
to its fact, user text never markup, and a page that loads and runs nothing."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from snapshot_adapters.report import CONTENT_SECURITY_POLICY, render_html
from snapshot_adapters.report.facts import anchor, narrative_facts
from snapshot_core.domain import (
    Finding,
    RunOutcome,
    SnapshotNarrative,
    SnapshotResult,
    SnapshotRun,
)

from ..ingest.test_injection import ATTACKS
from .marks import count_marks, expected_marks
from .page import Page, read_page
from .snapshots import GENERATED, estimates, snapshot_of, version_1

PLANTED = ["</svg><script>alert(1)</script>", '"><img src=x onerror=alert(1)>', *ATTACKS]


def assert_marks(page: Page, snapshot: SnapshotResult, *, outcomes: bool) -> None:
    expected = expected_marks(snapshot, outcomes=outcomes)
    counted = {key: count_marks(page.svgs[key[0]], key[1]) for key in expected}
    assert counted == expected
    for chart in page.svgs.values():
        assert chart.get("role") == "img"
        labels = chart.get("aria-labelledby", "").split()
        titled = {e.get("id") for e in chart if e.tag.endswith(("title", "desc"))}
        assert labels and set(labels) <= titled


def run_of(snapshot: SnapshotResult) -> SnapshotRun:
    return SnapshotRun(
        run_id="run-7",
        source_id=snapshot.meta.source_id,
        user_id="u",
        attempt=1,
        started_at=GENERATED - timedelta(seconds=3),
        finished_at=GENERATED,
        outcome=RunOutcome.SUCCEEDED,
        snapshot_id=snapshot.meta.snapshot_id,
        model="gpt-4o-2024-08-06",
        prompt_tokens=1234,
        completion_tokens=210,
        cached_tokens=1024,
        cost_usd=Decimal("0.003185"),
        latency_ms=2345.6,
    )


def test_every_chart_draws_a_bar_or_point_for_each_shown_value_of_the_snapshot() -> None:
    snapshot = snapshot_of(estimates())
    page = read_page(render_html(snapshot))
    assert set(page.svgs) == {
        "chart-weekly", "chart-price", "chart-win-rate", "chart-latency", "chart-money"
    }  # fmt: skip
    assert_marks(page, snapshot, outcomes=True)
    assert expected_marks(snapshot, outcomes=True)["chart-weekly", "g.won circle.point"] == 16


def test_each_data_table_row_holds_the_snapshot_values_written_from_numbers() -> None:
    snapshot = snapshot_of(estimates(), currency="EUR")  # the narrative, as the core wrote it
    page = read_page(render_html(snapshot, currency="EUR"))
    for band in snapshot.demand.price_distribution:
        row = page.by_id[anchor(band.band)]
        assert f"{band.count:,}" in row.text and band.band in row.text
        assert band.amount_total is not None
        assert f"€{band.amount_total.quantize(Decimal(1)):,}" in row.text
    for week in snapshot.demand.weekly_volume:
        row = page.by_id[f"fact-{week.week}"]
        assert week.week_start is not None and week.week_start.isoformat() in row.text
        assert f"{week.count:,}" in row.text
    assert "$" not in page.text  # the currency is the one given


def test_each_number_in_the_narrative_links_to_the_row_or_tile_of_its_fact() -> None:
    snapshot = snapshot_of(estimates())
    page = read_page(render_html(snapshot))
    numbers = [(href, text) for href, text in page.links if any(ch.isdigit() for ch in text)]
    assert len(numbers) >= 10
    for href, _ in numbers:
        assert href.startswith("#fact-") and href[1:] in page.by_id, href
    # The template narrative cites only grounded numbers: none is left unlinked.
    html = render_html(snapshot)
    texts = re.findall(r'<p class="text">(.*?)</p>|<h1>(.*?)</h1>', html)
    assert len(texts) == len(snapshot.insights.findings) + 1
    for text in ("".join(pair) for pair in texts):
        assert not re.search(r"\d", re.sub(r'<a class="num"[^>]*>[^<]*</a>', "", text)), text
    busiest = next(f for f in snapshot.insights.findings if f.topic == "demand")
    (week,) = busiest.facts
    assert "cited" in page.by_id[f"fact-{week}"].classes  # the row the finding rests on is marked


def test_a_snapshot_without_outcomes_has_no_win_rate_or_money_chart() -> None:
    snapshot = snapshot_of(estimates(outcomes=False))
    page = read_page(render_html(snapshot))
    assert set(page.svgs) == {"chart-weekly", "chart-price", "chart-latency"}
    assert_marks(page, snapshot, outcomes=False)
    assert "Win rate" not in page.text and "Open pipeline" not in page.text


def test_suppressed_cells_are_written_below_k_and_drawn_as_empty_slots() -> None:
    rows = estimates(weeks=6, per_week=7)
    snapshot = snapshot_of(rows, k=5)
    counts = [b.count for b in snapshot.demand.price_distribution]
    assert None in counts  # the scenario has hidden cells
    page = read_page(render_html(snapshot))
    assert_marks(page, snapshot, outcomes=True)
    assert count_marks(page.svgs["chart-price"], "rect.slot") == counts.count(None) > 0
    assert "<5" in page.text and "counts under 5 hidden" in page.text


def test_a_version_1_snapshot_still_renders_its_charts() -> None:
    snapshot = version_1(snapshot_of(estimates()))
    assert snapshot.meta.schema_version == "1" and snapshot.outcomes.won is None
    page = read_page(render_html(snapshot))
    assert set(page.svgs) == {"chart-weekly", "chart-price", "chart-latency"}
    assert_marks(page, snapshot, outcomes=False)
    assert "2026-01-05" in page.text  # week starts follow from the ISO week labels


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([], id="no estimates"),
        pytest.param(estimates(weeks=1, per_week=6, outcomes=False)[:3], id="three estimates"),
    ],
)
def test_empty_and_nearly_empty_bands_render_without_a_bar_to_draw(rows: list) -> None:
    for k in (0, 5):
        snapshot = snapshot_of(rows, k=k)
        page = read_page(render_html(snapshot))
        assert_marks(page, snapshot, outcomes=False)


def test_run_facts_are_shown_when_the_run_is_given() -> None:
    snapshot = snapshot_of(estimates())
    page = read_page(render_html(snapshot, run_of(snapshot)))
    for fact in (
        "gpt-4o-2024-08-06",
        "1,234 prompt",
        "210 completion",
        "1,024 cached",
        "$0.0032",
        "2.35 s",
    ):
        assert fact in page.text, fact
    assert (
        "Narrative written by" in page.text
        and "Tokens" not in read_page(render_html(snapshot)).text
    )


def _planted(text: str) -> SnapshotResult:
    snapshot = snapshot_of(estimates(weeks=4, per_week=10))
    document = snapshot.model_dump(mode="json")
    document["meta"] |= {"snapshot_id": text, "source_id": text, "model": text}
    document["demand"]["price_distribution"][0]["band"] = text
    document["decision_latency"]["distribution"][0]["band"] = text
    narrative = SnapshotNarrative(
        headline=f"{text} 12 estimates",
        findings=(Finding(topic="demand", text=text, facts=(text,)),),
    )
    document["insights"] = narrative.model_dump(mode="json")
    return SnapshotResult.model_validate(document)


@pytest.mark.parametrize("text", PLANTED)
def test_planted_names_stay_text_in_the_page_and_its_charts(text: str) -> None:
    snapshot = _planted(text)
    run = run_of(snapshot).model_copy(update={"model": text, "run_id": text})
    html = render_html(snapshot, run)
    page = read_page(html)  # every chart still parses as XML, every tag closes where it opened
    assert page.tags() <= {
        "html", "head", "meta", "link", "title", "style", "body", "main", "header", "p", "h1",
        "h2", "section", "div", "ol", "li", "a", "span", "figure", "figcaption", "svg", "desc",
        "g", "line", "text", "rect", "circle", "path", "table", "caption", "thead", "tbody",
        "tr", "th", "td", "footer", "dl", "dt", "dd",
    }  # fmt: skip
    assert not any(name.startswith("on") for e in page.elements for name in e.attrs)
    shown = text.replace("\x1b", "\ufffd").replace("\x07", "\ufffd")
    assert page.text.count(shown) >= 5  # headline, finding, meta, band labels: as text
    assert set(page.svgs) == {
        "chart-weekly",
        "chart-price",
        "chart-win-rate",
        "chart-latency",
        "chart-money",
    }
    assert any(shown in (t.text or "") for t in page.svgs["chart-price"].iter())


def test_the_page_loads_nothing_runs_nothing_and_names_its_one_stylesheet_by_hash() -> None:
    html = render_html(snapshot_of(estimates()))
    page = read_page(html)
    assert "script" not in page.tags() and "<script" not in html
    assert not any("style" in e.attrs for e in page.elements)  # no inline style attribute
    sources = [e.attrs.get(k, "") for e in page.elements for k in ("href", "src", "action")]
    assert all(s.startswith("#") or s == "data:," for s in sources if s), sources
    digest = base64.b64encode(hashlib.sha256(page.style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in CONTENT_SECURITY_POLICY
    (meta,) = [e for e in page.elements if e.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in meta.attrs["content"] and digest in meta.attrs["content"]
    assert "@media print" in page.style and "prefers-color-scheme:dark" in page.style.replace(
        " ", ""
    )


def test_the_report_of_a_snapshot_is_the_same_page_every_time() -> None:
    snapshot = snapshot_of(estimates())
    assert render_html(snapshot) == render_html(snapshot)


FACTS = narrative_facts(snapshot_of(estimates()))


PIECES = [*"0123456789 ,.%$kW-<>&d\x1b", "2026-W05", " days", "1k-2.5k", "twenty one"]


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
@example("sent 5 2026-W07 days later")
@example("<b>36</b> & 2026-W05 in 1k-2.5k")
def test_linking_the_numbers_of_any_text_keeps_the_text_as_it_was(text: str) -> None:
    html, _ = FACTS.linked(text)
    assert unescape(re.sub(r"<[^>]*>", "", html)) == text.replace("\x1b", "\ufffd")
    assert re.sub(r'<a class="num" href="#[\w-]+" title="[^"<>]*">|</a>', "", html).count("<") == 0
