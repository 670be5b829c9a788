"""Renders the current HTML report of the demo snapshot to docs/img/report.png (headless Chromium).

    .venv/bin/python scripts/screenshot_report.py [--chromium chromium] [--width 1000]

Makes a demo snapshot in a temporary directory (fake model, synthetic estimates), writes
`snapshot show --latest SOURCE --format html` to a file and screenshots it, so the README's
picture is always the report as the code renders it today. Needs Chromium
(`apt-get install -y chromium`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "img" / "report.png"


def _snapshot(workdir: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))}
    result = subprocess.run(
        [sys.executable, "-m", "snapshot_adapters.cli.main", *args],
        cwd=workdir,
        env={**env, "SNAPSHOT_LLM": "fake"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--width", type=int, default=1000)
    parser.add_argument("--height", type=int, default=1150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        _snapshot(workdir, "demo", "--estimates", "480")
        (source,) = json.loads(_snapshot(workdir, "sources", "--user", "demo-user", "--json"))
        html = _snapshot(
            workdir,
            "show",
            "--latest",
            source["source_id"],
            "--user",
            "demo-user",
            "--format",
            "html",
        )
        page = workdir / "report.html"
        page.write_text(html, encoding="utf-8")
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                args.chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--window-size={args.width},{args.height}",
                f"--screenshot={TARGET}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
    print(TARGET)


if __name__ == "__main__":
    main()
