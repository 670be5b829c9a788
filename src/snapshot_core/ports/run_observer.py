"""RunObserver port: told of every finished run, so runs can be traced and measured elsewhere."""

from __future__ import annotations

from typing import Protocol

from ..domain.runs import SnapshotRun

__all__ = ["NO_OBSERVER", "NoRunObserver", "RunObserver"]


class RunObserver(Protocol):
    """Sees each run once it is finished and committed: ``succeeded`` or ``failed`` after its
    call, or ``abandoned`` when a later attempt finds it never finished.

    Implementation: ``snapshot_adapters.telemetry.OpenTelemetryRunObserver``. It is called on
    the thread that finished the run, after the commit; whatever it raises is logged and
    ignored, so an observer can never break a run.
    """

    def run_finished(self, run: SnapshotRun, *, requested_model: str | None) -> None:
        """``run`` as stored (``run.model`` is the model that answered, when one did);
        ``requested_model`` is the model the request named."""
        ...


class NoRunObserver:
    """The default observer: does nothing."""

    def run_finished(self, run: SnapshotRun, *, requested_model: str | None) -> None:
        return None


NO_OBSERVER = NoRunObserver()
