"""Settings for jobs: the visibility timeout outlasts the lease; workers refuse unshared storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from snapshot_adapters.jobs.app import redis_url, require_shared_storage
from snapshot_adapters.settings import Settings
from snapshot_core.domain import InvalidSettingsError

from ..cli_runner import run_cli

BROKER = "redis://127.0.0.1:6379/0"


def test_a_visibility_timeout_not_above_the_lease_is_refused_naming_both() -> None:
    with pytest.raises(InvalidSettingsError) as refused:
        Settings(broker_url=BROKER, lease_seconds=300, visibility_timeout=300)
    message = str(refused.value)
    assert "SNAPSHOT_VISIBILITY_TIMEOUT (300 s)" in message
    assert "claim lease (300 s: SNAPSHOT_LEASE_SECONDS" in message


def test_the_lease_compared_is_the_one_a_claim_gets() -> None:
    # 60 s call + 30 s save wait + 10 s margin = 100 s, above SNAPSHOT_LEASE_SECONDS=70.
    with pytest.raises(InvalidSettingsError, match=r"claim lease \(100 s"):
        Settings(broker_url=BROKER, lease_seconds=70, llm_timeout=60, visibility_timeout=90)
    assert Settings(broker_url=BROKER, lease_seconds=70, llm_timeout=60, visibility_timeout=101)


def test_without_a_broker_the_visibility_timeout_is_not_checked() -> None:
    assert Settings(lease_seconds=300, visibility_timeout=10).visibility_timeout == 10


@pytest.mark.parametrize("url", ["sqlite:///snapshot.db", "memory://"])
def test_workers_refuse_storage_other_processes_cannot_share(url: str) -> None:
    with pytest.raises(InvalidSettingsError, match="use PostgreSQL"):
        require_shared_storage(Settings(database_url=url))


def test_an_amqp_broker_needs_a_redis_url_for_budgets_and_job_states() -> None:
    with pytest.raises(InvalidSettingsError, match="SNAPSHOT_REDIS_URL: needed"):
        redis_url(Settings(broker_url="amqp://guest:guest@127.0.0.1:5672//"))
    assert redis_url(Settings(broker_url=BROKER)) == BROKER


def test_the_worker_command_refuses_sqlite_with_the_catalogue_error(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "worker", SNAPSHOT_BROKER_URL=BROKER)
    assert result.returncode == 1
    assert "Invalid settings: SNAPSHOT_DATABASE_URL: sqlite:///snapshot.db cannot be shared" in (
        result.stderr
    )
    assert "Code: invalid_settings" in result.stderr
    assert "Traceback" not in result.stderr


def test_enqueue_without_a_broker_says_which_setting_is_missing(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "enqueue", "src-1", "--user", "alice")
    assert result.returncode == 1
    assert "SNAPSHOT_BROKER_URL: not set" in result.stderr


def test_an_unreachable_queue_is_a_catalogue_error_that_names_no_password(
    tmp_path: Path,
) -> None:
    url = "redis://:hunter2-secret@127.0.0.1:1/0"  # nothing listens on port 1
    result = run_cli(tmp_path, "enqueue", "src-1", "--user", "alice", SNAPSHOT_BROKER_URL=url)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: Job queue unavailable")
    assert "Code: queue_unavailable" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
