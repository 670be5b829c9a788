"""The composition root: builds the orchestrator's adapters from Settings (dependency-injector).

Start-up cost matters (every CLI command builds one): adapters are imported inside the
provider functions, only when a provider is first called, and only
``dependency_injector.providers`` is used. ``dependency_injector.containers`` is avoided on
purpose: it imports ``dependency_injector.wiring``, which imports FastAPI, Starlette and
Werkzeug whenever they are installed, none of which a container here needs. Even
``providers`` loads pydantic-settings, asyncio and PyYAML, so it is imported only when a
container is built: `snapshot ingest` and `snapshot bucket` call ``sql_store``,
``system_clock`` and ``uuid_ids`` themselves (cli/light_start.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dependency_injector import providers

    from snapshot_core import Orchestrator
    from snapshot_core.domain import RunPolicy
    from snapshot_core.ports import (
        Clock,
        IdFactory,
        JobQueue,
        LanguageModel,
        RunObserver,
        UnitOfWorkFactory,
    )

    from .settings import Settings

__all__ = [
    "Container",
    "build_container",
    "build_orchestrator",
    "sql_store",
    "system_clock",
    "uuid_ids",
]


def _memory_store() -> UnitOfWorkFactory:
    from .memory import MemoryStore

    return MemoryStore()


def _sql_store(settings: Settings) -> UnitOfWorkFactory:
    return sql_store(settings.database_url)


def sql_store(database_url: str) -> UnitOfWorkFactory:
    """The SQL store of ``database_url``; a missing driver or a URL it cannot use is said in
    the catalogue's words."""
    from snapshot_core.domain import InvalidSettingsError, redact_text, redact_url

    from .sql import create_sql_store  # SQLAlchemy is loaded only when SQL storage is chosen

    try:
        return create_sql_store(database_url)
    except ModuleNotFoundError as missing:  # the driver is an optional extra
        raise ImportError(
            f"{missing.name} is needed for {redact_url(database_url)}: "
            'pip install "snapshot-orchestrator[postgres]"'
        ) from None
    except ValueError as unsupported:  # a scheme we do not speak, or a malformed URL
        said = redact_text(str(unsupported), database_url)
        raise InvalidSettingsError([f"SNAPSHOT_DATABASE_URL: {said}"]) from None


def _openai_model(settings: Settings) -> LanguageModel:
    from .openai import OpenAIChatModel  # OpenAI or Azure OpenAI, as the settings say

    return OpenAIChatModel.from_settings(settings)


def _ingest_file(source: Any, /, **options: Any) -> Any:
    """``files.ingest_file``, imported on first use (start-up stays light)."""
    from .files import ingest_file

    return ingest_file(source, **options)


def _fake_model() -> LanguageModel:
    from .fake import FakeModel

    return FakeModel(keep=100)  # a long-lived process stays bounded


def system_clock() -> Clock:
    from .system import SystemClock

    return SystemClock()


def uuid_ids() -> IdFactory:
    from .system import UuidIds

    return UuidIds()


def _policy(settings: Settings) -> RunPolicy:
    return settings.run_policy()


def _no_observer() -> RunObserver:
    from snapshot_core.ports import NO_OBSERVER

    return NO_OBSERVER


def _otel_observer(settings: Settings) -> RunObserver:
    # The telemetry extra; without it this import fails with the pip command that adds it.
    from .telemetry import OpenTelemetryRunObserver

    return OpenTelemetryRunObserver.from_settings(settings)


def _celery_queue(settings: Settings) -> JobQueue:
    # The jobs extra; without it this import fails with the pip command that adds it.
    from .jobs import CeleryJobQueue

    return CeleryJobQueue.from_settings(settings)


def _orchestrator(**adapters: Any) -> Orchestrator:
    from snapshot_core import Orchestrator

    return Orchestrator(**adapters)


class Container:
    """One provider per adapter, built for one ``Settings``. Override any provider in tests:
    ``container.model.override(providers.Object(fake))`` (or ``build_container(model=fake)``).
    """

    def __init__(self, settings: Settings) -> None:
        from dependency_injector import providers

        self.settings = providers.Object(settings)
        self.clock = providers.Singleton(system_clock)
        self.ids = providers.Singleton(uuid_ids)
        self.policy = providers.Singleton(_policy, self.settings)
        self.storage: providers.Provider[UnitOfWorkFactory] = (
            providers.Singleton(_memory_store)
            if settings.storage_backend == "memory"
            else providers.Singleton(_sql_store, self.settings)
        )
        self.model: providers.Provider[LanguageModel] = (
            providers.Singleton(_fake_model)
            if settings.llm == "fake"
            else providers.Singleton(_openai_model, self.settings)
        )
        self.observer: providers.Provider[RunObserver] = (
            providers.Singleton(_otel_observer, self.settings)
            if settings.telemetry == "otel"
            else providers.Singleton(_no_observer)
        )
        self.orchestrator = providers.Singleton(
            _orchestrator,
            uow_factory=self.storage,
            model=self.model,
            clock=self.clock,
            ids=self.ids,
            policy=self.policy,
            file_ingester=providers.Object(_ingest_file),
            observer=self.observer,
        )
        # Background snapshots: Celery when a broker is configured, else none (callers wait).
        self.job_queue: providers.Provider[JobQueue | None] = (
            providers.Singleton(_celery_queue, self.settings)
            if settings.broker_url
            else providers.Object(None)
        )


def build_container(settings: Settings | None = None, **overrides: Any) -> Container:
    """A container for ``settings`` (read from the environment when omitted).

    Keyword ``overrides`` replace providers by name, e.g. ``model=FakeModel()``.
    """
    from dependency_injector import providers

    if settings is None:
        from .settings import load_settings

        settings = load_settings()
    container = Container(settings)
    for name, value in overrides.items():
        provider = getattr(container, name, None)
        if not isinstance(provider, providers.Provider):
            raise TypeError(f"build_container() has no provider {name!r} to override")
        provider.override(providers.Object(value))
    return container


def build_orchestrator(settings: Settings | None = None, **overrides: Any) -> Orchestrator:
    """The orchestrator for ``settings``: ``build_orchestrator().run_snapshot(...)``."""
    orchestrator: Orchestrator = build_container(settings, **overrides).orchestrator()
    return orchestrator
