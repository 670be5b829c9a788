"""The Celery app test workers run: settings from the environment, the fake model with a delay.

Started as ``python -m celery -A tests.integration.jobs.worker_app worker ...`` by the tests.
"""

from __future__ import annotations

import os
from dataclasses import replace

from snapshot_adapters import build_orchestrator
from snapshot_adapters.fake import FakeModel
from snapshot_adapters.jobs import create_app
from snapshot_adapters.jobs.app import transport_options
from snapshot_adapters.settings import Settings, load_settings
from snapshot_core import Orchestrator


def _orchestrator(settings: Settings) -> Orchestrator:
    if settings.llm != "fake":
        return build_orchestrator(settings)
    delay = float(os.environ.get("SNAPSHOT_TEST_FAKE_DELAY", "0"))
    built = build_orchestrator(settings)
    return replace(built, model=FakeModel(delay, deadline_seconds=settings.llm_timeout))


app = create_app(load_settings(), orchestrator_factory=_orchestrator)
app.conf.task_default_queue = os.environ.get("SNAPSHOT_TEST_QUEUE", "snapshots")
if os.environ.get("SNAPSHOT_TEST_VISIBILITY"):  # a misconfiguration, on purpose
    app.conf.broker_transport_options = transport_options(
        float(os.environ["SNAPSHOT_TEST_VISIBILITY"])
    )
