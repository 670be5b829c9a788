"""The settings a read command, `snapshot ingest` or `snapshot bucket` needs (the database URL,
the default user, the run policy's), read as pydantic-settings reads them (``--db``, then the
environment, then ``.env.local``, then ``.env``), without loading it.

``Settings`` validates every setting, and a bad one stops every command. So these are read
only when every setting that is set is one whose value ``Settings`` surely accepts (any text;
one of a few words; a whole number in bounds; a currency code). Otherwise ``read_settings``
returns ``None`` and the command loads ``Settings`` itself, which names the bad setting.
``SETTING_NAMES`` (every variable name that sets a field, lower case) is kept equal to
pydantic-settings' own list by a test, and so are the defaults copied here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_DATABASE_URL", "SETTING_NAMES", "ReadSettings", "read_settings"]

DEFAULT_DATABASE_URL = "sqlite:///snapshot.db"  # settings.DEFAULT_DATABASE_URL (a test checks)
# Settings' defaults of the fields `snapshot ingest` reads (a test checks them too).
DEFAULT_MAX_WEEKS = 156
DEFAULT_INGEST_MAX_BYTES = 2 * 1024**3
DEFAULT_INGEST_MAX_ROWS = 10_000_000
ENV_FILES = (".env", ".env.local")  # later files win, as in Settings.model_config

_NUMBER = re.compile(r"0|[1-9][0-9]{0,17}")


def _any_text(_value: str) -> bool:
    return True


def _one_of(*words: str) -> Callable[[str], bool]:
    return lambda value: value in words


def _whole(least: int, most: int = 10**18) -> Callable[[str], bool]:
    return lambda value: bool(_NUMBER.fullmatch(value)) and least <= int(value) <= most


# The settings whose value Settings accepts exactly when this says so. Any other setting
# (numbers with a fraction, URLs, band lists, the job and Azure settings) sends the command
# down the full path when it is set.
_SURELY_VALID: Mapping[str, Callable[[str], bool]] = {
    "snapshot_database_url": _any_text,
    "snapshot_user": _any_text,
    "snapshot_llm": _one_of("openai", "fake"),
    "openai_api_key": _any_text,
    "snapshot_openai_api_key": _any_text,
    "snapshot_model": _any_text,
    "snapshot_max_tokens": _whole(1),
    "snapshot_min_estimates": _whole(1),
    "snapshot_min_cell_count": _whole(0),
    "snapshot_max_weeks": _whole(1),
    "snapshot_max_insights": _whole(0, 8),
    "snapshot_currency": lambda value: bool(re.fullmatch(r"[A-Z]{3}", value)),
    "snapshot_narrative_fallback": _one_of("none", "template"),
    "snapshot_price_provider": _any_text,
}

SETTING_NAMES = frozenset(
    {
        *_SURELY_VALID,
        "snapshot_temperature",
        "snapshot_llm_timeout",
        "snapshot_lease_seconds",
        "snapshot_ingest_max_bytes",
        "snapshot_ingest_max_rows",
        "snapshot_max_upload_bytes",
        "openai_base_url",
        "snapshot_openai_base_url",
        "azure_openai_endpoint",
        "snapshot_azure_openai_endpoint",
        "azure_openai_api_key",
        "snapshot_azure_openai_api_key",
        "azure_openai_ad_token",
        "snapshot_azure_ad_token",
        "snapshot_azure_deployment",
        "openai_api_version",
        "snapshot_azure_api_version",
        "snapshot_azure_entra",
        "snapshot_price_bands",
        "snapshot_latency_bands",
        "snapshot_telemetry",
        "snapshot_save_wait_seconds",
        "snapshot_broker_url",
        "snapshot_redis_url",
        "snapshot_rpm",
        "snapshot_tpm",
        "snapshot_max_attempts",
        "snapshot_visibility_timeout",
    }
)


@dataclass(frozen=True)
class ReadSettings:
    """The settings as ``Settings`` would load them: ``values`` holds every setting that is
    set (each one ``Settings`` surely accepts as it is), by lower-case name. Its repr leaves
    out the URL and the values, as ``Settings``' does: they may hold a password or a key."""

    database_url: str = field(repr=False)
    user: str | None
    values: Mapping[str, str] = field(default_factory=dict, repr=False)

    # The fields of Settings that `snapshot ingest` reads, by the same names.
    @property
    def max_weeks(self) -> int:
        return int(self.values.get("snapshot_max_weeks", DEFAULT_MAX_WEEKS))

    @property
    def ingest_max_bytes(self) -> int:
        return DEFAULT_INGEST_MAX_BYTES  # when it is set, Settings reads it (not surely valid)

    @property
    def ingest_max_rows(self) -> int:
        return DEFAULT_INGEST_MAX_ROWS  # likewise


def _environment() -> dict[str, str] | None:
    """The environment's settings by lower-case name; ``None`` if two names differ only in
    case (pydantic-settings would keep whichever comes last)."""
    found: dict[str, str] = {}
    for name, value in os.environ.items():
        key = name.lower()
        if key in SETTING_NAMES:
            if key in found:
                return None
            found[key] = value
    return found


def _env_files() -> dict[str, str | None] | None:
    """What ``.env`` and ``.env.local`` set (the later wins), read by python-dotenv as
    pydantic-settings reads them; ``None`` when a file has a line python-dotenv cannot parse
    (it would warn, and the full path would warn once more)."""
    merged: dict[str, str | None] = {}
    for name in ENV_FILES:
        path = Path(name).expanduser()
        if not path.exists():
            continue
        if not path.is_file():  # a FIFO can be read once only: leave it to Settings
            return None
        from dotenv import dotenv_values  # only when there is a file: it costs 8 ms
        from dotenv.parser import parse_stream

        with path.open(encoding="utf-8") as stream:
            if any(binding.error for binding in parse_stream(stream)):
                return None
        values = dotenv_values(path, encoding="utf-8")
        lowered: dict[str, str | None] = {}
        for key, value in values.items():
            if key.lower() in lowered:
                return None
            lowered[key.lower()] = value
        merged.update(lowered)
    return merged


def read_settings(database_url: str | None = None) -> ReadSettings | None:
    """The database URL (``database_url``, the ``--db`` option, wins) and ``SNAPSHOT_USER``,
    or ``None`` when only ``Settings`` can say (a setting it might refuse, a file it would
    read otherwise)."""
    environment = _environment()
    try:
        files = _env_files()
    except (OSError, UnicodeError):
        return None
    if environment is None or files is None:
        return None
    effective = {
        key: value
        for key, value in {**files, **environment}.items()
        if key in SETTING_NAMES  # any other name is ignored by Settings too
    }
    for key, value in effective.items():
        check = _SURELY_VALID.get(key)
        if value is None or check is None or not check(value):
            return None
    if not database_url:  # `--db ""` is no --db at all (common.set_database_url)
        database_url = effective.get("snapshot_database_url", DEFAULT_DATABASE_URL)
    return ReadSettings(
        database_url=str(database_url),
        user=effective.get("snapshot_user"),
        values={key: value for key, value in effective.items() if value is not None},
    )
