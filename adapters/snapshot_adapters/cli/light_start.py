"""`snapshot ingest` and `snapshot bucket` started without pydantic-settings or
dependency-injector (which loads pydantic-settings, asyncio and PyYAML): a tenth of their
start-up.

When ``light_settings`` reads every setting that is set (so ``Settings`` would load the same
values and refuse none), ``LightContainer`` gives these commands what ``Container`` gives
them, made by the same functions (``container.sql_store``, ``system_clock``, ``uuid_ids``);
otherwise ``light_container`` returns ``None`` and the command uses ``Container``, whose
``Settings`` names whatever is wrong. ``tests/integration/cli/test_light_start.py`` runs both
ways over many settings and databases and checks that they print the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .light_settings import ReadSettings, read_settings

if TYPE_CHECKING:
    from snapshot_core.domain import RunPolicy
    from snapshot_core.ports import Clock, IdFactory, UnitOfWorkFactory

    from ..sql import SqlStore
    from ..sql.direct.store import DirectStore

__all__ = ["LightContainer", "light_container"]

_enabled = True  # tests set it False to run the full path (never an environment variable)


class LightContainer:
    """The providers of ``Container`` that ingest and bucket call, each made once."""

    def __init__(self, settings: ReadSettings) -> None:
        self._settings = settings
        self._storage: SqlStore | DirectStore | None = None
        self._clock: Clock | None = None
        self._ids: IdFactory | None = None
        self._policy: RunPolicy | None = None

    def settings(self) -> ReadSettings:
        return self._settings

    def storage(self) -> UnitOfWorkFactory:
        """A plain ``sqlite:///FILE`` takes the direct store (no SQLAlchemy while the file
        is at the head revision, see ``sql/direct``); any other URL ``Container``'s store."""
        if self._storage is None:
            from ..sql.direct.store import direct_store
            from .loading import loading

            self._storage = direct_store(self._settings.database_url, loading=loading)
        if self._storage is None:
            from ..container import sql_store

            self._storage = cast("SqlStore", sql_store(self._settings.database_url))
        return self._storage

    def clock(self) -> Clock:
        if self._clock is None:
            from ..container import system_clock

            self._clock = system_clock()
        return self._clock

    def ids(self) -> IdFactory:
        if self._ids is None:
            from ..container import uuid_ids

            self._ids = uuid_ids()
        return self._ids

    def policy(self) -> RunPolicy:
        """``Settings.run_policy()``: each field of the policy that is a setting (by the same
        name) is given as set; every other one keeps the default that both share."""
        if self._policy is None:
            from snapshot_core.domain import RunPolicy

            given = {key.removeprefix("snapshot_"): v for key, v in self._settings.values.items()}
            fields = [name for name in RunPolicy.model_fields if name in given]
            self._policy = RunPolicy(**{name: given[name] for name in fields})
        return self._policy

    def close(self) -> None:
        """Close the store's pooled connections (as the end of the process would)."""
        if self._storage is not None:
            self._storage.dispose()


def light_container(database_url: str | None) -> LightContainer | None:
    """A ``LightContainer`` for these settings (``database_url``: the ``--db`` option), or
    ``None`` when only ``Settings`` can say (or the store is not an SQL one)."""
    if not _enabled:
        return None
    found = read_settings(database_url)
    if found is None or found.database_url.startswith("memory:"):  # Settings.storage_backend
        return None
    return LightContainer(found)
