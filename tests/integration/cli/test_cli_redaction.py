"""Hostile database and base URLs through every command that prints settings or their
errors: passwords holding / # ? @ : or a space, and URLs no parser accepts. No piece of
a password may reach stdout or stderr."""

from __future__ import annotations

from pathlib import Path

import pytest

from snapshot_core.domain import redact_text, redact_url, url_secrets

from ..cli_runner import run_cli

# Each password is made of words that occur nowhere else, so any leaked piece is found.
HOSTILE_DATABASE_URLS = [
    "postgresql+psycopg://app:alpha/bravo@127.0.0.1:1/db",
    "postgresql+psycopg://app:charlie#delta@127.0.0.1:1/db",
    "postgresql+psycopg://app:echoes?foxtrot@127.0.0.1:1/db",
    "postgresql+psycopg://app:golfer@hotel@127.0.0.1:1/db",
    "postgresql+psycopg://app:india:juliet@127.0.0.1:1/db",
    "postgresql+psycopg://app:kilo lima@127.0.0.1:1/db",
    "postgresql+psycopg//app:mikado@127.0.0.1/db",  # no ':' after the scheme
    "postgresql+psycopg:/app:november@127.0.0.1/db",  # one slash
    "app:oscars@127.0.0.1/db",  # no scheme at all
    "postgresql://app:papa/quebec@127.0.0.1:9x9/db",  # the port is not a number
    "mysql://app:romeo@127.0.0.1/db",  # a scheme this project does not speak
]
HOSTILE_BASE_URLS = [
    "http://user:sierra/tango@127.0.0.1:9/v1",
    "http://user:uniform#victor@127.0.0.1:9/v1",
    "http://user:whiskey?xray@127.0.0.1:9/v1",
    "http://user:yankee@zulu@127.0.0.1:9/v1",
    "http//user:abacus@127.0.0.1:9/v1",
]
WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echoes",
    "foxtrot",
    "golfer",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mikado",
    "november",
    "oscars",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "yankee",
    "zulu",
    "abacus",
]


def assert_no_password(output: str) -> None:
    leaked = [word for word in WORDS if word in output]
    assert not leaked, f"{leaked} in:\n{output}"


@pytest.mark.parametrize("url", HOSTILE_DATABASE_URLS)
def test_no_database_password_reaches_the_terminal(tmp_path: Path, url: str) -> None:
    for command in (["validate"], ["demo", "--estimates", "25"], ["sources", "-u", "x"],
                    ["db", "upgrade"]):  # fmt: skip
        result = run_cli(tmp_path, *command, SNAPSHOT_DATABASE_URL=url)
        assert result.returncode != 0
        assert "Unexpected error" not in result.stderr
        assert_no_password(result.stdout + result.stderr)


def test_an_unparsable_database_url_is_invalid_settings(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "sources", "-u", "x", SNAPSHOT_DATABASE_URL="postgresql://h:x/db")
    assert result.returncode == 1
    assert "Error: Invalid settings: SNAPSHOT_DATABASE_URL: not a database URL" in result.stderr
    assert "Code: invalid_settings" in result.stderr


@pytest.mark.parametrize("url", HOSTILE_BASE_URLS)
def test_no_base_url_password_reaches_the_terminal(tmp_path: Path, url: str) -> None:
    env = {"OPENAI_BASE_URL": url, "OPENAI_API_KEY": "sk-test-1234567890", "SNAPSHOT_LLM": "openai"}
    for command in (["validate"], ["demo", "--estimates", "25"], ["sources", "-u", "x"]):
        result = run_cli(tmp_path, *command, **env)
        assert "Unexpected error" not in result.stderr
        assert "Invalid port" not in result.stdout + result.stderr
        assert_no_password(result.stdout + result.stderr)


@pytest.mark.parametrize("url", HOSTILE_DATABASE_URLS + HOSTILE_BASE_URLS)
def test_redaction_hides_every_piece_of_the_password_in_any_string(url: str) -> None:
    assert_no_password(redact_url(url))
    message = f"failed to resolve host {url.rpartition('@')[0]!r} for {url}"
    assert_no_password(redact_text(message, url))
    assert url_secrets(url)


def test_redaction_keeps_what_is_not_secret() -> None:
    assert redact_url("sqlite:///snapshot.db") == "sqlite:///snapshot.db"
    assert redact_url("postgresql://app@db/x") == "postgresql://app@db/x"
    assert (
        redact_url("postgresql+psycopg://app:s3/cr#t@db/x?password=s3&sslmode=require")
        == "postgresql+psycopg://app:***@db/x?password=***&sslmode=require"
    )
    assert redact_text("see https://h/v1?api-key=abc&x=1") == "see https://h/v1?api-key=***&x=1"
