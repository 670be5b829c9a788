"""Every optional dependency's guard: without the package, the message names what to install.

Each case runs in a fresh interpreter (so nothing is imported yet) that hides one package
first, then uses the part of the library that needs it, as a user without the extra would.
The web service's and telemetry's guards have their own tests (http/, telemetry/).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

HIDE_FROM_IMPORT = """
import sys
sys.modules[{name!r}] = None  # `import {name}` now raises ImportError, as when not installed
"""

HIDE_FROM_FIND_SPEC = """
import importlib.util
_find_spec = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: None if name == {name!r} else _find_spec(name, *a)
"""

CASES = {
    "jobs: celery": (
        HIDE_FROM_FIND_SPEC.format(name="celery"),
        "import snapshot_adapters.jobs",
        'pip install "snapshot-orchestrator[jobs]"',
    ),
    "postgres: psycopg": (
        HIDE_FROM_IMPORT.format(name="psycopg"),
        "from snapshot_adapters import build_orchestrator, Settings\n"
        "build_orchestrator(Settings(database_url='postgresql+psycopg://u@127.0.0.1/db'))",
        'pip install "snapshot-orchestrator[postgres]"',
    ),
    "xlsx: python_calamine": (
        HIDE_FROM_IMPORT.format(name="python_calamine"),
        "import io\n"
        "from snapshot_adapters.files.xlsx_records import SpreadsheetRecords\n"
        "SpreadsheetRecords(io.BytesIO(b'PK'), None)",
        "pip install 'snapshot-orchestrator[xlsx]'",
    ),
    "openai (a default dependency)": (
        HIDE_FROM_IMPORT.format(name="openai"),
        "import snapshot_adapters.openai",
        'pip install "snapshot-orchestrator"',
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_missing_optional_package_is_named_with_the_command_that_installs_it(
    case: str,
) -> None:
    hide, use, command = CASES[case]
    script = textwrap.dedent(hide) + "\n" + use + "\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode != 0, f"{case}: ran without the package\n{done.stdout}"
    last = done.stderr.strip().splitlines()[-1]
    assert command in last, done.stderr
