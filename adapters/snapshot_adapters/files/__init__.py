"""Estimate files in: CSV and JSON Lines, streamed, strictly checked, bad rows by physical line."""

from .api import InputFile, ingest_file
from .errors import LimitExceededError, UnreadableFileError
from .options import (
    REPORTED_PROBLEMS,
    BadRowPolicy,
    FileFormat,
    IngestLimits,
    IngestReport,
    detect_format,
)
from .rejects import (
    RejectsPathError,
    check_rejects_path,
    neutralise_cell,
    restore_cell,
    sqlite_companions,
)
from .values import ValueProblem, parse_amount, parse_timestamp

__all__ = [
    "REPORTED_PROBLEMS",
    "BadRowPolicy",
    "FileFormat",
    "IngestLimits",
    "IngestReport",
    "InputFile",
    "LimitExceededError",
    "RejectsPathError",
    "UnreadableFileError",
    "ValueProblem",
    "check_rejects_path",
    "detect_format",
    "ingest_file",
    "neutralise_cell",
    "parse_amount",
    "parse_timestamp",
    "restore_cell",
    "sqlite_companions",
]
