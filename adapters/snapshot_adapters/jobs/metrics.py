"""Queue-side metrics through the OpenTelemetry API: budget waits and queue delay.

The API alone records nothing (its meter is a no-op until an SDK is configured), and
without the package at all these calls do nothing either: no extra is needed to run jobs.
"""

from __future__ import annotations

from typing import Any

__all__ = ["QueueMetrics"]

_otel_metrics: Any
try:
    from opentelemetry import metrics as _otel_metrics
except ImportError:  # the telemetry extra is not installed: record nothing
    _otel_metrics = None


class QueueMetrics:
    """``snapshot.jobs.budget_wait`` (s a job is sent back to wait for the shared budget) and
    ``snapshot.jobs.queue_delay`` (s from enqueue to a worker starting the job)."""

    def __init__(self) -> None:
        self._budget_wait: Any = None
        self._queue_delay: Any = None
        if _otel_metrics is None:
            return
        meter = _otel_metrics.get_meter("snapshot_adapters.jobs")
        self._budget_wait = meter.create_histogram(
            "snapshot.jobs.budget_wait", unit="s", description="wait for the shared budget"
        )
        self._queue_delay = meter.create_histogram(
            "snapshot.jobs.queue_delay", unit="s", description="enqueue to first start"
        )

    def budget_wait(self, seconds: float) -> None:
        if self._budget_wait is not None:
            self._budget_wait.record(seconds)

    def queue_delay(self, seconds: float) -> None:
        if self._queue_delay is not None:
            self._queue_delay.record(max(0.0, seconds))
