"""`snapshot bucket | run | show | sources | stats`: the flow, one step per process."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from snapshot_core.use_cases import bucket_source, get_snapshot, list_sources, run_stats

from .app import app
from .common import UserOption, container, err, out, print_json, refuse_empty_user, require_user
from .render import print_snapshot, print_sources, print_stats


class ShowFormat(enum.StrEnum):
    text = "text"
    json = "json"
    html = "html"


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


@app.command()
def bucket(
    source_id: Annotated[str, typer.Argument(help="The source to bucket.")],
    user: UserOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Aggregate a source's estimates into weekly, price and latency buckets."""
    user_id, c = require_user(user), container()
    buckets = bucket_source(
        uow_factory=c.storage(),
        clock=c.clock(),
        policy=c.policy(),
        source_id=source_id,
        user_id=user_id,
    )
    if as_json:
        print_json(buckets.model_dump(mode="json"))
    else:
        print(source_id)
        err.print(
            f"Bucketed {buckets.estimate_count} estimates ({buckets.confidence_level} confidence)."
        )


@app.command()
def run(
    source_id: Annotated[str, typer.Argument(help="A bucketed source.")],
    user: UserOption = None,
) -> None:
    """Make one snapshot of a bucketed source (one model call); prints the snapshot id."""
    user_id = require_user(user)
    snapshot_id = container().orchestrator().run_snapshot(source_id=source_id, user_id=user_id)
    _notice_template_narrative(snapshot_id, user_id)
    print(snapshot_id)


def _notice_template_narrative(snapshot_id: str, user_id: str) -> None:
    """SNAPSHOT_NARRATIVE_FALLBACK=template saved the core's narrative: say why, exit 0."""
    snapshot = get_snapshot(
        uow_factory=container().storage(), snapshot_id=snapshot_id, user_id=user_id
    )
    if snapshot.meta.narrative_source == "template":
        err.print(
            "Notice: the model call failed (see `snapshot stats`); the snapshot was saved with "
            "the template narrative (SNAPSHOT_NARRATIVE_FALLBACK=template)."
        )


@app.command()
def show(
    snapshot_id: Annotated[str, typer.Argument(help="The snapshot to show.")],
    user: UserOption = None,
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="text, json or html.")] = (
        ShowFormat.text
    ),
) -> None:
    """Show a snapshot as text, JSON or a self-contained HTML page."""
    user_id = require_user(user)
    snapshot = get_snapshot(
        uow_factory=container().storage(), snapshot_id=snapshot_id, user_id=user_id
    )
    if fmt is ShowFormat.json:
        print_json(snapshot.model_dump_json(indent=2))
    elif fmt is ShowFormat.html:
        from .html_report import render_html

        print(render_html(snapshot))
    else:
        print_snapshot(out, snapshot, container().settings().currency)


@app.command()
def sources(user: UserOption = None, as_json: JsonFlag = False) -> None:
    """List your sources with their status and estimate counts."""
    user_id = require_user(user)
    found = list_sources(uow_factory=container().storage(), user_id=user_id)
    if as_json:
        print_json([s.model_dump(mode="json") for s in found])
    elif not found:
        err.print("No sources yet: `snapshot ingest FILE --user U` makes one.")
    else:
        print_sources(out, found)


@app.command()
def stats(
    user: Annotated[
        str | None,
        typer.Option("--user", "-u", envvar="SNAPSHOT_USER", help="Only this user's runs."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run statistics: outcomes by error code, latency p50/p95, tokens and cost."""
    refuse_empty_user(user)
    summary = run_stats(uow_factory=container().storage(), user_id=user)
    if as_json:
        print_json(summary.model_dump(mode="json"))
    else:
        print_stats(out, summary)
