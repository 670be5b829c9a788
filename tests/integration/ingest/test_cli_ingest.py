"""`snapshot ingest` as a user runs it: the real entry point in a subprocess, one SQLite file
shared by separate processes; stdout carries the source id only."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from pathlib import Path

import pytest

from ..cli_runner import run_cli
from .planted import build_planted_csv

USER = "cli-ingest"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def snapshot(workdir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli(workdir, *args, **env)


@pytest.fixture(scope="module")
def planted_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    planted = build_planted_csv()
    path = tmp_path_factory.mktemp("data") / "export.csv"
    path.write_bytes(planted.data)
    return path, planted


def sources(workdir: Path) -> list[dict]:
    result = snapshot(workdir, "sources", "--user", USER, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_reject_exits_1_lists_the_first_20_bad_lines_and_stores_nothing(
    tmp_path: Path, planted_file: tuple[Path, object]
) -> None:
    path, planted = planted_file
    result = snapshot(tmp_path, "ingest", str(path), "--user", USER)
    assert result.returncode == 1
    assert result.stdout == ""
    shown = re.findall(r"^  line (\d+): (\w+): ", result.stderr, flags=re.M)
    first_20 = sorted(planted.bad.items())[:20]  # type: ignore[attr-defined]
    assert [(int(line), column) for line, column in shown] == first_20
    assert "Invalid input: 37 bad rows" in result.stderr
    assert "… and 17 more (37 bad rows in all)" in result.stderr
    assert "Code: invalid_input" in result.stderr
    assert "Ignored columns (not stored): notes, customer" in result.stderr
    assert sources(tmp_path) == []


def test_skip_prints_only_the_source_id_and_the_rows_persist(
    tmp_path: Path, planted_file: tuple[Path, object]
) -> None:
    path, planted = planted_file
    rejects = tmp_path / "rejects.csv"
    result = snapshot(
        tmp_path, "ingest", str(path), "--user", USER, "--on-bad-rows", "skip",
        "--rejects", str(rejects), "--name", "March",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert UUID.match(result.stdout.strip()) and result.stdout.count("\n") == 1
    source_id = result.stdout.strip()
    assert "Stored 9,963 rows (csv)." in result.stderr
    assert "Skipped 37 bad rows:" in result.stderr
    assert "… and 17 more" in result.stderr
    assert f"Bad rows written to {rejects}" in result.stderr
    with rejects.open(encoding="utf-8", newline="") as f:
        lines = [int(row[0]) for row in list(csv.reader(f))[1:]]
    assert lines == sorted(planted.bad)  # type: ignore[attr-defined]
    # Another process sees the source and buckets it.
    (listed,) = sources(tmp_path)
    assert (listed["source_id"], listed["name"], listed["estimate_count"]) == (
        source_id,
        "March",
        9963,
    )
    bucketed = snapshot(tmp_path, "bucket", source_id, "--user", USER, "--json")
    assert bucketed.returncode == 0, bucketed.stderr
    assert json.loads(bucketed.stdout)["estimate_count"] == 9963


def test_json_lines_and_the_json_report(tmp_path: Path) -> None:
    path = tmp_path / "estimates.ndjson"
    path.write_text('{"amount": 5, "sent_at": "2026-01-05", "memo": "hi"}\n', encoding="utf-8")
    result = snapshot(tmp_path, "ingest", str(path), "--json", "--user", USER)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["stored_rows"] == 1 and report["format"] == "jsonl"
    assert report["ignored_columns"] == ["memo"] and report["problems"] == []


def test_the_user_may_come_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("amount,sent_at\n1,2026-01-05\n", encoding="utf-8")
    result = snapshot(tmp_path, "ingest", str(path), SNAPSHOT_USER=USER)
    assert result.returncode == 0, result.stderr
    assert UUID.match(result.stdout.strip())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", USER, "--format", "xml"], "--format"),
        (["--user", USER, "--on-bad-rows", "ignore"], "--on-bad-rows"),
        ([], "--user"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    path = tmp_path / "e.csv"
    path.write_text("amount,sent_at\n1,2026-01-05\n", encoding="utf-8")
    result = snapshot(tmp_path, "ingest", str(path), *args)
    assert result.returncode == 2 and result.stdout == ""
    assert message in result.stderr


def test_usage_errors_about_files_exit_2(tmp_path: Path) -> None:
    missing = snapshot(tmp_path, "ingest", str(tmp_path / "nope.csv"), "--user", USER)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    text = tmp_path / "export.txt"
    text.write_text("amount,sent_at\n1,2026-01-05\n", encoding="utf-8")
    unknown = snapshot(tmp_path, "ingest", str(text), "--user", USER)
    assert unknown.returncode == 2 and "Cannot tell the format" in unknown.stderr
    assert (
        snapshot(tmp_path, "ingest", str(text), "--user", USER, "--format", "csv").returncode == 0
    )
    same = snapshot(
        tmp_path, "ingest", str(text), "-u", USER, "--format", "csv", "--rejects", str(text)
    )
    assert same.returncode == 2 and "must not be the input file" in same.stderr


def test_unreadable_files_and_limits_exit_1_without_a_traceback(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"amount,sent_at,note\n1,2026-01-05,caf\x81\n")  # not even cp1252
    result = snapshot(tmp_path, "ingest", str(latin), "--user", USER)
    assert result.returncode == 1 and result.stdout == ""
    assert "The file is not valid UTF-8 (line 2)" in result.stderr
    assert "line 2: encoding: byte 0x81 is not valid UTF-8" in result.stderr

    many = tmp_path / "many.csv"
    many.write_text("amount,sent_at\n" + "1,2026-01-05\n" * 20, encoding="utf-8")
    limited = snapshot(tmp_path, "ingest", str(many), "--user", USER, SNAPSHOT_INGEST_MAX_ROWS="10")
    assert limited.returncode == 1
    assert "The file has more than 10 rows (the limit)" in limited.stderr
    assert "SNAPSHOT_INGEST_MAX_ROWS" in limited.stderr
    assert sources(tmp_path) == []
