"""Writes ``adapters/snapshot_adapters/sql/direct/statements.py``: the statements the direct
SQLite store runs, compiled by SQLAlchemy from the SQL repositories themselves.

    .venv/bin/python scripts/compile_sqlite_statements.py [--check]

Re-run it whenever a statement of ``sql/`` that the direct store runs changes (the test
``tests/integration/sql/test_direct_statements.py`` fails until then); ``--check`` only says
whether the file is up to date (exit code 1 if not).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "adapters" / "snapshot_adapters" / "sql" / "direct" / "statements.py"
SCRIPT = "scripts/compile_sqlite_statements.py"


def generated() -> str:
    """The module's text, formatted as the project formats code."""
    from snapshot_adapters.sql.direct.compiler import compile_statements, render_module

    text = render_module(compile_statements(), SCRIPT)
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(TARGET), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return formatted.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    options = parser.parse_args()
    text = generated()
    if options.check:
        same = TARGET.is_file() and TARGET.read_text() == text
        print(f"{TARGET.relative_to(ROOT)} is {'up to date' if same else 'out of date'}")
        return 0 if same else 1
    TARGET.write_text(text)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
