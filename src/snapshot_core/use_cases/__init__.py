"""Use cases: the application's operations, written against the ports only."""

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
