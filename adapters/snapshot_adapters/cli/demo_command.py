"""`snapshot demo`: the whole flow on the embedded default (SQLite file + fake model)."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import app
from .common import container, err, out, settings, sqlite_file

DEMO_USER = "demo-user"


def _where(database_url: str) -> str:
    path = sqlite_file(database_url)
    if path is not None:
        return str(path)
    from ..settings import redact_url

    return redact_url(database_url)


@app.command()
def demo(
    estimates: Annotated[int, typer.Option(min=25, max=100_000, help="How many to make.")] = 360,
    seed: Annotated[int, typer.Option(help="Seed for the synthetic estimates.")] = 7,
) -> None:
    """Ingest synthetic estimates, bucket them, run one snapshot with the fake model, show it."""
    from ..container import build_container
    from ..fake import synthetic_estimates
    from .render import print_run_facts, print_snapshot

    container(creates=True)  # says so when it makes a new SQLite file
    chosen = settings().model_copy(update={"llm": "fake"})
    orchestrator = build_container(chosen).orchestrator()
    err.print(f"Database: {_where(chosen.database_url)}")
    source_id = orchestrator.ingest_estimates(
        user_id=DEMO_USER,
        rows=synthetic_estimates(estimates, seed=seed, outcomes=True),
        name="demo estimates",
    )
    err.print(f"Ingested {estimates} synthetic estimates as source {source_id}")
    orchestrator.bucket_source(source_id=source_id, user_id=DEMO_USER)
    snapshot_id = orchestrator.run_snapshot(source_id=source_id, user_id=DEMO_USER)
    snapshot = orchestrator.get_snapshot(snapshot_id=snapshot_id, user_id=DEMO_USER)
    (run,) = orchestrator.list_runs(user_id=DEMO_USER, source_id=source_id)
    out.print()
    print_snapshot(out, snapshot)
    print_run_facts(out, run)
    out.print(
        f"\nDatabase file: {_where(chosen.database_url)}\n"
        f"Try: snapshot show {snapshot_id} --user {DEMO_USER} --format json",
        soft_wrap=True,  # a command to copy stays on one line
    )
