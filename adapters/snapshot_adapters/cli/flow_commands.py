"""`snapshot bucket | run | show | sources | runs | stats`: the flow, one step per process.

Each command imports the core and the adapters it needs when it runs, so `snapshot --help`
and a command's own `--help` stay fast.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from .app import app
from .common import UserOption, container, err, out, print_json, refuse_empty_user, require_user
from .loading import loading
from .terminal import emit

if TYPE_CHECKING:
    from snapshot_core.domain import SnapshotRun

__all__ = ["ShowFormat", "latest_snapshots"]


class ShowFormat(enum.StrEnum):
    text = "text"
    json = "json"
    html = "html"


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def latest_snapshots(user_id: str) -> Mapping[str, str]:
    """Each of the user's sources that has a snapshot, to its latest snapshot id."""
    from snapshot_core.use_cases import latest_snapshot_ids

    return latest_snapshot_ids(uow_factory=container().storage(), user_id=user_id)


def _runs(user_id: str, source_id: str | None = None) -> Sequence[SnapshotRun]:
    from snapshot_core.use_cases import list_runs

    return list_runs(uow_factory=container().storage(), user_id=user_id, source_id=source_id)


@app.command()
def bucket(
    source_id: Annotated[str, typer.Argument(help="The source to bucket.")],
    user: UserOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Aggregate a source's estimates into weekly, price and latency buckets."""
    with loading():
        from snapshot_core.use_cases import bucket_source

    user_id = require_user(user)
    c = container(light=True)
    with loading():
        storage = c.storage()  # SQLAlchemy and the SQL store, for a store made here
    buckets = bucket_source(
        uow_factory=storage,
        clock=c.clock(),
        policy=c.policy(),
        source_id=source_id,
        user_id=user_id,
    )
    if as_json:
        print_json(buckets.model_dump(mode="json"))
    else:
        emit(source_id)
        err.print(
            f"Bucketed {buckets.estimate_count} estimates ({buckets.confidence_level} confidence)."
        )


@app.command()
def run(
    source_id: Annotated[str, typer.Argument(help="A bucketed source.")],
    user: UserOption = None,
) -> None:
    """Make one snapshot of a bucketed source (one model call); prints the snapshot id."""
    from snapshot_core.domain import SourceNotBucketedError, SourceStatus

    user_id = require_user(user)
    try:
        snapshot_id = container().orchestrator().run_snapshot(source_id=source_id, user_id=user_id)
    except SourceNotBucketedError as error:
        done = latest_snapshots(user_id).get(source_id)
        if error.status == SourceStatus.SNAPSHOT_GENERATED and done:
            error.add_note(
                f"This source already has snapshot {done}: snapshot show {done} --user {user_id}"
            )
        raise
    _notice_template_narrative(snapshot_id, user_id)
    emit(snapshot_id)


def _notice_template_narrative(snapshot_id: str, user_id: str) -> None:
    """SNAPSHOT_NARRATIVE_FALLBACK=template saved the core's narrative: say why, exit 0."""
    from snapshot_core.use_cases import get_snapshot

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
    snapshot_id: Annotated[
        str | None,
        typer.Argument(metavar="SNAPSHOT_ID", help="The snapshot to show (or use --latest)."),
    ] = None,
    user: UserOption = None,
    latest: Annotated[
        str | None,
        typer.Option("--latest", metavar="SOURCE_ID", help="Show this source's latest snapshot."),
    ] = None,
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="text, json or html.")] = (
        ShowFormat.text
    ),
) -> None:
    """Show a snapshot as text, JSON or a self-contained HTML page."""
    from . import fast_read

    if fmt is ShowFormat.json and fast_read.show_json(snapshot_id, latest, user):
        return
    from snapshot_core.domain import InvalidSourceError
    from snapshot_core.use_cases import get_snapshot

    if (snapshot_id is None) == (latest is None):
        raise typer.BadParameter("give a SNAPSHOT_ID or --latest SOURCE_ID (one of them)")
    user_id = require_user(user)
    if latest is not None:
        snapshot_id = latest_snapshots(user_id).get(latest)
        if snapshot_id is None:
            error = InvalidSourceError()
            error.add_note(f"No snapshot of source {latest} for user {user_id} yet.")
            raise error
    assert snapshot_id is not None
    snapshot = get_snapshot(
        uow_factory=container().storage(), snapshot_id=snapshot_id, user_id=user_id
    )
    if fmt is ShowFormat.json:
        print_json(snapshot.model_dump_json(indent=2))
    elif fmt is ShowFormat.html:
        from snapshot_core.domain import run_of_snapshot

        from ..report import render_html

        run = run_of_snapshot(snapshot, _runs(user_id, snapshot.meta.source_id))
        emit(render_html(snapshot, run, currency=container().settings().currency))
    else:
        from .render import print_snapshot

        print_snapshot(out, snapshot, container().settings().currency)


@app.command()
def sources(user: UserOption = None, as_json: JsonFlag = False) -> None:
    """List your sources: status, latest snapshot, estimate count."""
    from . import fast_read

    if fast_read.sources(user, as_json):
        return
    from snapshot_core.use_cases import list_sources

    user_id = require_user(user)
    found = list_sources(uow_factory=container().storage(), user_id=user_id)
    latest = latest_snapshots(user_id) if found else {}
    if as_json:
        print_json(
            [
                {**s.model_dump(mode="json"), "latest_snapshot_id": latest.get(s.source_id)}
                for s in found
            ]
        )
    elif not found:
        err.print("No sources yet: `snapshot ingest FILE --user U` makes one.")
    else:
        from .render import print_sources

        print_sources(out, found, latest, notes=err)


@app.command()
def runs(
    source_id: Annotated[
        str | None,
        typer.Argument(metavar="SOURCE_ID", help="Only this source's runs (default: all yours)."),
    ] = None,
    user: UserOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Your runs (attempts), oldest first: outcome, error code, tokens, cost, latency."""
    user_id = require_user(user)
    found = _runs(user_id, source_id)
    if as_json:
        print_json([r.model_dump(mode="json") for r in found])
    elif not found:
        err.print("No runs yet: `snapshot run SOURCE_ID --user U` makes one.")
    else:
        from .render import print_runs

        print_runs(out, found, one_source=source_id is not None, notes=err)


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
    from snapshot_core.use_cases import run_stats

    summary = run_stats(uow_factory=container().storage(), user_id=user)
    if as_json:
        print_json(summary.model_dump(mode="json"))
    else:
        from .render import print_stats

        print_stats(out, summary)
