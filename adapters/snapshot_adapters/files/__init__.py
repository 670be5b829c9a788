"""Estimate files in: CSV and JSON Lines, streamed, strictly checked, bad rows by physical line."""

from .amounts import AmountReader, DecimalMark, Undecided, parse_amount
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
from .values import ValueProblem, parse_timestamp

__all__ = [
    "REPORTED_PROBLEMS",
    "AmountReader",
    "BadRowPolicy",
    "DecimalMark",
    "FileFormat",
    "IngestLimits",
    "IngestReport",
    "InputFile",
    "LimitExceededError",
    "Undecided",
    "UnreadableFileError",
    "ValueProblem",
    "detect_format",
    "ingest_file",
    "parse_amount",
    "parse_timestamp",
]
