"""Use cases: the application's operations, written against the ports only."""

from typing import TYPE_CHECKING

from ..lazy_exports import export_lazily

if TYPE_CHECKING:
    from .api_keys import authenticate, create_api_key, list_api_keys, revoke_api_key
    from .bucket import bucket_source
    from .ingest import ingest_estimates
    from .orchestrator import Orchestrator
    from .queries import (
        get_snapshot,
        get_source,
        latest_snapshot_ids,
        list_runs,
        list_source_runs,
        list_sources,
        run_stats,
    )
    from .run_snapshot import (
        UNEXPECTED_ERROR,
        OneCallGuard,
        arun_snapshot,
        run_snapshot,
        validate_reply,
    )

__all__ = [
    "UNEXPECTED_ERROR",
    "OneCallGuard",
    "Orchestrator",
    "arun_snapshot",
    "authenticate",
    "bucket_source",
    "create_api_key",
    "get_snapshot",
    "get_source",
    "ingest_estimates",
    "latest_snapshot_ids",
    "list_api_keys",
    "list_runs",
    "list_source_runs",
    "list_sources",
    "revoke_api_key",
    "run_snapshot",
    "run_stats",
    "validate_reply",
]

export_lazily(
    __name__,
    {
        ".api_keys": ("authenticate", "create_api_key", "list_api_keys", "revoke_api_key"),
        ".bucket": ("bucket_source",),
        ".ingest": ("ingest_estimates",),
        ".orchestrator": ("Orchestrator",),
        ".queries": (
            "get_snapshot",
            "get_source",
            "latest_snapshot_ids",
            "list_runs",
            "list_source_runs",
            "list_sources",
            "run_stats",
        ),
        ".run_snapshot": (
            "UNEXPECTED_ERROR",
            "OneCallGuard",
            "arun_snapshot",
            "run_snapshot",
            "validate_reply",
        ),
    },
)
