"""`snapshot sources` and `snapshot show --format json` on an SQLite file, answered without
SQLAlchemy, Alembic, pydantic-settings or the core's models: a third of the start-up.

Each function prints exactly what the full path prints and returns ``True``, or prints
nothing and returns ``False`` so the command takes the full path, which then says what is
wrong in the catalogue's words (or migrates an outdated file). It returns ``False`` on
anything unusual: a setting only ``Settings`` can judge, a URL other than ``sqlite:///FILE``,
a missing file, another schema revision, an SQLite error, an unknown id or another user's
(the same error either way), a stored value it is not sure to print as the models would.
``tests/integration/cli/test_fast_read.py`` checks both paths print the same over many states.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from . import common

__all__ = ["show_json", "sources"]

_enabled = True  # tests set it False to run the full path (never an environment variable)

# SQLite URLs whose path SQLAlchemy and `common.sqlite_file` surely read alike.
_SQLITE_URL = re.compile(r"sqlite(\+pysqlite)?:///[^?#%@:\s]+")
_SQLITE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?")
_STATUSES = ("uploaded", "bucketed", "generating", "snapshot_generated")
_USER_ID_MAX_LENGTH = 255  # snapshot_core.domain.user_text.USER_ID_MAX_LENGTH (a test checks)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # user_text._UNSTORABLE


class _Unsure(Exception):
    """Leave this to the full path."""


def _database_and_user(user: str | None) -> tuple[Any, str]:
    """The SQLite file and the user id, both as the full path would find them."""
    from .light_settings import read_settings

    if not _enabled:
        raise _Unsure("switched off")
    found = read_settings(common._database_url)
    if found is None or not _SQLITE_URL.fullmatch(found.database_url):
        raise _Unsure("settings")
    path = common.sqlite_file(found.database_url)
    if user is None:
        user = found.user
    if path is None or not user or not user.strip():
        raise _Unsure("no file or no user")
    if len(user) > _USER_ID_MAX_LENGTH or _UNSTORABLE.search(user):
        raise _Unsure("a user id the core refuses")
    return path, user


def _utc(value: Any, *, optional: bool = False) -> datetime | None:
    """A timestamp column as SQLAlchemy reads it on SQLite (naive text, meaning UTC)."""
    if value is None and optional:
        return None
    if type(value) is not str or not _SQLITE_TIME.fullmatch(value):
        raise _Unsure("a timestamp stored otherwise")
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _json_time(moment: datetime | None) -> str | None:
    from .snapshot_document import utc_text

    return None if moment is None else utc_text(moment)


def _source(row: dict[str, Any]) -> dict[str, Any]:
    """``Source.model_dump(mode="json")`` of a row, checked as ``Source`` validates it."""
    texts = (row["source_id"], row["user_id"], row["name"])
    counts = (row["estimate_count"], row["attempt"])
    if any(type(text) is not str for text in texts) or row["status"] not in _STATUSES:
        raise _Unsure("a source stored otherwise")
    if any(type(count) is not int or count < 0 for count in counts):
        raise _Unsure("a count stored otherwise")
    return {
        **row,
        "created_at": _utc(row["created_at"]),
        "lease_expires_at": _utc(row["lease_expires_at"], optional=True),
    }


def sources(user: str | None, as_json: bool) -> bool:
    """`snapshot sources [--json]`, if it can be answered here."""
    from ..sql.light_reader import NotReadable, latest_ids, read_only, source_rows

    try:
        path, user_id = _database_and_user(user)
        with read_only(path) as connection:
            found = [_source(row) for row in source_rows(connection, user_id)]
            latest = latest_ids(connection, user_id) if found else {}
    except (_Unsure, NotReadable):
        return False
    if as_json:
        common.print_json(
            [
                {
                    **source,
                    "created_at": _json_time(source["created_at"]),
                    "lease_expires_at": _json_time(source["lease_expires_at"]),
                    "latest_snapshot_id": latest.get(source["source_id"]),
                }
                for source in found
            ]
        )
    elif not found:
        common.err.print("No sources yet: `snapshot ingest FILE --user U` makes one.")
    else:
        from .source_table import print_source_rows, source_row

        rows = [
            source_row(
                s["source_id"],
                s["status"],
                latest.get(s["source_id"]),
                s["estimate_count"],
                s["name"],
                s["created_at"],
            )
            for s in found
        ]
        print_source_rows(common.out, common.err, rows)
    return True


def show_json(snapshot_id: str | None, latest: str | None, user: str | None) -> bool:
    """`snapshot show (SNAPSHOT_ID | --latest SOURCE_ID) --format json`, if it can be
    answered here."""
    from ..sql.light_reader import NotReadable, latest_ids, read_only, snapshot_body
    from .snapshot_document import Unsure, snapshot_json

    if (snapshot_id is None) == (latest is None):
        return False  # a usage error: the full path words it
    try:
        path, user_id = _database_and_user(user)
        with read_only(path) as connection:
            if latest is not None:
                snapshot_id = latest_ids(connection, user_id).get(latest)
            body = None if snapshot_id is None else snapshot_body(connection, snapshot_id, user_id)
        if body is None:
            return False  # unknown, or another user's: the full path's error
        text = snapshot_json(body)
    except (_Unsure, NotReadable, Unsure):
        return False
    common.print_json(text)
    return True
