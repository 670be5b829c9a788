"""The docs describe the product as it is: no wording about the project's history.

docs/writing-docs.md states the rule: issue numbers, waves of work and the system this one
grew out of belong only in the README's short "Origins" section. Other projects' issue
threads (docs/openai.md cites recordings quoted in them) are sources, not this project's
history, so "issue thread" is allowed; "issue 12", "issue #12" and "(issue" are not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
HISTORY = re.compile(
    r"issue \d|issue #|\(issue|wave \d|wave-\d|original system|the seed", re.IGNORECASE
)
# Sections the check skips: (file, heading).
EXEMPT = {("README.md", "## Origins")}


def history_wording(name: str, text: str) -> list[str]:
    """Each line of `text` outside its exempt sections that speaks of history, as name:line."""
    found, skipping, level = [], False, 0
    in_code = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("```"):
            in_code = not in_code
        heading = None if in_code else re.match(r"^(#+) ", line)
        if heading and (not skipping or len(heading[1]) <= level):
            skipping, level = (name, line.strip()) in EXEMPT, len(heading[1])
        if not skipping and (match := HISTORY.search(line)):
            found.append(f"{name}:{number}: {match[0]!r} in {line.strip()!r}")
    return found


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_speaks_of_the_projects_history(path: Path) -> None:
    name = str(path.relative_to(ROOT))
    assert history_wording(name, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "line",
    [
        "## `run_snapshot` overhead (issue 2)",
        "Issue 10's mapping must not slow the default path.",
        "as asked in issue #12",
        "### Wave 3: the speed work",
        "after every wave-3 merge",
        "against about $0.01 for the original system",
        "The seed's message stays verbatim.",
    ],
)
def test_history_wording_is_found(line: str) -> None:
    assert history_wording("docs/x.md", f"# Page\n\n{line}\n") != []


def test_other_projects_issue_threads_and_exempt_sections_pass() -> None:
    page = (
        "# Page\n\nThese are recordings quoted in issue threads of other projects.\n"
        "Run it with `--seed 7`; each test issues no DDL.\n"
    )
    assert history_wording("docs/other.md", page) == []
    readme = "# Title\n\n## Origins\n\nthe original system\n\n## Next\n\nthe original system\n"
    assert history_wording("README.md", readme) == [
        "README.md:9: 'original system' in 'the original system'"
    ]
