"""Routes on runs: a source's attempts, and the caller's run statistics."""

from __future__ import annotations

from fastapi import APIRouter

from snapshot_core.domain import RunStats

from .deps import OrchestratorDep, UserDep
from .responses import problems
from .schemas import RunOut, run_out

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["runs"])


@router.get("/sources/{source_id}/runs", response_model=list[RunOut], responses=problems(401, 404))
def list_runs(source_id: str, orchestrator: OrchestratorDep, user_id: UserDep) -> list[RunOut]:
    """The source's runs (attempts), oldest first: outcome, error code, tokens, cost, latency."""
    return [run_out(r) for r in orchestrator.list_source_runs(source_id=source_id, user_id=user_id)]


@router.get("/stats", response_model=RunStats, responses=problems(401))
def stats(orchestrator: OrchestratorDep, user_id: UserDep) -> RunStats:
    """Your runs' statistics: outcomes by error code, latency p50/p95, tokens and cost."""
    return orchestrator.run_stats(user_id=user_id)
