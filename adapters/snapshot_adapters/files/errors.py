"""File-level ingestion errors: still ``invalid_input``, with a solution that fits the cause."""

from __future__ import annotations

from snapshot_core.domain import InvalidInputError, RowProblem

__all__ = ["LimitExceededError", "UnreadableFileError"]


class UnreadableFileError(InvalidInputError):
    """The file as a whole cannot be read as estimates (encoding, binary, empty, header).

    Skipping bad rows cannot help here, so the solution says how to fix the file instead.
    """

    meaning = "The file itself could not be read as estimates; nothing was stored."
    solution = (
        "Save it as UTF-8 CSV with a header row (amount, sent_at, and optionally decided_at, "
        "estimate_id) or as JSON Lines, then ingest it again."
    )

    def __init__(self, message: str, problem: RowProblem | None = None) -> None:
        problems = [problem] if problem is not None else []
        super().__init__(problems, total=len(problems), message=message)


class LimitExceededError(UnreadableFileError):
    """The file is larger, or has more rows, than the configured ingestion limits allow."""

    meaning = "The file exceeds an ingestion limit; nothing was stored."
    solution = (
        "Split the file, or raise the limit (SNAPSHOT_INGEST_MAX_BYTES / "
        "SNAPSHOT_INGEST_MAX_ROWS, or IngestLimits in Python)."
    )
