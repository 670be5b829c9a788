"""OpenTelemetryRunObserver with the real SDK's in-memory span exporter and metric reader."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from rich.console import Console

from snapshot_adapters.cli.render import print_stats
from snapshot_adapters.fake import (
    FAKE_MODEL_NAME,
    MISBEHAVING_MODELS,
    FakeModel,
    FixedClock,
    SequentialIds,
    synthetic_estimates,
)
from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.telemetry import (
    COST_METRIC,
    DURATION_METRIC,
    RUNS_METRIC,
    TOKENS_METRIC,
    OpenTelemetryRunObserver,
)
from snapshot_core import AgentInput, CallFacts, ModelReply, Orchestrator, RunPolicy, SnapshotError
from snapshot_core.domain import RunOutcome, SnapshotRun

from ...unit.test_run_observer import DiesOnce, HolderDied

USER = "alice@example.com"  # user text: must never reach a span or a metric
SOURCE_NAME = "Acme Roofing, confidential"


@dataclass
class Telemetry:
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader
    observer: OpenTelemetryRunObserver
    tracer_provider: TracerProvider

    def finished_spans(self) -> tuple[ReadableSpan, ...]:
        return self.spans.get_finished_spans()

    def points(self, name: str) -> list[tuple[dict[str, Any], Any]]:
        """(attributes, data point) of every series of the metric ``name``."""
        data = self.metrics.get_metrics_data()
        found = []
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == name:
                        found += [(dict(p.attributes or {}), p) for p in metric.data.data_points]
        return found


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    spans, reader = InMemorySpanExporter(), InMemoryMetricReader()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    meter_provider = MeterProvider(metric_readers=[reader])
    observer = OpenTelemetryRunObserver(
        provider_name="openai", tracer_provider=tracer_provider, meter_provider=meter_provider
    )
    yield Telemetry(spans, reader, observer, tracer_provider)
    tracer_provider.shutdown()
    meter_provider.shutdown()


class PricedModel(FakeModel):
    """Answers after two seconds (of the fixed clock), as a dated model, with a price and
    some input tokens read from the provider's cache."""

    def __init__(self, clock: FixedClock) -> None:
        super().__init__()
        self.clock = clock

    def respond(self, agent_input: AgentInput, facts: CallFacts) -> ModelReply:
        self.clock.advance(seconds=2)
        usage = facts.usage.model_copy(update={"cached_tokens": 32})
        priced = {"model": "fake-2026-01-05", "cost_usd": Decimal("0.0042"), "usage": usage}
        return super().respond(agent_input, facts.model_copy(update=priced))


@dataclass
class Setup:
    orchestrator: Orchestrator
    store: MemoryStore
    clock: FixedClock
    source_id: str


def setup(telemetry: Telemetry, model: FakeModel | None = None, **policy: Any) -> Setup:
    store, clock = MemoryStore(), FixedClock()
    orchestrator = Orchestrator(
        uow_factory=store,
        model=model or PricedModel(clock),
        clock=clock,
        ids=SequentialIds(),
        policy=RunPolicy(max_weeks=1000, **policy),
        observer=telemetry.observer,
    )
    source_id = orchestrator.ingest_estimates(
        user_id=USER, rows=synthetic_estimates(60), name=SOURCE_NAME
    )
    orchestrator.bucket_source(source_id=source_id, user_id=USER)
    return Setup(orchestrator, store, clock, source_id)


def run(s: Setup, *, awaited: bool = False) -> str:
    if awaited:
        return asyncio.run(s.orchestrator.arun_snapshot(source_id=s.source_id, user_id=USER))
    return s.orchestrator.run_snapshot(source_id=s.source_id, user_id=USER)


def _ns(run: SnapshotRun, field: str) -> int:
    return int(getattr(run, field).timestamp()) * 10**9


COMMON = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.system": "openai",
    "gen_ai.request.model": FAKE_MODEL_NAME,
}


