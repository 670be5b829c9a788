"""Settings: read from the environment, then .env.local, then .env (pydantic-settings)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from snapshot_core.domain import InvalidSettingsError, RunPolicy, redact_url

__all__ = ["DEFAULT_DATABASE_URL", "Settings", "load_settings", "redact_url"]

DEFAULT_DATABASE_URL = "sqlite:///snapshot.db"


class Settings(BaseSettings):
    """Every setting the library reads. Secrets are ``SecretStr``: never printed or logged."""

    # Later files win: .env.local overrides .env; the environment overrides both.
    model_config = SettingsConfigDict(
        env_prefix="SNAPSHOT_",
        env_file=(".env", ".env.local"),
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # repr=False: a URL may hold a password; print redact_url(settings.database_url) instead.
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        repr=False,
        description="sqlite:///FILE, postgresql+psycopg://..., or memory:// (nothing persisted)",
    )
    llm: Literal["openai", "fake"] = "openai"
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "SNAPSHOT_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None,
        repr=False,
        validation_alias=AliasChoices("OPENAI_BASE_URL", "SNAPSHOT_OPENAI_BASE_URL"),
    )
    model: str = "gpt-4o-2024-08-06"
    temperature: float = Field(default=0.1, ge=0, le=2)
    max_tokens: int = Field(default=2000, ge=1)
    llm_timeout: float = Field(default=60.0, gt=0, description="seconds for the one model call")
    min_estimates: int = Field(default=25, ge=1)
    min_cell_count: int = Field(default=0, ge=0)
    max_weeks: int = Field(default=156, ge=1, description="longest span a snapshot covers")
    lease_seconds: float = Field(default=300.0, gt=0)
    ingest_max_bytes: int = Field(default=2 * 1024**3, gt=0)
    ingest_max_rows: int = Field(default=10_000_000, gt=0)
    user: str | None = Field(default=None, description="default --user for the CLI")

    def __init__(self, **values: Any) -> None:
        # A bad value is InvalidSettingsError naming the setting and the problem only, from
        # Python as from the CLI: pydantic's own text would echo the value, maybe a secret.
        try:
            super().__init__(**values)
        except ValidationError as error:
            raise InvalidSettingsError(_problems(error)) from None

    @model_validator(mode="after")
    def _lease_outlasts_the_call(self) -> Settings:
        # A lease shorter than the call would let a second attempt start while the first
        # is still waiting for its reply: two paid calls for one snapshot.
        if self.lease_seconds <= self.llm_timeout:
            raise ValueError("SNAPSHOT_LEASE_SECONDS must be greater than SNAPSHOT_LLM_TIMEOUT")
        return self

    @property
    def storage_backend(self) -> Literal["memory", "sql"]:
        return "memory" if self.database_url.startswith("memory:") else "sql"

    def run_policy(self) -> RunPolicy:
        return RunPolicy(
            min_estimates=self.min_estimates,
            min_cell_count=self.min_cell_count,
            max_weeks=self.max_weeks,
            lease_seconds=self.lease_seconds,
        )


_ALIASED = {"openai_api_key": "OPENAI_API_KEY", "openai_base_url": "OPENAI_BASE_URL"}


def _setting_name(location: tuple[int | str, ...]) -> str:
    field = str(location[0]) if location else ""
    if not field:
        return "settings"
    return _ALIASED.get(field, f"SNAPSHOT_{field.upper()}")


def _problems(error: ValidationError) -> list[str]:
    return [
        f"{_setting_name(e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
        for e in error.errors()
    ]


def load_settings(**values: object) -> Settings:
    """``Settings(**values)``: a bad value raises ``InvalidSettingsError`` naming the setting
    and the problem only."""
    return Settings(**values)
