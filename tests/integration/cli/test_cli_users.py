"""The user id on the command line: an empty --user is refused (never replaced by
SNAPSHOT_USER), and one past the documented maximum is invalid_user on every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..cli_runner import run_cli


@pytest.mark.parametrize("command", [["sources"], ["stats"], ["bucket", "some-source"]])
def test_an_empty_user_is_refused_even_when_snapshot_user_is_set(
    tmp_path: Path, command: list[str]
) -> None:
    result = run_cli(tmp_path, *command, "--user", "", SNAPSHOT_USER="someone-else")
    assert result.returncode == 2 and result.stdout == ""
    assert "--user" in result.stderr and "must not be empty" in result.stderr


def test_a_user_id_past_the_maximum_is_invalid_user(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text("amount,sent_at\n1,2026-01-05\n", encoding="utf-8")
    assert run_cli(tmp_path, "db", "upgrade").returncode == 0  # `sources` reads a database
    for command in (["ingest", "e.csv"], ["sources"]):
        result = run_cli(tmp_path, *command, "--user", "u" * 3000)
        assert result.returncode == 1
        assert "Error: Invalid user_id: is longer than 255 characters" in result.stderr
        assert "Code: invalid_user" in result.stderr