@pytest.mark.parametrize("awaited", [False, True], ids=["sync", "async"])
def test_a_successful_run_is_one_chat_span_and_its_metrics(
    telemetry: Telemetry, awaited: bool
) -> None:
    s = setup(telemetry)
    snapshot_id = run(s, awaited=awaited)
    [stored] = s.store.runs
    [span] = telemetry.finished_spans()
    assert span.name == f"chat {FAKE_MODEL_NAME}"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert (span.start_time, span.end_time) == (
        _ns(stored, "started_at"),
        _ns(stored, "finished_at"),
    )
    assert span.end_time - span.start_time == 2 * 10**9  # the run's own times, not the export's
    answered = {**COMMON, "gen_ai.response.model": "fake-2026-01-05"}
    assert dict(span.attributes or {}) == {
        **answered,
        "gen_ai.usage.input_tokens": stored.prompt_tokens,
        "gen_ai.usage.output_tokens": 90,
        "gen_ai.usage.cache_read.input_tokens": 32,
        "snapshot.run.outcome": "succeeded",
        "snapshot.run.id": stored.run_id,
        "snapshot.run.attempt": 1,
        "snapshot.source.id": s.source_id,
        "snapshot.snapshot.id": snapshot_id,
        "snapshot.run.cost_usd": 0.0042,
    }
    [(attributes, runs)] = telemetry.points(RUNS_METRIC)
    assert (attributes, runs.value) == ({**COMMON, "snapshot.run.outcome": "succeeded"}, 1)
    tokens = {
        a["gen_ai.token.type"]: (a, p.count, p.sum) for a, p in telemetry.points(TOKENS_METRIC)
    }
    assert tokens == {
        "input": ({**answered, "gen_ai.token.type": "input"}, 1, stored.prompt_tokens),
        "output": ({**answered, "gen_ai.token.type": "output"}, 1, 90),
    }
    [(attributes, duration)] = telemetry.points(DURATION_METRIC)
    assert (attributes, duration.count, duration.sum) == (answered, 1, 2.0)
    [(attributes, cost)] = telemetry.points(COST_METRIC)
    assert (attributes, cost.value) == (answered, pytest.approx(0.0042))


@pytest.mark.parametrize("awaited", [False, True], ids=["sync", "async"])
def test_the_run_span_is_a_child_of_the_span_current_when_the_run_is_made(
    telemetry: Telemetry, awaited: bool
) -> None:
    s = setup(telemetry)
    with telemetry.tracer_provider.get_tracer("app").start_as_current_span("request") as request:
        run(s, awaited=awaited)
    chat, parent = telemetry.finished_spans()
    assert parent is not None and parent.name == "request"
    assert chat.parent is not None and chat.parent.span_id == request.get_span_context().span_id
    assert chat.context is not None and chat.context.trace_id == parent.context.trace_id


@pytest.mark.parametrize(
    ("model_class", "code"), MISBEHAVING_MODELS.values(), ids=list(MISBEHAVING_MODELS)
)
def test_each_kind_of_failure_is_an_error_span_with_its_code(
    telemetry: Telemetry, model_class: type[FakeModel], code: str
) -> None:
    s = setup(telemetry, model_class())
    with pytest.raises(SnapshotError):
        run(s)
    [stored] = s.store.runs
    [span] = telemetry.finished_spans()
    assert (span.status.status_code, span.status.description) == (StatusCode.ERROR, code)
    attributes = dict(span.attributes or {})
    assert (attributes["error.type"], attributes["snapshot.error.code"]) == (code, code)
    assert attributes["snapshot.run.outcome"] == "failed"
    assert "snapshot.snapshot.id" not in attributes
    # A call that timed out before any reply has no usage to report, and reports none.
    answered = stored.prompt_tokens > 0
    assert ("gen_ai.usage.input_tokens" in attributes) is answered
    assert bool(telemetry.points(TOKENS_METRIC)) is answered
    [(counted, runs)] = telemetry.points(RUNS_METRIC)
    assert (counted["snapshot.run.outcome"], counted["snapshot.error.code"], runs.value) == (
        "failed",
        code,
        1,
    )
    [(timed, _)] = telemetry.points(DURATION_METRIC)
    assert timed["error.type"] == code


