"""OpenTelemetry for snapshot runs: a `chat {model}` span and GenAI metrics per finished run.

Needs the ``telemetry`` extra (opentelemetry-api). You configure the SDK and its exporters;
without an SDK the API records nothing, so this costs next to nothing.
"""

from __future__ import annotations

try:
    import opentelemetry.metrics as _metrics  # noqa: F401
    import opentelemetry.trace as _trace  # noqa: F401
except ImportError as _missing:
    raise ImportError(
        "opentelemetry-api is needed for telemetry (SNAPSHOT_TELEMETRY=otel): "
        'pip install "snapshot-orchestrator[telemetry]"'
    ) from _missing

from .observer import *  # noqa: F403
from .observer import __all__ as _observer_all

__all__ = [*_observer_all]
