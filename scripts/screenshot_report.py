"""Renders the HTML report of a demo source to docs/img/report.png (Debian's Chromium, Playwright).

    .venv/bin/python scripts/screenshot_report.py [--chromium /usr/bin/chromium] [--dark]

Writes a CSV of synthetic estimates with outcomes (the win rate drops in the last weeks, some
old estimates are still open), then runs the real CLI in a temporary directory with the fake
model: `ingest`, `bucket`, `run`, `show --latest SOURCE --format html`; and screenshots the
top of that page, so the README's picture is always the report as the code renders it today.
Needs Chromium (`apt-get install -y chromium`) and the dev extra (Playwright); downloads nothing.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "img" / "report.png"
USER = "demo-user"


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


def write_estimates(path: Path, count: int = 520, seed: int = 11) -> None:
    """Synthetic estimates (the demo's) with a status: about 55 % won of decided, falling to
    25 % in the last four weeks; the early open ones make a stale pipeline."""
    from snapshot_adapters.fake import synthetic_estimates

    rng = random.Random(seed)
    rows = list(synthetic_estimates(count, seed=seed, weeks=16))
    latest = max(row.sent_at for row in rows)
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(["amount", "sent_at", "decided_at", "status"])
        for row in rows:
            recent = (latest - row.sent_at).days < 35
            if row.decided_at is None:
                status = "pending"
            else:
                status = "won" if rng.random() < (0.25 if recent else 0.55) else "lost"
            decided = row.decided_at.isoformat() if row.decided_at else ""
            out.writerow([row.amount, row.sent_at.isoformat(), decided, status])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=1500)
    parser.add_argument("--dark", action="store_true", help="the dark colour scheme")
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        write_estimates(workdir / "estimates.csv")
        source = _snapshot(workdir, "ingest", "estimates.csv", "--user", USER).strip()
        _snapshot(workdir, "bucket", source, "--user", USER)
        _snapshot(workdir, "run", source, "--user", USER)
        html = _snapshot(workdir, "show", "--latest", source, "--user", USER, "--format", "html")
        page_file = workdir / "report.html"
        page_file.write_text(html, encoding="utf-8")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=args.chromium, args=["--no-sandbox", "--disable-dev-shm-usage"]
            )
            page = browser.new_page(
                viewport={"width": args.width, "height": args.height},
                color_scheme="dark" if args.dark else "light",
            )
            page.goto(page_file.as_uri())
            page.screenshot(path=str(args.out))
            browser.close()
    print(args.out)


if __name__ == "__main__":
    main()
