"""Suite-wide settings: Hypothesis profiles (deterministic in CI) and the no-network guard."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Session fixtures shared by the storage suites: a migrated SQLite template, a scratch
# PostgreSQL database (skipped without a server locally, failing under CI).
pytest_plugins = ["tests.contract.databases"]

# CI: derandomized and bounded, so a run is repeatable and its time predictable.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# --- model-request guard (owned by the OpenAI adapter work) ---------------------------------
import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _block_model_requests():
    """No test may call a real model API: the OpenAI adapter refuses non-loopback hosts.

    Tests that need a model use the fake one, or the adapter against a local server on
    127.0.0.1 (tests/integration/openai). Without the `openai` extra nothing could call out.
    """
    try:
        import snapshot_adapters.openai as openai_adapter
    except ImportError:
        yield
        return
    previous = openai_adapter.ALLOW_MODEL_REQUESTS
    openai_adapter.ALLOW_MODEL_REQUESTS = False
    yield
    openai_adapter.ALLOW_MODEL_REQUESTS = previous
