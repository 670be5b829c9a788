"""The composition root: builds the orchestrator's adapters from Settings (dependency-injector)."""

from __future__ import annotations

from typing import Any

from dependency_injector import containers, providers

from snapshot_core import Orchestrator
from snapshot_core.domain import InvalidSettingsError, redact_text, redact_url
from snapshot_core.ports import LanguageModel, UnitOfWorkFactory

from .fake import FakeModel
from .memory import MemoryStore
from .settings import Settings, load_settings
from .system import SystemClock, UuidIds

__all__ = ["Container", "build_container", "build_orchestrator"]


def _sql_store(settings: Settings) -> UnitOfWorkFactory:
    from .sql import create_sql_store  # SQLAlchemy is loaded only when SQL storage is chosen

    try:
        return create_sql_store(settings.database_url)
    except ModuleNotFoundError as missing:  # the driver is an optional extra
        raise ImportError(
            f"{missing.name} is needed for {redact_url(settings.database_url)}: "
            'pip install "snapshot-orchestrator[postgres]"'
        ) from None
    except ValueError as unsupported:  # a scheme we do not speak, or a malformed URL
        said = redact_text(str(unsupported), settings.database_url)
        raise InvalidSettingsError([f"SNAPSHOT_DATABASE_URL: {said}"]) from None


def _openai_model(settings: Settings) -> LanguageModel:
    from .openai import OpenAIChatModel  # OpenAI or Azure OpenAI, as the settings say

    return OpenAIChatModel.from_settings(settings)


def _ingest_file(source: Any, /, **options: Any) -> Any:
    """``files.ingest_file``, imported on first use (start-up stays light)."""
    from .files import ingest_file

    return ingest_file(source, **options)


class Container(containers.DeclarativeContainer):
    """Override any provider in tests: ``container.model.override(providers.Object(fake))``."""

    settings = providers.Singleton(load_settings)
    config = providers.Configuration()

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidIds)
    policy = providers.Singleton(lambda s: s.run_policy(), settings)

    storage = providers.Selector(
        config.storage,
        memory=providers.Singleton(MemoryStore),
        sql=providers.Singleton(_sql_store, settings),
    )
    model = providers.Selector(
        config.llm,
        openai=providers.Singleton(_openai_model, settings),
        fake=providers.Singleton(FakeModel, keep=100),  # a long-lived process stays bounded
    )

    orchestrator = providers.Singleton(
        Orchestrator,
        uow_factory=storage,
        model=model,
        clock=clock,
        ids=ids,
        policy=policy,
        file_ingester=providers.Object(_ingest_file),
    )


def build_container(settings: Settings | None = None, **overrides: Any) -> Container:
    """A container for ``settings`` (read from the environment when omitted).

    Keyword ``overrides`` replace providers by name, e.g. ``model=FakeModel()``.
    """
    settings = settings or load_settings()
    container = Container()
    container.settings.override(providers.Object(settings))
    container.config.from_dict({"storage": settings.storage_backend, "llm": settings.llm})
    for name, value in overrides.items():
        getattr(container, name).override(providers.Object(value))
    return container


def build_orchestrator(settings: Settings | None = None, **overrides: Any) -> Orchestrator:
    """The orchestrator for ``settings``: ``build_orchestrator().run_snapshot(...)``."""
    orchestrator: Orchestrator = build_container(settings, **overrides).orchestrator()
    return orchestrator
