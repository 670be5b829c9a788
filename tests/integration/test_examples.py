"""Every embedding recipe under examples/ runs as a user would run it, and checks itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The Celery recipe needs a broker, a worker and a source: tests/integration/jobs runs it
# against real ones (test_jobs_cli.py); every other recipe runs on its own here.
EXAMPLES = sorted(
    path
    for path in (Path(__file__).resolve().parents[2] / "examples").glob("*.py")
    if path.name != "celery_task.py"
)
NEEDS = {"fastapi": "fastapi", "django": "django", "flask": "flask"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_the_example_runs_and_checks_itself(example: Path, tmp_path: Path) -> None:
    framework = next((m for prefix, m in NEEDS.items() if example.name.startswith(prefix)), None)
    if framework is not None:
        pytest.importorskip(framework, reason=f"{example.name} needs {framework} (dev extra)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))}
    done = subprocess.run(
        [sys.executable, str(example)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "snapshot" in done.stdout
    assert list(tmp_path.iterdir()) == []  # in-memory storage: nothing written where it ran


def test_there_is_a_recipe_for_each_framework() -> None:
    names = {p.name for p in EXAMPLES}
    assert {"fastapi_sync.py", "fastapi_async.py", "django_view.py", "flask_app.py"} <= names
