"""SNAPSHOT_TELEMETRY in the container: off costs nothing, otel needs the extra and says so."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from snapshot_adapters import Settings, build_orchestrator
from snapshot_adapters.fake import FAKE_MODEL_NAME
from snapshot_adapters.telemetry import OpenTelemetryRunObserver
from snapshot_core.domain import InvalidSettingsError

EXTRA = re.escape('pip install "snapshot-orchestrator[telemetry]"')


def _without_opentelemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the extra were not installed: every opentelemetry module is unimportable, and
    the telemetry package is imported afresh."""
    for name in list(sys.modules):
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            monkeypatch.setitem(sys.modules, name, None)
        if name.startswith("snapshot_adapters.telemetry"):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "opentelemetry", None)


def test_without_the_extra_importing_telemetry_fails_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_opentelemetry(monkeypatch)
    with pytest.raises(ImportError, match=f"^opentelemetry-api is needed .*{EXTRA}$"):
        importlib.import_module("snapshot_adapters.telemetry")


def test_snapshot_telemetry_otel_without_the_extra_fails_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_opentelemetry(monkeypatch)
    settings = Settings(database_url="memory://", llm="fake", telemetry="otel")
    with pytest.raises(ImportError, match=EXTRA):
        build_orchestrator(settings)


def test_snapshot_telemetry_otel_gives_the_orchestrator_an_opentelemetry_observer() -> None:
    fake = build_orchestrator(Settings(database_url="memory://", llm="fake", telemetry="otel"))
    assert isinstance(fake.observer, OpenTelemetryRunObserver)
    assert fake.observer.provider_name == "fake"
    azure = build_orchestrator(
        Settings(
            database_url="memory://",
            telemetry="otel",
            azure_openai_endpoint="https://example.openai.azure.com",
            azure_openai_api_key="test-key",
        )
    )
    assert isinstance(azure.observer, OpenTelemetryRunObserver)
    assert azure.observer.provider_name == "azure.ai.openai"


def test_an_unknown_snapshot_telemetry_value_is_refused_naming_the_setting() -> None:
    with pytest.raises(InvalidSettingsError, match="SNAPSHOT_TELEMETRY"):
        Settings(telemetry="jaeger")


def _python(code: str, **env: str) -> str:
    """Runs ``code`` in a fresh interpreter (global providers and imports start empty)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**clean, "SNAPSHOT_DATABASE_URL": "memory://", "SNAPSHOT_LLM": "fake", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


RUN_ONE = """
    from snapshot_adapters import build_orchestrator
    from snapshot_adapters.fake import synthetic_estimates

    orchestrator = build_orchestrator()
    source_id = orchestrator.ingest_estimates(user_id="u1", rows=synthetic_estimates(60))
    orchestrator.bucket_source(source_id=source_id, user_id="u1")
    orchestrator.run_snapshot(source_id=source_id, user_id="u1")
"""


def test_by_default_no_observer_is_called_and_nothing_of_opentelemetry_is_imported() -> None:
    printed = _python(
        RUN_ONE
        + """
    import json, sys
    from snapshot_core.ports import NO_OBSERVER
    loaded = [m for m in sys.modules if m.startswith(("opentelemetry", "snapshot_adapters.tele"))]
    print(json.dumps({"no_observer": orchestrator.observer is NO_OBSERVER, "loaded": loaded}))
    """
    )
    assert json.loads(printed) == {"no_observer": True, "loaded": []}


def test_with_otel_and_global_sdk_providers_each_run_is_exported() -> None:
    printed = _python(
        """
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    spans, reader = InMemorySpanExporter(), InMemoryMetricReader()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    """
        + RUN_ONE
        + """
    import json
    data = reader.get_metrics_data()
    names = sorted(
        m.name for r in data.resource_metrics for s in r.scope_metrics for m in s.metrics
    )
    [span] = spans.get_finished_spans()
    system = span.attributes["gen_ai.system"]
    print(json.dumps({"span": span.name, "system": system, "metrics": names}))
    """,
        SNAPSHOT_TELEMETRY="otel",
    )
    assert json.loads(printed) == {
        "span": f"chat {FAKE_MODEL_NAME}",
        "system": "fake",
        "metrics": [
            "gen_ai.client.operation.duration",
            "gen_ai.client.token.usage",
            "snapshot.run.cost_usd",
            "snapshot.runs",
        ],
    }