def test_a_run_found_abandoned_is_counted_but_not_drawn_as_a_span(telemetry: Telemetry) -> None:
    s = setup(telemetry, DiesOnce(), lease_seconds=300)
    with pytest.raises(HolderDied):
        run(s)
    s.clock.advance(seconds=301)
    run(s)
    runs = {a["snapshot.run.outcome"]: p.value for a, p in telemetry.points(RUNS_METRIC)}
    assert runs == {"abandoned": 1, "succeeded": 1}
    [span] = telemetry.finished_spans()
    assert (span.attributes or {})["snapshot.run.attempt"] == 2
    assert [p.count for _, p in telemetry.points(DURATION_METRIC)] == [1]
    assert [r.outcome for r in s.store.runs] == [RunOutcome.ABANDONED, RunOutcome.SUCCEEDED]


def test_no_user_text_reaches_a_span_or_a_metric(telemetry: Telemetry) -> None:
    s = setup(telemetry)
    run(s)
    refused = MISBEHAVING_MODELS["refusal"][0]
    t = setup(telemetry, refused())
    with pytest.raises(SnapshotError):
        run(t)
    written = [dict(span.attributes or {}) for span in telemetry.finished_spans()]
    written += [a for name in (RUNS_METRIC, TOKENS_METRIC) for a, _ in telemetry.points(name)]
    values = " ".join(str(value) for attributes in written for value in attributes.values())
    assert t.store.runs[0].detail  # the refusal text is on the run record ...
    for text in (USER, SOURCE_NAME, t.store.runs[0].detail):
        assert text not in values  # ... and never in telemetry


def test_the_metrics_add_up_to_what_snapshot_stats_shows_from_storage(
    telemetry: Telemetry,
) -> None:
    s = setup(telemetry, lease_seconds=300)
    run(s)  # succeeded
    for model in (MISBEHAVING_MODELS["refusal"][0](), DiesOnce()):
        o = replace(s.orchestrator, model=model)
        source_id = o.ingest_estimates(user_id=USER, rows=synthetic_estimates(60))
        o.bucket_source(source_id=source_id, user_id=USER)
        with pytest.raises((SnapshotError, HolderDied)):
            o.run_snapshot(source_id=source_id, user_id=USER)  # failed; then died mid-call
    s.clock.advance(seconds=301)
    o.run_snapshot(source_id=source_id, user_id=USER)  # abandoned, then succeeded

    stats = s.orchestrator.run_stats(user_id=USER)
    counted: dict[str, float] = {}
    for attributes, point in telemetry.points(RUNS_METRIC):
        key = attributes.get("snapshot.error.code", attributes["snapshot.run.outcome"])
        counted[key] = point.value
    from_storage = {"succeeded": stats.succeeded, "abandoned": stats.possibly_billed_runs}
    assert counted == from_storage | stats.failed_by_code
    assert sum(counted.values()) == stats.runs == 4
    tokens = {"input": 0, "output": 0}
    for attributes, point in telemetry.points(TOKENS_METRIC):  # one series per response model
        tokens[attributes["gen_ai.token.type"]] += point.sum
    assert tokens == {"input": stats.prompt_tokens, "output": stats.completion_tokens}
    cost = sum(point.value for _, point in telemetry.points(COST_METRIC))
    assert cost == pytest.approx(float(stats.cost_usd)) and stats.cost_usd > 0
    timed = sum(p.count for _, p in telemetry.points(DURATION_METRIC))
    assert timed == stats.runs - stats.possibly_billed_runs  # the calls stats takes p50/p95 of

    console = Console(record=True, width=80)
    print_stats(console, stats)
    assert re.search(r"^possibly billed\s+│\s+1$", console.export_text(), re.MULTILINE)
