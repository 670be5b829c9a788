"""What the CLI tells you about where you are and what it prints: data is never a terminal
command, read commands never create a database, tables fit 80 columns, Ctrl-C is one line."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from snapshot_adapters.fake import FakeModel, synthetic_estimates
from snapshot_adapters.fake.misbehaving import RefusingModel
from snapshot_adapters.files.forked_rows import can_fork
from snapshot_adapters.sql import create_sql_store
from snapshot_adapters.system import SystemClock, UuidIds
from snapshot_core import Orchestrator
from snapshot_core.domain import AgentInput, CallFacts, LlmApiError, ModelReply, SnapshotError

from ..cli_runner import run_cli

USER = "term-user"
ESC_TITLE = "\x1b]0;pwned\x07\x1b[2J"  # set the window title, clear the screen


class HostileModel(FakeModel):
    """A fake whose model name and headline carry terminal control sequences."""

    model_name = f"evil{ESC_TITLE}-model"

    def reply_content(self, agent_input: AgentInput) -> str:
        reply = json.loads(super().reply_content(agent_input))
        reply["headline"] = f"{ESC_TITLE}{reply['headline']}"
        return json.dumps(reply)


def _hostile_snapshot(workdir: Path) -> tuple[str, str]:
    store = create_sql_store(f"sqlite:///{workdir / 'snapshot.db'}")
    try:
        app = Orchestrator(
            uow_factory=store, model=HostileModel(), clock=SystemClock(), ids=UuidIds()
        )
        source_id = app.ingest_estimates(
            user_id=USER, rows=synthetic_estimates(60), name=f"march{ESC_TITLE}\x9b31m"
        )
        app.bucket_source(source_id=source_id, user_id=USER)
        return source_id, app.run_snapshot(source_id=source_id, user_id=USER)
    finally:
        store.dispose()


def test_control_sequences_in_names_model_text_and_model_names_never_reach_stdout(
    tmp_path: Path,
) -> None:
    source_id, snapshot_id = _hostile_snapshot(tmp_path)
    outputs = [
        run_cli(tmp_path, "sources", "--user", USER),
        run_cli(tmp_path, "sources", "--user", USER, "--json"),
        run_cli(tmp_path, "runs", source_id, "--user", USER),
        run_cli(tmp_path, "show", snapshot_id, "--user", USER),
        run_cli(tmp_path, "show", snapshot_id, "--user", USER, "--format", "json"),
        run_cli(tmp_path, "show", snapshot_id, "--user", USER, "--format", "html"),
    ]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert (
            "\x1b" not in result.stdout
            and "\x9b" not in result.stdout
            and "\x07" not in result.stdout
        )
    # Shown, visibly, as data (Rich itself drops BEL, backspace and carriage return).
    assert "march␛]0;pwned␛[2J" in outputs[0].stdout
    assert "␛]0;pwned" in outputs[3].stdout
    listed = json.loads(outputs[1].stdout)  # JSON keeps the exact characters, escaped
    assert listed[0]["name"] == f"march{ESC_TITLE}\x9b31m"
    shown = json.loads(outputs[4].stdout)
    assert shown["meta"]["model"] == HostileModel.model_name


def test_read_commands_never_create_a_database_and_writers_say_where(tmp_path: Path) -> None:
    for command in (["sources"], ["runs"], ["stats"], ["show", "x"]):
        result = run_cli(tmp_path, *command, "--user", USER)
        assert result.returncode == 1
        assert result.stderr.startswith(f"Error: No database at {tmp_path / 'snapshot.db'}")
    assert not (tmp_path / "snapshot.db").exists()

    (tmp_path / "e.csv").write_text("amount,sent_at\n" + "100,2026-01-05\n" * 3)
    made = run_cli(tmp_path, "ingest", "e.csv", "--user", USER)
    assert made.returncode == 0, made.stderr
    assert f"Creating a new SQLite database at {tmp_path / 'snapshot.db'}" in made.stderr
    again = run_cli(tmp_path, "ingest", "e.csv", "--user", USER)
    assert "Creating" not in again.stderr


def test_the_global_db_option_wins_over_the_environment(tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.db"
    source_id, _ = _hostile_snapshot(tmp_path)
    (tmp_path / "snapshot.db").rename(other)
    env = {"SNAPSHOT_DATABASE_URL": f"sqlite:///{tmp_path / 'missing.db'}"}
    listed = run_cli(
        tmp_path, "--db", f"sqlite:///{other}", "sources", "--user", USER, "--json", **env
    )
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["source_id"] == source_id
    checked = run_cli(tmp_path, "--db", f"sqlite:///{other}", "validate", SNAPSHOT_LLM="fake")
    assert f"({other})" in checked.stdout and "none found in" in checked.stdout


def test_runs_latest_snapshot_and_the_finished_source_hint(tmp_path: Path) -> None:
    source_id, snapshot_id = _hostile_snapshot(tmp_path)
    listed = json.loads(run_cli(tmp_path, "sources", "--user", USER, "--json").stdout)
    assert listed[0]["latest_snapshot_id"] == snapshot_id
    runs = json.loads(run_cli(tmp_path, "runs", source_id, "--user", USER, "--json").stdout)
    assert [(r["outcome"], r["snapshot_id"]) for r in runs] == [("succeeded", snapshot_id)]
    latest = run_cli(tmp_path, "show", "--latest", source_id, "--user", USER, "--format", "json")
    assert json.loads(latest.stdout)["meta"]["snapshot_id"] == snapshot_id

    again = run_cli(tmp_path, "run", source_id, "--user", USER)
    assert again.returncode == 1
    first, hint = again.stderr.splitlines()[:2]
    assert first == "Error: Source must be bucketed"
    expected = f"This source already has snapshot {snapshot_id}: snapshot show {snapshot_id}"
    assert hint == f"  {expected} --user {USER}"


def test_a_snapshot_the_template_wrote_after_a_failed_call_is_the_source_s_latest(
    tmp_path: Path,
) -> None:
    from snapshot_core.domain import RunPolicy

    store = create_sql_store(f"sqlite:///{tmp_path / 'snapshot.db'}")
    try:
        app = Orchestrator(
            uow_factory=store,
            model=RefusingModel(),
            clock=SystemClock(),
            ids=UuidIds(),
            policy=RunPolicy(narrative_fallback="template"),
        )
        source_id = app.ingest_estimates(user_id=USER, rows=synthetic_estimates(60))
        app.bucket_source(source_id=source_id, user_id=USER)
        snapshot_id = app.run_snapshot(source_id=source_id, user_id=USER)
    finally:
        store.dispose()
    listed = json.loads(run_cli(tmp_path, "sources", "--user", USER, "--json").stdout)
    assert listed[0]["latest_snapshot_id"] == snapshot_id
    latest = run_cli(tmp_path, "show", "--latest", source_id, "--user", USER, "--format", "json")
    assert latest.returncode == 0, latest.stderr
    shown = json.loads(latest.stdout)["meta"]
    assert (shown["snapshot_id"], shown["narrative_source"]) == (snapshot_id, "template")


def test_tables_fit_80_columns_and_never_cut_an_id(tmp_path: Path) -> None:
    source_id, _ = _hostile_snapshot(tmp_path)
    for command in (["sources"], ["runs"], ["runs", source_id]):
        result = run_cli(tmp_path, *command, "--user", USER, COLUMNS="80")
        assert result.returncode == 0, result.stderr
        assert all(len(line) <= 80 for line in result.stdout.splitlines()), result.stdout
        lines_with_id = [line for line in result.stdout.splitlines() if source_id in line]
        assert lines_with_id or command[0] == "runs"
    sources = run_cli(tmp_path, "sources", "--user", USER, COLUMNS="80")
    assert "Not shown at this width: latest snapshot" in sources.stderr


class OverloadedModel(FakeModel):
    """A provider that is busy, says so at length, and asks for a wait."""

    def respond(self, agent_input: AgentInput, facts: CallFacts) -> ModelReply:
        detail = "The server is overloaded with other requests; " * 4 + "try again later."
        raise LlmApiError(503, 20.0, detail, facts=facts)


def test_runs_show_what_the_provider_said_and_stay_within_80_columns(tmp_path: Path) -> None:
    store = create_sql_store(f"sqlite:///{tmp_path / 'snapshot.db'}")
    try:
        clock, ids = SystemClock(), UuidIds()
        source_id = Orchestrator(uow_factory=store, model=FakeModel(), clock=clock, ids=ids)
        source_id = source_id.ingest_estimates(user_id=USER, rows=synthetic_estimates(60))
        for model in (RefusingModel(), OverloadedModel(), FakeModel()):
            app = Orchestrator(uow_factory=store, model=model, clock=clock, ids=ids)
            app.bucket_source(source_id=source_id, user_id=USER)
            with contextlib.suppress(SnapshotError):  # the failed attempts are read back
                app.run_snapshot(source_id=source_id, user_id=USER)
    finally:
        store.dispose()
    runs = json.loads(run_cli(tmp_path, "runs", "--user", USER, "--json").stdout)
    assert [r["outcome"] for r in runs] == ["failed", "failed", "succeeded"]
    refused, overloaded, succeeded = (r["run_id"] for r in runs)

    shown = run_cli(tmp_path, "runs", source_id, "--user", USER, COLUMNS="80")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), shown.stdout
    assert all(any(run_id in line for line in lines) for run_id in (refused, succeeded))
    text = " ".join(" ".join(lines).split())  # the paragraphs, unwrapped
    assert f"{refused} llm_refusal: I can't help with that." in text
    said = "The server is overloaded with other requests; " * 4 + "try again later."
    assert f"{overloaded} llm_api_error: {said.strip()} (retry after 20 s)" in text
    paragraphs = shown.stdout.split("\n\n")[1:]  # after the table, one a run that said something
    assert [p.split()[0] for p in paragraphs] == [refused, overloaded], shown.stdout

    wide = run_cli(tmp_path, "runs", source_id, "--user", USER, COLUMNS="200")
    succeeded_row = next(line for line in wide.stdout.splitlines() if line.startswith(succeeded))
    assert " model " in succeeded_row  # the narrative column: the model wrote it


def test_ctrl_c_exits_130_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))}
    # A command stopped while it works (the start-up moments: the two tests below; a fixed
    # early delay here would land in CPython's own start-up on a loaded machine).
    interrupted = 0
    for delay in (1.5,):
        (tmp_path / "big.csv").write_text(
            "amount,sent_at\n" + "100,2026-01-05\n" * 1_000_000, encoding="utf-8"
        )
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "snapshot_adapters.cli.main",
                "ingest",
                "big.csv",
                "--user",
                USER,
            ],
            cwd=tmp_path,
            env={**env, "SNAPSHOT_LLM": "fake"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
        if process.returncode == 0:  # finished before the signal: nothing to check this time
            continue
        interrupted += 1
        assert process.returncode == 130, stderr
        assert stderr.strip().splitlines()[-1] == "Interrupted" and "Traceback" not in stderr
        assert stdout == ""
    assert interrupted, (
        "1,000,000 rows (read by two processes) should take longer than the signal's delay"
    )
    listed = run_cli(tmp_path, "sources", "--user", USER, "--json")
    if listed.returncode == 0:  # the database was made before the signal: no half source
        assert all(s["estimate_count"] == 1_000_000 for s in json.loads(listed.stdout))


def _session_processes(session: int) -> list[int]:
    """The processes still in ``session`` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                # The fields after the command's closing parenthesis: state, ppid, pgrp, session.
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
                if int(fields[3]) == session:
                    found.append(int(entry.name))
    return found


