"""`snapshot enqueue | run-all` from the command line, against a real worker."""

from __future__ import annotations

from pathlib import Path

from ..cli_runner import run_cli
from .world import JobWorld


def _cli_env(world: JobWorld) -> dict[str, str]:
    names = ("SNAPSHOT_DATABASE_URL", "SNAPSHOT_BROKER_URL", "SNAPSHOT_REDIS_URL")
    return {name: world.env[name] for name in names} | {
        "SNAPSHOT_LLM_TIMEOUT": "1",
        "SNAPSHOT_SAVE_WAIT_SECONDS": "1",
        "SNAPSHOT_LEASE_SECONDS": "12",
        "SNAPSHOT_VISIBILITY_TIMEOUT": "14",
    }


def test_the_job_commands_are_listed_by_help(tmp_path: Path) -> None:
    listed = run_cli(tmp_path, "--help")
    assert listed.returncode == 0
    assert all(name in listed.stdout for name in ("worker", "enqueue", "run-all"))


def test_enqueue_prints_a_job_id_and_the_same_one_while_it_is_unfinished(
    redis_world: JobWorld, tmp_path: Path
) -> None:
    (source_id,) = redis_world.seed(1)
    env = _cli_env(redis_world)
    first = run_cli(tmp_path, "enqueue", source_id, "--user", "alice", **env)
    again = run_cli(tmp_path, "enqueue", source_id, "--user", "alice", **env)
    assert first.returncode == again.returncode == 0, first.stderr
    assert len(first.stdout.strip()) == 32 and again.stdout == first.stdout


def test_run_all_waits_and_sums_up_what_the_workers_made(
    redis_world: JobWorld, tmp_path: Path
) -> None:
    ids = redis_world.seed(6)
    redis_world.start_worker(concurrency=4, SNAPSHOT_TEST_QUEUE="snapshots")
    env = _cli_env(redis_world)
    result = run_cli(tmp_path, "run-all", "--user", "alice", "--wait", **env)
    assert result.returncode == 0, result.stderr
    assert "succeeded" in result.stdout and " 6 " in result.stdout
    assert "wall time" in result.stdout and "tokens" in result.stdout
    assert redis_world.all_generated(ids)
    nothing_left = run_cli(tmp_path, "run-all", "--all-users", **env)
    assert (nothing_left.returncode, nothing_left.stdout) == (0, "")
    # The jobs' waits, from storage: queue delay and budget wait (no budget set: none).
    stats = run_cli(tmp_path, "stats", "--user", "alice", **env)
    assert stats.returncode == 0, stats.stderr
    assert "queue delay p50" in stats.stdout and "queue delay p95" in stats.stdout
    assert "budget wait total" in stats.stdout and "0.0 ms" in stats.stdout
    # At 80 columns two ids and the outcome leave no room for it: said on stderr.
    narrow = run_cli(tmp_path, "runs", "--user", "alice", COLUMNS="80", **env)
    assert narrow.returncode == 0 and "queue/budget" in narrow.stderr, narrow.stderr
    runs = run_cli(tmp_path, "runs", "--user", "alice", COLUMNS="200", **env)
    lines = runs.stdout.splitlines()
    assert runs.returncode == 0 and "queue/budget" in lines[0], runs.stdout
    assert sum(" ms │" in line and "/0 ms" in line for line in lines) == 6, runs.stdout


def test_run_all_wants_exactly_one_of_user_and_all_users(tmp_path: Path) -> None:
    both = run_cli(tmp_path, "run-all", "--user", "alice", "--all-users")
    assert both.returncode == 2 and "exactly one of --user U and --all-users" in both.stderr


def test_the_celery_example_enqueues_and_follows_a_job_to_its_snapshot(
    redis_world: JobWorld, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    from .world import ROOT

    (source_id,) = redis_world.seed(1)
    redis_world.start_worker(concurrency=2, SNAPSHOT_TEST_QUEUE="snapshots")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "celery_task.py"), source_id, "alice"],
        env={**clean, **_cli_env(redis_world), "SNAPSHOT_LLM": "fake"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    state, snapshot_id = result.stdout.split()
    assert state == "succeeded"
    snapshot = redis_world.orchestrator().get_snapshot(snapshot_id=snapshot_id, user_id="alice")
    assert snapshot.meta.source_id == source_id
