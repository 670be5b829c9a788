"""`snapshot keys create | list | revoke`: printed once, listed without secrets, revoked."""

from __future__ import annotations

import json
from pathlib import Path

from ..cli_runner import run_cli


def test_a_key_is_printed_once_listed_without_its_secret_and_revoked(tmp_path: Path) -> None:
    made = run_cli(tmp_path, "keys", "create", "--user", "alice", "--name", "laptop")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("snap.") and len(made.stdout.splitlines()) == 1
    secret = key.rpartition(".")[2]

    listed = run_cli(tmp_path, "keys", "list", "--json")
    assert listed.returncode == 0
    (row,) = json.loads(listed.stdout)
    assert (row["user_id"], row["name"], row["revoked_at"]) == ("alice", "laptop", None)
    assert secret not in listed.stdout and "secret_sha256" not in row
    assert secret not in (tmp_path / "snapshot.db").read_bytes().decode("latin-1")

    revoked = run_cli(tmp_path, "keys", "revoke", row["key_id"])
    assert (revoked.returncode, revoked.stdout.strip()) == (0, row["key_id"])
    (after,) = json.loads(run_cli(tmp_path, "keys", "list", "--user", "alice", "--json").stdout)
    assert after["revoked_at"] is not None
    assert json.loads(run_cli(tmp_path, "keys", "list", "--user", "bob", "--json").stdout) == []


def test_revoking_an_unknown_key_is_a_domain_error(tmp_path: Path) -> None:
    run_cli(tmp_path, "keys", "create", "--user", "alice")
    missing = run_cli(tmp_path, "keys", "revoke", "no-such-key")
    assert missing.returncode == 1
    assert "Invalid key_id" in missing.stderr and "invalid_key_id" in missing.stderr
