"""Routes on snapshots: make one (awaited, or queued), read it as JSON or as the HTML report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from snapshot_core.domain import (
    InvalidJobError,
    InvalidRequestError,
    SnapshotResult,
    run_of_snapshot,
)

from .deps import JobQueueDep, OrchestratorDep, UserDep
from .responses import problems
from .schemas import JobCreated, JobOut, SnapshotCreated

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["snapshots"])


@router.post(
    "/sources/{source_id}/snapshots",
    status_code=201,
    response_model=SnapshotCreated,
    responses={
        202: {"model": JobCreated, "description": "Queued (wait=false, with a job queue)"},
        **problems(401, 404, 409, 422, 429, 502, 504),
    },
)
async def create_snapshot(
    source_id: str,
    orchestrator: OrchestratorDep,
    job_queue: JobQueueDep,
    user_id: UserDep,
    wait: Annotated[
        bool, Query(description="false: queue it and answer 202 with a job id (needs a queue)")
    ] = True,
) -> Any:
    """Make the source's snapshot: one model call, awaited on the event loop (no thread is
    held while the model thinks). Another run holding the source: 409 ``snapshot_in_progress``."""
    if not wait:
        if job_queue is None:
            raise InvalidRequestError(["wait: false needs a job queue; this server has none"])
        # The queue does not look at storage; check the source is the caller's first, so a
        # job is never made for someone else's id (the same 404 as a random id).
        await orchestrator.aget_source(source_id=source_id, user_id=user_id)
        job = job_queue.enqueue(source_id=source_id, user_id=user_id)
        return JSONResponse({"job_id": job.job_id}, status_code=202)
    snapshot_id = await orchestrator.arun_snapshot(source_id=source_id, user_id=user_id)
    return {"snapshot_id": snapshot_id}


@router.get("/jobs/{job_id}", response_model=JobOut, responses=problems(401, 404))
def get_job(job_id: str, job_queue: JobQueueDep, user_id: UserDep) -> Any:
    """A queued snapshot's state; ``snapshot_id`` once it succeeded."""
    if job_queue is None:
        raise InvalidJobError()  # no queue, so no job can exist
    job = job_queue.get(job_id=job_id, user_id=user_id)
    return JobOut(
        job_id=job.job_id,
        source_id=job.source_id,
        state=job.state,
        snapshot_id=job.snapshot_id,
        error_code=job.error_code,
    )


@router.get("/snapshots/{snapshot_id}", response_model=SnapshotResult, responses=problems(401, 404))
def get_snapshot(snapshot_id: str, orchestrator: OrchestratorDep, user_id: UserDep) -> Any:
    """The snapshot as JSON (meta, demand, decision latency, insights)."""
    return orchestrator.get_snapshot(snapshot_id=snapshot_id, user_id=user_id)


@router.get(
    "/snapshots/{snapshot_id}/report",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, **problems(401, 404)},
)
def get_report(
    snapshot_id: str, request: Request, orchestrator: OrchestratorDep, user_id: UserDep
) -> HTMLResponse:
    """The snapshot as one self-contained HTML page (no scripts, nothing loaded from elsewhere)."""
    from ..report import render_html  # the report's own imports are paid for on first use

    snapshot = orchestrator.get_snapshot(snapshot_id=snapshot_id, user_id=user_id)
    runs = orchestrator.list_runs(user_id=user_id, source_id=snapshot.meta.source_id)
    currency = request.app.state.currency
    return HTMLResponse(render_html(snapshot, run_of_snapshot(snapshot, runs), currency=currency))
