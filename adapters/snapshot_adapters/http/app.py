"""create_app: the FastAPI application of `snapshot serve`, around one Orchestrator."""

from __future__ import annotations

from typing import TYPE_CHECKING

try:
    from fastapi import FastAPI
except ImportError as _missing:  # pragma: no cover - exercised by the guard's own test
    raise ImportError(
        "The web service needs FastAPI: "
        'pip install "snapshot-orchestrator[http]" (fastapi, uvicorn, python-multipart)'
    ) from _missing

from . import runs, snapshots, sources
from .limits import RequestSizeLimit
from .problems import install_problem_handlers
from .schemas import Health
from .security import SecurityHeadersMiddleware

if TYPE_CHECKING:
    from snapshot_core import Orchestrator
    from snapshot_core.ports import JobQueue

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "MULTIPART_OVERHEAD_BYTES", "create_app"]

DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024**2  # SNAPSHOT_MAX_UPLOAD_BYTES
# The request may exceed the file by its form fields and part headers; no more than this.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def create_app(
    orchestrator: Orchestrator | None = None,
    *,
    job_queue: JobQueue | None = None,
    max_upload_bytes: int | None = None,
    currency: str | None = None,
) -> FastAPI:
    """The web service. Without ``orchestrator``, one is built from the settings (environment,
    .env.local, .env), as the CLI builds it, with the Celery queue when SNAPSHOT_BROKER_URL is
    set. ``job_queue`` enables ``?wait=false`` (202 and ``GET /v1/jobs/{job_id}``). Requests
    larger than ``max_upload_bytes`` (plus the form's own few bytes) are refused with 413 while
    they arrive, before they are stored. Reports show amounts in ``currency`` (default:
    SNAPSHOT_CURRENCY)."""
    if orchestrator is None or max_upload_bytes is None or currency is None:
        from ..settings import load_settings

        settings = load_settings()
        if orchestrator is None:
            from ..container import build_container

            container = build_container(settings)
            orchestrator = container.orchestrator()
            if job_queue is None:  # a broker in the settings: Celery workers take ?wait=false
                job_queue = container.job_queue()
        if max_upload_bytes is None:
            max_upload_bytes = settings.max_upload_bytes
        if currency is None:
            currency = settings.currency
    app = FastAPI(
        title="snapshot-orchestrator",
        summary="Estimates in, a grounded narrative snapshot out.",
        version="1",
        docs_url=None,  # no interactive page: its scripts would need a looser CSP
        redoc_url=None,
    )
    app.state.orchestrator = orchestrator
    app.state.job_queue = job_queue
    app.state.max_upload_bytes = max_upload_bytes
    app.state.currency = currency
    install_problem_handlers(app)
    app.add_middleware(
        RequestSizeLimit,
        max_bytes=max_upload_bytes + MULTIPART_OVERHEAD_BYTES,
        upload_limit=max_upload_bytes,
    )
    app.add_middleware(SecurityHeadersMiddleware)  # added last: outermost, so on every answer
    app.include_router(sources.router)
    app.include_router(snapshots.router)
    app.include_router(runs.router)

    @app.get("/healthz", response_model=Health, tags=["service"])
    def healthz() -> Health:
        """Liveness: the process answers (storage is not touched)."""
        return Health()

    return app
