"""The checks of `snapshot validate`, each printed with ✓ or ✗ and, on ✗, the fix (imported
only when the command runs: `snapshot --help` need not build them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import out, settings, sqlite_file

if TYPE_CHECKING:
    from ..settings import Settings

__all__ = ["Check", "print_check", "probe", "run_checks"]

_EXTRA = 'pip install "snapshot-orchestrator" (the OpenAI SDK is a default dependency)'


@dataclass(frozen=True)
class Check:
    """One line of the report. ``ok`` is ``None`` for a check that does not apply."""

    name: str
    ok: bool | None
    detail: str
    fix: str = ""


def _settings_files() -> str:
    """Which of the files Settings reads exist here (later ones win)."""
    from ..settings import Settings

    names = Settings.model_config.get("env_file") or ()
    found = [str(Path(n).resolve()) for n in names if Path(n).is_file()]  # type: ignore[union-attr]
    read = ", ".join(found) if found else f"none found in {Path.cwd()}"
    return f"environment, then files: {read}"


def _load_settings() -> tuple[Check, Settings | None]:
    from snapshot_core.domain import InvalidSettingsError

    try:
        loaded = settings()
    except InvalidSettingsError as error:  # names the setting and the problem, not the value
        fix = "Correct the variable (SNAPSHOT_<NAME>) in the environment, .env.local or .env."
        return Check("settings", False, f"invalid: {'; '.join(error.problems)}", fix), None
    except Exception as error:  # an unreadable .env file
        fix = "Check that .env and .env.local are readable UTF-8 text."
        return Check("settings", False, f"invalid: {type(error).__name__}", fix), None
    detail = f"loaded (llm={loaded.llm}, model={loaded.model}) from {_settings_files()}"
    return Check("settings", True, detail), loaded


def _openai_adapter() -> Any:
    """The OpenAI adapter package, or ``None`` when the `openai` extra is not installed."""
    try:
        import snapshot_adapters.openai as adapter
    except ImportError:
        return None
    return adapter


def _key(settings: Settings) -> Check:
    if settings.llm == "fake":
        return Check("API key", None, "not needed (SNAPSHOT_LLM=fake)")
    adapter = _openai_adapter()
    if adapter is None:
        return Check("API key", False, "the OpenAI backend is not installed", _EXTRA)
    key = settings.openai_api_key.get_secret_value().strip() if settings.openai_api_key else ""
    if not key:
        fix = "Add OPENAI_API_KEY to .env.local or the environment (or set SNAPSHOT_LLM=fake)."
        return Check("API key", False, "OPENAI_API_KEY is required", fix)
    return Check("API key", True, f"OPENAI_API_KEY is set ({adapter.mask_api_key(key)})")


def _database(settings: Settings) -> Check:
    from snapshot_core.domain import SnapshotError, redact_text

    from ..settings import redact_url

    url = settings.database_url
    path = sqlite_file(url)
    shown = f"{redact_url(url)} ({path})" if path is not None else redact_url(url)
    if settings.storage_backend == "memory":
        return Check("database", None, f"{shown}: in-process, nothing to check")
    try:
        from ..sql import database_status  # SQLAlchemy is loaded only for this check

        status = database_status(url)
    except Exception as error:  # a missing driver, a malformed URL, ...
        fix = "Check SNAPSHOT_DATABASE_URL (and install the [postgres] extra for PostgreSQL)."
        said = redact_text(error.message, url) if isinstance(error, SnapshotError) else ""
        return Check("database", False, f"{shown}: {said or type(error).__name__}", fix)
    if not status.reachable:
        fix = "Check SNAPSHOT_DATABASE_URL and that the database server is running."
        detail = redact_text(status.detail, url)
        return Check("database", False, f"{shown} unreachable: {detail}", fix)
    migrated = status.current == status.head or url.startswith("sqlite")  # SQLite: on first use
    fix = "" if migrated else "Run `snapshot db upgrade`."
    return Check("database", migrated, f"{shown} reachable; {redact_text(status.detail, url)}", fix)


def _endpoint(settings: Settings, timeout: float = 5.0) -> Check:
    from snapshot_core.domain import LlmApiError, LlmTimeoutError

    from ..settings import redact_url

    name = "model endpoint"
    if settings.llm == "fake":
        return Check(name, None, "skipped (SNAPSHOT_LLM=fake)")
    adapter = _openai_adapter()
    if adapter is None or not settings.openai_api_key:
        return Check(name, None, "not checked (needs the OpenAI backend and a key)")
    model = adapter.OpenAIChatModel.from_settings(settings)
    where = redact_url(model.base_url)
    try:
        listed = model.check_endpoint(timeout=min(timeout, settings.llm_timeout))
    except LlmApiError as error:
        if error.status == 401:
            return Check(
                name, False, f"{where}: the API key was rejected (401)", "Check OPENAI_API_KEY."
            )
        fix = (
            "Check OPENAI_BASE_URL (it usually ends in /v1)."
            if error.status == 404
            else error.solution
        )
        return Check(name, False, f"{where}: GET /models gave {error.message}", fix)
    except LlmTimeoutError as error:
        fix = "Check OPENAI_BASE_URL, the network, and that the server is running."
        return Check(name, False, f"{where}: {error.detail}", fix)
    except Exception as error:  # the guard, or an SDK surprise: reported, no traceback
        return Check(name, False, f"{where}: {type(error).__name__}", "Check OPENAI_BASE_URL.")
    found = "listed" if settings.model in listed else "not listed (some servers list none)"
    return Check(name, True, f"{where}: GET /models answered; {settings.model} {found}")


def _schema() -> Check:
    from snapshot_core.domain import narrative_json_schema

    name = "narrative schema"
    adapter = _openai_adapter()
    if adapter is None:
        return Check(name, None, "not checked (needs the OpenAI backend)")
    report = adapter.check_strict_schema(narrative_json_schema())
    if not report.ok:
        fix = "The schema comes from snapshot_core.SnapshotNarrative: report this as a bug."
        return Check(name, False, "; ".join(report.problems), fix)
    sizes = f"{report.object_properties} properties, depth {report.depth}"
    return Check(name, True, f"accepted by OpenAI strict-mode rules ({sizes})")


def run_checks() -> list[Check]:
    """Every check, in order; later ones are skipped when the settings cannot be read."""
    loaded, settings = _load_settings()
    if settings is None:
        return [loaded, _schema()]
    return [loaded, _key(settings), _database(settings), _endpoint(settings), _schema()]


def settings_for_probe() -> Settings | None:
    return _load_settings()[1]


def print_check(check: Check) -> None:
    from rich.text import Text

    mark, style = {True: ("✓", "green"), False: ("✗", "red"), None: ("–", "dim")}[check.ok]
    # soft_wrap: one line per check whatever the terminal width, so output stays greppable.
    out.print(
        Text.assemble((mark, f"bold {style}"), f" {check.name}: {check.detail}"), soft_wrap=True
    )
    if check.ok is False and check.fix:
        out.print(Text(f"    fix: {check.fix}"), soft_wrap=True)


def probe(settings: Settings) -> Check:
    """One paid strict-schema request; its price is printed before it is sent."""
    from snapshot_core.domain import SnapshotError

    name = "strict schema honoured"
    adapter = _openai_adapter()
    if settings.llm == "fake" or adapter is None:
        return Check(name, None, "not probed (needs SNAPSHOT_LLM=openai and the OpenAI backend)")
    model = adapter.OpenAIChatModel.from_settings(settings)
    cost = model.probe_cost_usd()
    from rich.text import Text

    price = f"at most ${cost:.6f} at list price" if cost is not None else "cost unknown"
    out.print(
        Text(f"  probe: one request to {settings.model} (~80 tokens in, ≤20 out; {price})"),
        soft_wrap=True,
    )
    try:
        report = model.probe_strict_schema()
    except SnapshotError as error:
        detail = getattr(error, "detail", None) or error.message
        return Check(name, False, f"the probe failed: {error.message} ({detail})", error.solution)
    from ..settings import redact_url

    where = redact_url(model.base_url)
    fix = (
        "This endpoint ignores response_format: use a server or model with strict structured "
        "outputs (docs/openai.md lists those seen to work)."
    )
    return Check(name, report.honoured, f"{where}: {report.detail}", "" if report.honoured else fix)
