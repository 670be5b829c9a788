"""`snapshot serve`: registered through the `snapshot.commands` entry point (cli never imports
this package); FastAPI and uvicorn are imported only when the command runs."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["register", "serve"]


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API (routes under /v1, Bearer API keys from `snapshot keys create`)."""
    try:
        import uvicorn
    except ImportError:
        raise ImportError(
            'snapshot serve needs uvicorn: pip install "snapshot-orchestrator[http]"'
        ) from None
    from .app import create_app

    if workers == 1:
        app = create_app()  # settings are checked now, before the port is taken
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
    else:  # each worker process builds its own app (and its own database pool)
        uvicorn.run(
            "snapshot_adapters.http.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            server_header=False,
        )


def register(app: typer.Typer) -> None:
    """Entry point of the ``snapshot.commands`` group (``cli/plugins.py``)."""
    app.command("serve")(serve)
