"""Settings: read from the environment, then .env.local, then .env (pydantic-settings)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from snapshot_core.domain import (
    LEASE_SAFETY_MARGIN_SECONDS,
    BandScheme,
    InvalidSettingsError,
    RunPolicy,
    redact_url,
)

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
    max_upload_bytes: int = Field(
        default=50 * 1024**2, gt=0, description="largest file POST /v1/sources accepts"
    )
    user: str | None = Field(default=None, description="default --user for the CLI")
    price_provider: str | None = Field(
        default=None,
        description="genai-prices provider id for costs behind a gateway, or `none`",
    )
    # Azure OpenAI: chosen by AZURE_OPENAI_ENDPOINT alone (the SDK's own variable names).
    azure_openai_endpoint: str | None = Field(
        default=None,
        repr=False,
        validation_alias=AliasChoices("AZURE_OPENAI_ENDPOINT", "SNAPSHOT_AZURE_OPENAI_ENDPOINT"),
    )
    azure_openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("AZURE_OPENAI_API_KEY", "SNAPSHOT_AZURE_OPENAI_API_KEY"),
    )
    azure_ad_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("AZURE_OPENAI_AD_TOKEN", "SNAPSHOT_AZURE_AD_TOKEN"),
    )
    azure_deployment: str | None = Field(default=None, description="default: SNAPSHOT_MODEL")
    azure_api_version: str = Field(
        default="2024-10-21",
        validation_alias=AliasChoices("OPENAI_API_VERSION", "SNAPSHOT_AZURE_API_VERSION"),
    )
    azure_entra: bool = Field(default=False, description="Entra ID via azure-identity")

    @field_validator("openai_base_url")
    @classmethod
    def _base_url_is_an_http_url(cls, value: str | None) -> str | None:
        # Checked here, in words of our own: a URL parser's message ("Invalid port: 'pw'")
        # would quote a piece of the password, and the SDK would fail only at the call.
        if not value:
            return value
        problem = _http_url_problem(value)
        if problem:
            raise ValueError(f"{problem}: {redact_url(value)}")
        return value

    price_bands: str | None = Field(
        default=None, description='price band edges, ascending: "500,1000,2500,5000,10000"'
    )
    latency_bands: str | None = Field(
        default=None, description='last day of each decided latency band: "2,7,14,30"'
    )
    currency: str = Field(
        default="USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code amounts are shown in"
    )
    narrative_fallback: Literal["none", "template"] = Field(
        default="none", description="template: save the core's narrative when the call fails"
    )
    max_insights: int = Field(default=4, ge=0, le=8, description="insights sent to the model")
    telemetry: Literal["off", "otel"] = Field(
        default="off", description="otel: a span and metrics per run (the telemetry extra)"
    )
    save_wait_seconds: float = Field(
        default=30.0, ge=0, description="how long the save after a paid call retries storage"
    )
    # Background jobs (snapshot_adapters.jobs, the `jobs` extra); see docs/scaling.md.
    broker_url: str | None = Field(
        default=None, repr=False, description="Celery broker: redis://... or amqp://..."
    )
    redis_url: str | None = Field(
        default=None,
        repr=False,
        description="Redis for shared budgets and job states (default: a redis:// broker)",
    )
    rpm: int | None = Field(default=None, ge=1, description="model requests/minute, all workers")
    tpm: int | None = Field(default=None, ge=1, description="model tokens/minute, all workers")
    max_attempts: int = Field(default=3, ge=1, description="model calls a job may make at most")
    visibility_timeout: float = Field(
        default=3600.0, gt=0, description="seconds before Redis redelivers an unacked job"
    )

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
        if self.lease_seconds < self.llm_timeout + LEASE_SAFETY_MARGIN_SECONDS:
            raise ValueError(
                "SNAPSHOT_LEASE_SECONDS must be greater than SNAPSHOT_LLM_TIMEOUT by at least "
                f"{LEASE_SAFETY_MARGIN_SECONDS:g} s (the safety margin)"
            )
        return self

    @model_validator(mode="after")
    def _redelivery_waits_for_the_lease(self) -> Settings:
        # Redis hands an unacknowledged job to another worker after the visibility timeout;
        # while the first worker may still hold the claim, that redelivery is wasted work
        # (the claim refuses it), and a re-scheduled job held past it runs twice.
        if not self.broker_url:
            return self
        lease = self.run_policy().lease_for(self.llm_timeout)
        if self.visibility_timeout <= lease:
            raise ValueError(
                f"SNAPSHOT_VISIBILITY_TIMEOUT ({self.visibility_timeout:g} s) must be greater "
                f"than the claim lease ({lease:g} s: SNAPSHOT_LEASE_SECONDS, or "
                "SNAPSHOT_LLM_TIMEOUT + SNAPSHOT_SAVE_WAIT_SECONDS + the safety margin)"
            )
        return self

    @model_validator(mode="after")
    def _one_model_endpoint(self) -> Settings:
        # Both set would leave unsaid which one is called: refuse and name the deciding option.
        if self.azure_openai_endpoint and self.openai_base_url:
            raise ValueError(
                "AZURE_OPENAI_ENDPOINT and OPENAI_BASE_URL are both set; unset one "
                "(AZURE_OPENAI_ENDPOINT selects Azure OpenAI)"
            )
        return self

    @model_validator(mode="after")
    def _bands_make_a_scheme(self) -> Settings:
        self.band_scheme()  # refuse a bad list when settings load, never at run time
        return self

    def band_scheme(self) -> BandScheme:
        """The band scheme of SNAPSHOT_PRICE_BANDS and SNAPSHOT_LATENCY_BANDS (labels follow)."""
        default = BandScheme()
        prices = _edges("SNAPSHOT_PRICE_BANDS", self.price_bands)
        last_days = _edges("SNAPSHOT_LATENCY_BANDS", self.latency_bands)
        if last_days and any(day != day.to_integral_value() or day < 0 for day in last_days):
            raise ValueError("SNAPSHOT_LATENCY_BANDS: each value is a whole number of days >= 0")
        try:
            return BandScheme(
                price_edges=tuple(prices) if prices else default.price_edges,
                latency_edges_days=(
                    tuple(int(day) + 1 for day in last_days)
                    if last_days
                    else default.latency_edges_days
                ),
            )
        except ValidationError as error:
            names = "SNAPSHOT_PRICE_BANDS / SNAPSHOT_LATENCY_BANDS"
            message = error.errors()[0]["msg"].removeprefix("Value error, ")
            raise ValueError(f"{names}: {message}") from None

    @property
    def storage_backend(self) -> Literal["memory", "sql"]:
        return "memory" if self.database_url.startswith("memory:") else "sql"

    def run_policy(self) -> RunPolicy:
        return RunPolicy(
            min_estimates=self.min_estimates,
            min_cell_count=self.min_cell_count,
            max_weeks=self.max_weeks,
            lease_seconds=self.lease_seconds,
            band_scheme=self.band_scheme(),
            currency=self.currency,
            narrative_fallback=self.narrative_fallback,
            max_insights=self.max_insights,
            save_wait_seconds=self.save_wait_seconds,
        )


def _http_url_problem(url: str) -> str:
    """Why ``url`` is not a usable http(s) base URL, or ``""``."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "not a valid URL (a password with / ? # @ must be percent-encoded)"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL with a host"
    if any(char.isspace() for char in url):
        return "not a valid URL (it contains white space)"
    if "@" in url.partition("://")[2] and "@" not in parts.netloc:
        # The last @ lies in the path or query: a password held a / ? or #.
        return "not a valid URL (a password with / ? # @ must be percent-encoded)"
    return ""


_ALIASED = {
    "openai_api_key": "OPENAI_API_KEY",
    "openai_base_url": "OPENAI_BASE_URL",
    "azure_openai_endpoint": "AZURE_OPENAI_ENDPOINT",
    "azure_openai_api_key": "AZURE_OPENAI_API_KEY",
    "azure_ad_token": "AZURE_OPENAI_AD_TOKEN",
    "azure_api_version": "OPENAI_API_VERSION",
}


def _edges(name: str, listed: str | None) -> list[Decimal]:
    """``"500, 1000,2500"`` -> decimals; a value that is not a number names the setting."""
    if listed is None or not listed.strip():
        return []
    edges = []
    for item in listed.split(","):
        try:
            edges.append(Decimal(item.strip()))
        except InvalidOperation:
            raise ValueError(f"{name}: {item.strip()!r} is not a number") from None
    if any(not edge.is_finite() for edge in edges):
        raise ValueError(f"{name}: every edge must be a finite number")
    return edges


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
