"""Settings sources and precedence, secrets kept out of text, and the container's backend choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from snapshot_adapters import Settings, build_container, build_orchestrator
from snapshot_adapters.fake import FakeModel, FixedClock
from snapshot_adapters.memory import MemoryStore
from snapshot_adapters.settings import load_settings, redact_url
from snapshot_core.domain import InvalidSettingsError


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in (
        "SNAPSHOT_DATABASE_URL",
        "SNAPSHOT_LLM",
        "SNAPSHOT_MODEL",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "SNAPSHOT_MIN_ESTIMATES",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_environment_beats_env_local_beats_env(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / ".env").write_text(
        "SNAPSHOT_MODEL=from-env\nSNAPSHOT_MIN_ESTIMATES=30\nSNAPSHOT_LLM=fake\n"
    )
    (isolated / ".env.local").write_text(
        "SNAPSHOT_MODEL=from-env-local\nOPENAI_API_KEY=sk-local-123456\n"
    )
    settings = Settings()
    assert (settings.model, settings.min_estimates, settings.llm) == ("from-env-local", 30, "fake")
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-local-123456"
    monkeypatch.setenv("SNAPSHOT_MODEL", "from-environment")
    assert Settings().model == "from-environment"


def test_defaults_match_the_design(isolated: Path) -> None:
    settings = Settings()
    assert settings.database_url == "sqlite:///snapshot.db"
    assert (settings.llm, settings.model, settings.temperature, settings.max_tokens) == (
        "openai",
        "gpt-4o-2024-08-06",
        0.1,
        2000,
    )
    assert (settings.min_estimates, settings.min_cell_count) == (25, 0)


def test_the_key_never_appears_in_settings_text(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-super-secret-value")
    settings = Settings()
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert "sk-super-secret-value" not in text


def test_the_container_chooses_backends_from_settings_and_accepts_overrides(isolated: Path) -> None:
    orchestrator = build_orchestrator(Settings(database_url="memory://", llm="fake"))
    assert isinstance(orchestrator.uow_factory, MemoryStore)
    assert isinstance(orchestrator.model, FakeModel)
    clock = FixedClock()
    container = build_container(Settings(database_url="memory://", llm="fake"), clock=clock)
    assert container.orchestrator().clock is clock
    assert (
        build_orchestrator(
            Settings(database_url="memory://", min_estimates=40, llm="fake")
        ).policy.min_estimates
        == 40
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://app:s3cret@db:5432/x", "postgresql+psycopg://app:***@db:5432/x"),
        ("postgresql+psycopg://app@db/x", "postgresql+psycopg://app@db/x"),
        ("sqlite:///snapshot.db", "sqlite:///snapshot.db"),
    ],
)
def test_database_urls_are_shown_without_passwords(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_query_string_credentials_are_masked_too() -> None:
    url = "https://gw.example/v1?api-key=abc123&deployment=x"
    assert redact_url(url) == "https://gw.example/v1?api-key=***&deployment=x"
    assert "TOP" not in redact_url("postgresql://u@h/db?password=TOP&sslmode=require")


def test_settings_repr_leaves_urls_out(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNAPSHOT_DATABASE_URL", "postgresql+psycopg://app:pw-4411@db/x")
    assert "pw-4411" not in repr(Settings())


def test_a_lease_shorter_than_the_call_is_refused(isolated: Path) -> None:
    with pytest.raises(InvalidSettingsError, match="SNAPSHOT_LEASE_SECONDS must be greater"):
        load_settings(llm_timeout=120, lease_seconds=60)


def test_settings_made_in_python_raise_invalid_settings_without_the_value() -> None:
    with pytest.raises(InvalidSettingsError) as raised:
        Settings(temperature="not-a-number-sk-SECRET", database_url="memory://")
    assert "SNAPSHOT_TEMPERATURE" in raised.value.message
    assert "SECRET" not in raised.value.message


def _modules_loaded_by(code: str, *, packages: bool = True) -> set[str]:
    """The modules a fresh interpreter has loaded after ``code`` (their top packages only,
    unless ``packages=False``)."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {name.split(".")[0] if packages else name for name in result.stdout.split()}


HEAVY = {"pydantic", "pydantic_settings", "dependency_injector", "sqlalchemy", "alembic", "rich"}


def test_importing_snapshot_adapters_loads_nothing_heavy() -> None:
    assert not (_modules_loaded_by("import snapshot_adapters") & (HEAVY | {"typer", "fastapi"}))


def test_snapshot_help_loads_neither_the_core_nor_any_backend() -> None:
    loaded = _modules_loaded_by(
        "import contextlib, io\nfrom snapshot_adapters.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['--help'])"
    )
    assert not (loaded & (HEAVY | {"snapshot_core", "fastapi", "celery", "openai"}))


def test_a_read_command_on_sqlite_loads_neither_alembic_nor_the_postgresql_dialect(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    from snapshot_adapters.sql import upgrade_database

    database = f"sqlite:///{tmp_path / 'read.db'}"
    upgrade_database(database)  # at head: nothing for a read command to migrate
    code = (
        "import contextlib, io, sys\nfrom snapshot_adapters.cli.main import main\n"
        # The full path (the fast read path loads no SQLAlchemy at all: test_fast_read.py).
        "from snapshot_adapters.cli import fast_read\nfast_read._enabled = False\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main(['--db', {database!r}, 'sources', '--user', 'u', '--json'])\n"
        "print(code, ' '.join(sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    exit_code, *loaded = result.stdout.split()
    assert exit_code == "0", result.stderr
    assert "sqlalchemy" in loaded  # the command did read the database
    assert not [name for name in loaded if name.split(".")[0] == "alembic"]
    assert "sqlalchemy.dialects.postgresql" not in loaded
