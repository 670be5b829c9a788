"""Telling the RunObserver of finished runs: whatever an observer raises never breaks a run."""

from __future__ import annotations

import logging

from ..domain import SnapshotRun
from ..ports import RunObserver

__all__ = ["report_finished"]

logger = logging.getLogger(__name__)


def report_finished(observer: RunObserver, run: SnapshotRun, requested_model: str | None) -> None:
    """Hand the committed ``run`` to ``observer``; a failure is logged, not raised (the run
    is already on record, and telemetry is no reason to lose a paid-for snapshot)."""
    try:
        observer.run_finished(run, requested_model=requested_model)
    except Exception:
        logger.exception(
            "run observer %s failed on run %s (the run is unaffected)",
            type(observer).__name__,
            run.run_id,
        )
