"""Every code block in README.md and docs/*.md runs (or is checked) here, so none goes stale.

The convention (docs/writing-docs.md): ```python blocks run in order, one namespace per
file; ```bash and ```console blocks run each `snapshot ...` line through the real CLI in a
temporary directory and check every other line against what the repository holds; blocks
after `<!-- docs-test: compile-only -->` are compiled, not run; ```text (and other
languages) are illustrations.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from snapshot_adapters.fake import synthetic_estimates

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMPILE_ONLY = "<!-- docs-test: compile-only"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.M)
RUN = {"python", "bash", "console", "sh", "shell"}


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    language: str
    code: str
    compile_only: bool

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks_of(path: Path) -> list[Block]:
    found, lines = [], path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        fence = re.match(r"^```(\w*)", lines[i])
        if not fence:
            i += 1
            continue
        start, language = i, fence[1]
        i += 1
        while not lines[i].startswith("```"):
            i += 1
        before = next((line for line in reversed(lines[:start]) if line.strip()), "")
        code = "\n".join(lines[start + 1 : i])
        found.append(Block(path, start + 1, language, code, before.startswith(COMPILE_ONLY)))
        i += 1
    return found


ALL = [block for path in DOCS for block in blocks_of(path)]


def _write_inputs(workdir: Path) -> None:
    rows = ["amount,sent_at,decided_at,notes,customer"]
    for row in synthetic_estimates(60, seed=3):
        decided = row.decided_at.isoformat() if row.decided_at else ""
        rows.append(f"{row.amount},{row.sent_at.isoformat()},{decided},,")
    for name in ("estimates.csv", "march.csv"):
        (workdir / name).write_text("\n".join(rows) + "\n", encoding="utf-8")


def _environment(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))}
    env.update(
        SNAPSHOT_LLM="fake",
        COLUMNS="120",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _write_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("SNAPSHOT_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SNAPSHOT_LLM", "fake")
    return tmp_path


def _namespace(workdir: Path) -> dict[str, object]:
    """What a python block may use without defining it: a bucketed source of 60 estimates
    for ``user_id`` in ./snapshot.db, an orchestrator on it (fake model), ``url``, ``log``."""
    from snapshot_adapters import Settings, build_orchestrator

    url = f"sqlite:///{workdir / 'snapshot.db'}"
    orchestrator = build_orchestrator(Settings(database_url=url, llm="fake"))
    user_id = "u1"
    source_id = orchestrator.ingest_estimates(user_id=user_id, rows=synthetic_estimates(60))
    orchestrator.bucket_source(source_id=source_id, user_id=user_id)
    return {
        "__name__": "__docs__",
        "url": url,
        "orchestrator": orchestrator,
        "build_orchestrator": build_orchestrator,
        "user_id": user_id,
        "source_id": source_id,
        "log": logging.getLogger("docs"),
    }


def _check_other_command(words: list[str]) -> None:
    """A shell line that is not `snapshot ...` must name something that exists here."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    if words[:2] == ["python3", "dev.py"]:
        dev = (ROOT / "dev.py").read_text(encoding="utf-8")
        assert f'command == "{words[2]}"' in dev, f"dev.py has no command {words[2]!r}"
    elif words[:2] == ["pip", "install"]:
        extra = re.fullmatch(r"snapshot-orchestrator\[(\w+)\]", words[2])
        assert extra and extra[1] in project["optional-dependencies"], words[2]
    elif words[0] in (".venv/bin/python", ".venv/bin/pytest", "bash"):
        assert (ROOT / words[1]).exists(), f"{words[1]} does not exist"
    elif words[:2] == [".", ".venv/bin/activate"]:
        pass
    else:
        raise AssertionError(f"unknown command in a shell block: {shlex.join(words)}")


def _run_shell(block: Block, workdir: Path) -> None:
    env, ids = _environment(workdir), {}
    lines = block.code.splitlines()
    if block.language == "console":
        lines = [line[2:] for line in lines if line.startswith("$ ")]
    for line in lines:
        command = line.split(" #")[0].strip()
        if not command:
            continue
        words = shlex.split(command)
        assignments = [w for w in words if re.fullmatch(r"[A-Z_]+=\S*", w)]
        words = words[len(assignments) :] if words[: len(assignments)] == assignments else words
        if not words:  # settings only (VAR=value lines): nothing to run
            continue
        if words[0] != "snapshot":
            _check_other_command(words)
            continue
        for placeholder, value in ids.items():
            command = command.replace(placeholder, value)
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"{block.id}: `{line}` failed:\n{result.stderr}"
        assert "Traceback" not in result.stderr
        printed = UUID.findall(result.stdout)
        if words[1] == "ingest" and printed:
            ids["SOURCE_ID"] = printed[-1]
        if words[1] == "run" and printed:
            ids["SNAPSHOT_ID"] = printed[-1]


def _python_before(block: Block) -> list[Block]:
    same_file = [b for b in ALL if b.path == block.path and b.language == "python"]
    return same_file[: same_file.index(block)] if block in same_file else []


@pytest.mark.parametrize("block", [b for b in ALL if b.language in RUN], ids=lambda b: b.id)
def test_every_code_block_in_the_docs_runs(block: Block, workdir: Path) -> None:
    _execute(block, workdir)


def _execute(block: Block, workdir: Path) -> None:
    if block.compile_only:
        compile(block.code, block.id, "exec")
        return
    if block.language != "python":
        _run_shell(block, workdir)
        return
    namespace = _namespace(workdir)
    for earlier in _python_before(block):  # a file's blocks build on each other
        if not earlier.compile_only:
            exec(compile(earlier.code, earlier.id, "exec"), namespace)
    exec(compile(block.code, block.id, "exec"), namespace)


@pytest.mark.parametrize(
    ("language", "code", "complaint"),
    [
        ("bash", "snapshot no-such-command", "failed"),
        ("bash", "rm -rf build", "unknown command"),
        ("bash", "python3 dev.py deploy", "no command 'deploy'"),
        ("console", "$ .venv/bin/python benchmarks/bench_nothing.py", "does not exist"),
        ("python", "assert 1 + 1 == 3, 'arithmetic'", "arithmetic"),
    ],
)
def test_a_stale_block_fails_the_suite(
    language: str, code: str, complaint: str, workdir: Path
) -> None:
    block = Block(ROOT / "docs" / "stale.md", 1, language, code, compile_only=False)
    with pytest.raises(AssertionError, match=re.escape(complaint)):
        _execute(block, workdir)
