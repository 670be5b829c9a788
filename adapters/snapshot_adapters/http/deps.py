"""Dependencies of the routes: the orchestrator, the job queue, and the caller's user id."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from snapshot_core import Orchestrator
from snapshot_core.domain import InvalidApiKeyError
from snapshot_core.ports import JobQueue

__all__ = ["JobQueueDep", "OrchestratorDep", "UserDep"]


def _orchestrator(request: Request) -> Orchestrator:
    orchestrator: Orchestrator = request.app.state.orchestrator
    return orchestrator


def _job_queue(request: Request) -> JobQueue | None:
    queue: JobQueue | None = request.app.state.job_queue
    return queue


OrchestratorDep = Annotated[Orchestrator, Depends(_orchestrator)]
JobQueueDep = Annotated[JobQueue | None, Depends(_job_queue)]

# auto_error=False: a missing or malformed header is our own 401 problem, like a bad key.
_bearer = HTTPBearer(auto_error=False, description="An API key from `snapshot keys create`.")


def _user(
    orchestrator: OrchestratorDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The user the presented key belongs to (a plain ``def``: storage runs in a thread)."""
    if credentials is None:
        raise InvalidApiKeyError()
    return orchestrator.authenticate(token=credentials.credentials)


UserDep = Annotated[str, Depends(_user)]
