"""What ingest_file takes and gives: formats, bad-row policy, limits, the report."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from snapshot_core.domain import RowProblem

from .errors import UnreadableFileError

__all__ = [
    "REPORTED_PROBLEMS",
    "BadRowPolicy",
    "FileFormat",
    "IngestLimits",
    "IngestReport",
    "detect_format",
]

FileFormat = Literal["csv", "jsonl", "xlsx"]
BadRowPolicy = Literal["reject", "skip"]
REPORTED_PROBLEMS = 100  # kept in memory and in the report; the rejects file has every one

_SUFFIXES: dict[str, FileFormat] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xlsx",
    ".ods": "xlsx",
}


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """Refuse files over ``max_bytes`` or with more than ``max_rows`` data rows."""

    max_bytes: int = 2 * 1024**3
    max_rows: int = 10_000_000


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What an ingestion stored and what it left out (``problems``: the first 100)."""

    source_id: str
    format: FileFormat
    stored_rows: int
    bad_rows: int
    problems: tuple[RowProblem, ...]
    ignored_columns: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready data, e.g. for a web handler's response."""
        return {
            "source_id": self.source_id,
            "format": self.format,
            "stored_rows": self.stored_rows,
            "bad_rows": self.bad_rows,
            "problems": [
                {"line": p.line, "column": p.column, "problem": p.problem} for p in self.problems
            ],
            "ignored_columns": list(self.ignored_columns),
        }


def detect_format(name: str | os.PathLike[str] | None, format: str | None = None) -> FileFormat:
    """``format`` when given (csv, jsonl, ndjson, xlsx), otherwise from the name's extension
    (.csv/.tsv, .jsonl/.ndjson, .xlsx/.xlsm/.xls/.ods)."""
    if format is not None:
        chosen = _SUFFIXES.get(f".{format.lower()}")
        if chosen is None:
            raise ValueError(f"unknown format {format!r}: use csv, jsonl or xlsx")
        return chosen
    suffix = Path(os.fsdecode(name)).suffix.lower() if name else ""
    found = _SUFFIXES.get(suffix)
    if found is None:
        shown = os.path.basename(os.fsdecode(name)) if name else "the file"
        raise UnreadableFileError(
            f"Cannot tell the format of {shown!r}: name it .csv, .jsonl, .ndjson or .xlsx, "
            "or give the format (--format csv|jsonl|xlsx)"
        )
    return found
