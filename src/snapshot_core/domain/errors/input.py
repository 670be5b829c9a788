"""Errors of what a caller gives: rows, files, ids, keys, requests, settings."""

from __future__ import annotations

from .base import SnapshotError

__all__ = [
    "FileNotWrittenError",
    "InvalidApiKeyError",
    "InvalidInputError",
    "InvalidJobError",
    "InvalidKeyIdError",
    "InvalidRequestError",
    "InvalidSettingsError",
    "InvalidSnapshotError",
    "InvalidUserError",
    "RowProblem",
    "UploadTooLargeError",
]


class RowProblem:
    """One bad input row: where (line, column) and what is wrong with it."""

    __slots__ = ("column", "line", "problem")

    def __init__(self, line: int, column: str, problem: str) -> None:
        self.line = line
        self.column = column
        self.problem = problem

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.problem}"

    def __repr__(self) -> str:
        return f"RowProblem({self.line!r}, {self.column!r}, {self.problem!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RowProblem) and (self.line, self.column, self.problem) == (
            other.line,
            other.column,
            other.problem,
        )

    def __hash__(self) -> int:
        return hash((self.line, self.column, self.problem))


class InvalidInputError(SnapshotError):
    code = "invalid_input"
    meaning = "Some input rows (or the file itself) could not be read; nothing was stored."
    solution = "Fix the listed lines, or use `--on-bad-rows skip` to store the good rows."

    def __init__(
        self, problems: list[RowProblem], total: int | None = None, message: str = ""
    ) -> None:
        count = len(problems) if total is None else total
        super().__init__(message or f"Invalid input: {count} bad row{'s' if count != 1 else ''}")
        self.problems = problems
        self.total = count


class FileNotWrittenError(SnapshotError):
    code = "file_not_written"
    meaning = (
        "A file the command writes (the rejects file) could not be written completely, "
        "e.g. the disk is full; nothing was stored and no partial file was left."
    )
    solution = "Free some disk space or choose another path (--rejects), then run it again."

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"Could not write {path}: {reason}")
        self.path = path
        self.reason = reason


class InvalidUserError(SnapshotError):
    code = "invalid_user"
    meaning = (
        "The user id cannot be stored alike by every backend: it is empty, longer than "
        "255 characters, or holds a NUL or a lone surrogate character."
    )
    solution = "Use a user id of 1 to 255 characters (--user or SNAPSHOT_USER)."

    def __init__(self, problem: str) -> None:
        super().__init__(f"Invalid user_id: {problem}")
        self.problem = problem


class InvalidSnapshotError(SnapshotError):
    code = "invalid_snapshot"
    meaning = "The snapshot does not exist or belongs to another user."
    solution = "Check the snapshot id printed by `snapshot run`."

    def __init__(self) -> None:
        super().__init__("Invalid snapshot_id")


class InvalidJobError(SnapshotError):
    code = "invalid_job"
    meaning = "The job does not exist, has expired, or belongs to another user."
    solution = (
        "Check the job id returned when the snapshot was enqueued; "
        "the source's runs show what happened."
    )

    def __init__(self) -> None:
        super().__init__("Invalid job_id")


class InvalidApiKeyError(SnapshotError):
    code = "invalid_api_key"
    meaning = "The request has no API key, or the key is malformed, unknown or revoked."
    solution = "Send `Authorization: Bearer <key>` with a key from `snapshot keys create --user U`."

    def __init__(self) -> None:
        super().__init__("Invalid API key")


class InvalidKeyIdError(SnapshotError):
    code = "invalid_key_id"
    meaning = "No API key has this key id."
    solution = "Check the key id (`snapshot keys list` shows them)."

    def __init__(self) -> None:
        super().__init__("Invalid key_id")


class UploadTooLargeError(SnapshotError):
    code = "upload_too_large"
    meaning = "The uploaded file (or the request carrying it) is larger than the server accepts."
    solution = "Split the file, or raise SNAPSHOT_MAX_UPLOAD_BYTES on the server."

    def __init__(self, limit: int) -> None:
        super().__init__(f"Upload larger than {limit} bytes")
        self.limit = limit


class InvalidRequestError(SnapshotError):
    code = "invalid_request"
    meaning = (
        "The request is malformed: a field or option is missing, of the wrong type or too long."
    )
    solution = "Fix the named fields; GET /openapi.json describes every route, --help every option."

    def __init__(self, problems: list[str]) -> None:
        shown = "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else "")
        super().__init__(f"Invalid request: {shown}")
        self.problems = problems


class InvalidSettingsError(SnapshotError):
    code = "invalid_settings"
    meaning = "A setting (environment, .env.local or .env) has a value that cannot be used."
    solution = "Correct the named setting; docs/configuration.md lists every one."

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Invalid settings: " + "; ".join(problems))
        self.problems = problems
