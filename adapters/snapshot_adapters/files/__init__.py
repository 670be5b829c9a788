"""Estimate files in: CSV and JSON Lines, streamed, strictly checked, bad rows by physical line."""

from .amounts import AmountReader, DecimalMark, Undecided, parse_amount
from .api import InputFile, ingest_file
from .columns import AmbiguousColumnError
from .errors import LimitExceededError, UnreadableFileError
from .mapping import MappingFileError, SavedMapping, load_mapping
from .options import (
    REPORTED_PROBLEMS,
    BadRowPolicy,
    FileFormat,
    IngestLimits,
    IngestReport,
    detect_format,
)
from .records import ingest_records
from .rejects import (
    RejectsPathError,
    check_rejects_path,
    neutralise_cell,
    restore_cell,
    sqlite_companions,
)
from .values import ValueProblem, parse_timestamp

__all__ = [
    "REPORTED_PROBLEMS",
    "AmbiguousColumnError",
    "AmountReader",
    "BadRowPolicy",
    "DecimalMark",
    "FileFormat",
    "IngestLimits",
    "IngestReport",
    "InputFile",
    "LimitExceededError",
    "MappingFileError",
    "RejectsPathError",
    "SavedMapping",
    "Undecided",
    "UnreadableFileError",
    "ValueProblem",
    "check_rejects_path",
    "detect_format",
    "ingest_file",
    "ingest_records",
    "load_mapping",
    "neutralise_cell",
    "parse_amount",
    "parse_timestamp",
    "restore_cell",
    "sqlite_companions",
]
