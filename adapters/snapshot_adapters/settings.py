"""Settings: read from the environment, then .env.local, then .env (pydantic-settings)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from snapshot_core.domain import RunPolicy

__all__ = ["DEFAULT_DATABASE_URL", "Settings", "redact_url"]

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

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="sqlite:///FILE, postgresql+psycopg://..., or memory:// (nothing persisted)",
    )
    llm: Literal["openai", "fake"] = "openai"
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "SNAPSHOT_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "SNAPSHOT_OPENAI_BASE_URL")
    )
    model: str = "gpt-4o-2024-08-06"
    temperature: float = Field(default=0.1, ge=0, le=2)
    max_tokens: int = Field(default=2000, ge=1)
    llm_timeout: float = Field(default=60.0, gt=0, description="seconds for the one model call")
    min_estimates: int = Field(default=25, ge=1)
    min_cell_count: int = Field(default=0, ge=0)
    lease_seconds: float = Field(default=300.0, gt=0)
    ingest_max_bytes: int = Field(default=2 * 1024**3, gt=0)
    ingest_max_rows: int = Field(default=10_000_000, gt=0)
    user: str | None = None

    @property
    def storage_backend(self) -> Literal["memory", "sql"]:
        return "memory" if self.database_url.startswith("memory:") else "sql"

    def run_policy(self) -> RunPolicy:
        return RunPolicy(
            min_estimates=self.min_estimates,
            min_cell_count=self.min_cell_count,
            lease_seconds=self.lease_seconds,
        )


def redact_url(url: str) -> str:
    """The URL with any password replaced by ``***``, safe to print."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
