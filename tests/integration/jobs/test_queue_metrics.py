"""Queue metrics go to whatever OpenTelemetry meter is installed, and nowhere without one."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from snapshot_adapters.jobs import metrics


class RecordingMeter:
    """Stands in for an SDK meter: keeps every histogram and what was recorded in it."""

    def __init__(self) -> None:
        self.recorded: dict[str, list[float]] = {}

    def create_histogram(self, name: str, unit: str, description: str) -> SimpleNamespace:
        values = self.recorded.setdefault(name, [])
        assert unit == "s" and description
        return SimpleNamespace(record=values.append)


def test_budget_waits_and_queue_delays_are_recorded_in_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    meter = RecordingMeter()
    fake_api = SimpleNamespace(get_meter=lambda name: meter)
    monkeypatch.setattr(metrics, "_otel_metrics", fake_api)
    recorder = metrics.QueueMetrics()
    recorder.budget_wait(0.75)
    recorder.queue_delay(2.5)
    recorder.queue_delay(-0.01)  # clocks of two machines: never a negative delay
    assert meter.recorded == {
        "snapshot.jobs.budget_wait": [0.75],
        "snapshot.jobs.queue_delay": [2.5, 0.0],
    }


def test_without_opentelemetry_nothing_is_recorded_and_nothing_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(metrics, "_otel_metrics", None)
    recorder = metrics.QueueMetrics()
    recorder.budget_wait(1.0)
    recorder.queue_delay(1.0)
    assert (recorder._budget_wait, recorder._queue_delay) == (None, None)