def _ingesting_in_two_processes(workdir: Path) -> subprocess.Popen[str]:
    """`snapshot ingest` of a large file in a session of its own, once its reading process
    has been forked (skips where it would not fork: not Linux, or one CPU)."""
    if not Path("/proc/self/stat").exists() or not can_fork():
        pytest.skip("a second reading process: Linux with two CPUs")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))}
    rows = "".join(f"E-{i},{i % 900}.50,2026-01-05T10:00:00Z,,note\n" for i in range(300_000))
    (workdir / "big.csv").write_text("estimate_id,amount,sent_at,decided_at,notes\n" + rows)
    command = [sys.executable, "-m", "snapshot_adapters.cli.main", "ingest", "big.csv"]
    process = subprocess.Popen(
        [*command, "--user", USER],
        cwd=workdir,
        env={**env, "SNAPSHOT_LLM": "fake"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group, as a terminal's foreground job has
    )
    deadline = time.monotonic() + 30
    while len(_session_processes(process.pid)) < 2:  # until the reader is forked
        assert process.poll() is None and time.monotonic() < deadline, "no reading process"
        time.sleep(0.02)
    return process


def _gone(session: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _session_processes(session) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _session_processes(session)


def test_a_killed_command_leaves_no_reading_process_behind(tmp_path: Path) -> None:
    """`kill -9` of `snapshot ingest` (no `finally` runs): its reading process, whose pipe
    now has no reader, ends too, at its next batch."""
    process = _ingesting_in_two_processes(tmp_path)
    process.kill()
    process.communicate(timeout=60)
    assert _gone(process.pid, 20), "the reading process outlived the command"


def test_ctrl_c_at_a_terminal_stops_the_reading_process_too(tmp_path: Path) -> None:
    """A terminal's Ctrl-C reaches every process of the group: the one storing and the one
    reading a large file (files/forked_rows.py). Still one line, 130, nothing stored, and
    no process left behind."""
    process = _ingesting_in_two_processes(tmp_path)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert (process.returncode, stdout) == (130, "")
    assert stderr.endswith("notes\nInterrupted\n") and "Traceback" not in stderr, stderr
    assert _gone(process.pid, 10)
    listed = run_cli(tmp_path, "sources", "--user", USER, "--json")
    if listed.returncode == 0:  # the database was made before the signal: no half source
        assert json.loads(listed.stdout) == []
    else:
        assert "Code: no_database" in listed.stderr


IMPORT_THEN_RUN = """
import os, signal, sys
sys.argv[0] = {argv0!r}
import snapshot_adapters
os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the console script is still importing
from snapshot_adapters.cli.main import run
run()
"""


def test_ctrl_c_while_the_console_script_imports_is_one_line_and_130(tmp_path: Path) -> None:
    script = str(Path(sys.executable).with_name("snapshot"))
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_THEN_RUN.format(argv0=script), "sources", "--user", USER],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr, result.stdout) == (130, "Interrupted\n", "")

    # Imported as a library (not by the `snapshot` script), Ctrl-C stays the caller's own.
    library = subprocess.run(
        [sys.executable, "-c", IMPORT_THEN_RUN.format(argv0="my_tool.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert library.returncode != 130 and "KeyboardInterrupt" in library.stderr


def test_ctrl_c_at_any_early_moment_never_shows_a_traceback_of_ours(tmp_path: Path) -> None:
    """The real console script, interrupted every 2 ms of its first 40. Before the package's
    first statement only CPython's own start-up can answer (it ends the process by SIGINT, or
    says "Fatal Python error" during its site import); from then on: "Interrupted", 130."""
    script = Path(sys.executable).with_name("snapshot")
    assert script.exists(), "the project is installed with its `snapshot` script"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))}
    for delay_ms in range(0, 40, 2):
        process = subprocess.Popen(
            [str(script), "sources", "--user", USER],
            cwd=tmp_path,
            env={**env, "SNAPSHOT_LLM": "fake"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(delay_ms / 1000)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
        assert not re.search(r'File "[^"]*snapshot_adapters[/\\]', stderr), (delay_ms, stderr)
        if "Interrupted" in stderr:
            assert (process.returncode, stderr, stdout) == (130, "Interrupted\n", ""), delay_ms


def test_dev_py_snapshot_runs_in_the_callers_directory(tmp_path: Path) -> None:
    dev = Path(__file__).resolve().parents[3] / "dev.py"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SNAPSHOT_", "OPENAI_"))}
    result = subprocess.run(
        [sys.executable, str(dev), "snapshot", "sources", "--user", USER],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert f"Error: No database at {tmp_path / 'snapshot.db'}" in result.stderr


def test_usage_errors_show_control_characters_of_arguments_as_data(tmp_path: Path) -> None:
    for args in (["no\x1b]0;x\x07such"], ["show", "x", "--user", USER, "--format", "\x1b[2J"]):
        result = run_cli(tmp_path, *args)
        assert result.returncode == 2
        assert "Error:" in result.stderr and "\x1b" not in result.stderr + result.stdout
