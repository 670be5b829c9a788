"""OpenTelemetryRunObserver: each finished run as a GenAI client span and GenAI client metrics.

Names follow the OpenTelemetry semantic conventions for generative AI (status Development;
``gen_ai.provider.name`` as from v1.37, with the older ``gen_ai.system`` beside it): span
``chat {gen_ai.request.model}`` of kind CLIENT, ``gen_ai.*`` attributes, ``error.type``, and
the metrics ``gen_ai.client.token.usage`` and ``gen_ai.client.operation.duration``. What the
conventions do not cover is ours, under ``snapshot.*``. No user text goes out: ids, model
names, counts and error codes only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, StatusCode

from snapshot_core import __version__
from snapshot_core.domain import RunOutcome, SnapshotRun

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = [
    "COST_METRIC",
    "DURATION_METRIC",
    "RUNS_METRIC",
    "SCOPE",
    "TOKENS_METRIC",
    "OpenTelemetryRunObserver",
]

SCOPE = "snapshot_adapters.telemetry"
OPERATION = "chat"  # the conventions' name for a Chat Completions call

RUNS_METRIC = "snapshot.runs"
COST_METRIC = "snapshot.run.cost_usd"
TOKENS_METRIC = "gen_ai.client.token.usage"
DURATION_METRIC = "gen_ai.client.operation.duration"

# The bucket boundaries the conventions ask for.
TOKEN_BUCKETS = [4.0**power for power in range(14)]
DURATION_BUCKETS = [0.01 * 2.0**power for power in range(14)]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _nanoseconds(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000


class OpenTelemetryRunObserver:
    """A ``RunObserver`` that records each finished run with the OpenTelemetry API.

    Without ``tracer_provider``/``meter_provider`` it uses the global ones, as they are when a
    run finishes (so they may be set after this is built). ``provider_name`` is the
    ``gen_ai.provider.name`` (and legacy ``gen_ai.system``): ``openai``, ``azure.ai.openai``...
    """

    def __init__(
        self,
        *,
        provider_name: str = "openai",
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self.provider_name = provider_name
        self._tracer = trace.get_tracer(SCOPE, __version__, tracer_provider=tracer_provider)
        meter = metrics.get_meter(SCOPE, __version__, meter_provider=meter_provider)
        self._runs = meter.create_counter(
            RUNS_METRIC, unit="{run}", description="Snapshot runs finished, by outcome and code."
        )
        self._cost = meter.create_counter(
            COST_METRIC, unit="{USD}", description="Cost of the model calls, in US dollars."
        )
        self._tokens = meter.create_histogram(
            TOKENS_METRIC,
            unit="{token}",
            description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=TOKEN_BUCKETS,
        )
        self._duration = meter.create_histogram(
            DURATION_METRIC,
            unit="s",
            description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenTelemetryRunObserver:
        """Global providers; the provider name from the backend the settings choose."""
        if settings.llm == "fake":
            return cls(provider_name="fake")
        return cls(provider_name="azure.ai.openai" if settings.azure_openai_endpoint else "openai")

    def run_finished(self, run: SnapshotRun, *, requested_model: str | None) -> None:
        model = requested_model or run.model
        common: dict[str, Any] = {
            "gen_ai.operation.name": OPERATION,
            "gen_ai.provider.name": self.provider_name,
            "gen_ai.system": self.provider_name,  # the name before semconv 1.37, still read
        }
        if model:
            common["gen_ai.request.model"] = model
        outcome: dict[str, Any] = {"snapshot.run.outcome": run.outcome.value}
        if run.error_code:
            outcome["snapshot.error.code"] = run.error_code
        self._runs.add(1, {**common, **outcome})
        if run.outcome is RunOutcome.ABANDONED:
            # Its holder died mid-call: no end time, no usage. Counted, not drawn as a span
            # (a span would claim a duration the call never had).
            return
        # A reply with usage says which model answered; a failed request leaves it unknown.
        answered = bool(run.prompt_tokens or run.completion_tokens)
        if answered and run.model:
            common["gen_ai.response.model"] = run.model
        failed = run.outcome is not RunOutcome.SUCCEEDED
        error = {"error.type": run.error_code or run.outcome.value} if failed else {}
        self._span(run, model, {**common, **outcome, **error}, answered)
        self._duration.record(run.latency_ms / 1000, {**common, **error})
        if answered:
            self._tokens.record(run.prompt_tokens, {**common, "gen_ai.token.type": "input"})
            self._tokens.record(run.completion_tokens, {**common, "gen_ai.token.type": "output"})
        if run.cost_usd is not None:
            self._cost.add(float(run.cost_usd), common)

    def _span(
        self, run: SnapshotRun, model: str | None, attributes: dict[str, Any], answered: bool
    ) -> None:
        attributes |= {
            "snapshot.run.id": run.run_id,
            "snapshot.run.attempt": run.attempt,
            "snapshot.source.id": run.source_id,
        }
        if run.snapshot_id:
            attributes["snapshot.snapshot.id"] = run.snapshot_id
        if answered:
            attributes["gen_ai.usage.input_tokens"] = run.prompt_tokens
            attributes["gen_ai.usage.output_tokens"] = run.completion_tokens
        if run.cached_tokens:  # part of the input tokens, as in the conventions
            attributes["gen_ai.usage.cache_read.input_tokens"] = run.cached_tokens
        if run.cost_usd is not None:
            attributes["snapshot.run.cost_usd"] = float(run.cost_usd)
        # The span is the run: from the claim to the save, with the run's own times; the
        # call alone is gen_ai.client.operation.duration.
        span = self._tracer.start_span(
            f"{OPERATION} {model}" if model else OPERATION,
            kind=SpanKind.CLIENT,
            attributes=attributes,
            start_time=_nanoseconds(run.started_at),
        )
        if "error.type" in attributes:
            span.set_status(StatusCode.ERROR, attributes["error.type"])
        span.end(end_time=_nanoseconds(run.finished_at or run.started_at))
