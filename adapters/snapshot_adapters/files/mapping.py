"""Saved mappings: a small TOML file with the columns, statuses and reading options of one
tool's exports, so `snapshot ingest FILE --mapping jobber.toml` needs nothing else.

```toml
[columns]            # field = "Header"
amount = "Total"
sent_at = "Date Sent"
[outcomes]           # "Status" = "won" | "lost" | "pending"
"On hold" = "pending"
[read]               # any of: decimal, date_format, timezone, delimiter, encoding, sheet
decimal = "comma"
```
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from .errors import UnreadableFileError

__all__ = ["READ_OPTIONS", "MappingFileError", "SavedMapping", "load_mapping"]

READ_OPTIONS = ("decimal", "date_format", "timezone", "delimiter", "encoding", "sheet")


class MappingFileError(UnreadableFileError):
    """The --mapping file cannot be used as it is."""

    meaning = "The mapping file could not be read; nothing was stored."
    solution = (
        'Fix the mapping file: TOML with [columns] field = "Header", [outcomes] '
        '"Status" = "won|lost|pending" and [read] options (see docs/ingest.md).'
    )


@dataclass(frozen=True, slots=True)
class SavedMapping:
    columns: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    read: dict[str, str] = field(default_factory=dict)


def _strings(document: dict[str, Any], table: str, path: str) -> dict[str, str]:
    section = document.get(table, {})
    if not isinstance(section, dict) or not all(
        isinstance(value, str) for value in section.values()
    ):
        raise MappingFileError(f"{path}: [{table}] must map names to text values")
    return dict(section)


def load_mapping(path: str | os.PathLike[str]) -> SavedMapping:
    import tomllib  # only with --mapping: every ingest would pay its import otherwise

    shown = os.fsdecode(path)
    try:
        with open(path, "rb") as stream:
            document = tomllib.load(stream)
    except OSError as error:
        raise MappingFileError(f"Cannot read the mapping file {shown}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise MappingFileError(f"The mapping file {shown} is not valid TOML: {error}") from None
    unknown = set(document) - {"columns", "outcomes", "read"}
    if unknown:
        raise MappingFileError(f"{shown}: unknown table(s) {', '.join(sorted(unknown))}")
    read = _strings(document, "read", shown)
    extra = set(read) - set(READ_OPTIONS)
    if extra:
        raise MappingFileError(
            f"{shown}: unknown [read] option(s) {', '.join(sorted(extra))} "
            f"(known: {', '.join(READ_OPTIONS)})"
        )
    return SavedMapping(
        columns=_strings(document, "columns", shown),
        outcomes=_strings(document, "outcomes", shown),
        read=read,
    )
