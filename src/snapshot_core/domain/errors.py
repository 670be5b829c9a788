"""The error catalogue: every failure a user can meet, with code, message, meaning and fix."""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "CATALOGUE",
    "ClaimLostError",
    "DatabaseDiskFullError",
    "DatabaseIoError",
    "DatabaseLockedError",
    "DatabaseOutdatedError",
    "DatabaseReadOnlyError",
    "DatabaseUnavailableError",
    "FileNotWrittenError",
    "InsufficientEstimatesError",
    "InvalidApiKeyError",
    "InvalidInputError",
    "InvalidJobError",
    "InvalidKeyIdError",
    "InvalidRequestError",
    "InvalidSettingsError",
    "InvalidSnapshotError",
    "InvalidSourceError",
    "InvalidUserError",
    "LlmApiError",
    "LlmContentFilteredError",
    "LlmQuotaExhaustedError",
    "LlmRefusalError",
    "LlmTimeoutError",
    "LlmTruncatedError",
    "MissingApiKeyError",
    "ModelCallError",
    "NoBucketsError",
    "NoDatabaseError",
    "OutputSchemaViolationError",
    "QueueUnavailableError",
    "RowProblem",
    "SnapshotError",
    "SnapshotInProgressError",
    "SnapshotNotSavedError",
    "SourceNotBucketedError",
    "SourceSpanTooLongError",
    "UngroundedOutputError",
    "UploadTooLargeError",
]


class SnapshotError(Exception):
    """Base of every error this library raises on purpose.

    ``code`` is stable (safe to branch on, stored with failed runs); ``message`` is what a
    user sees first; ``meaning`` and ``solution`` say why it happened and what to do.
    """

    code: ClassVar[str] = "snapshot_error"
    # Class defaults (the catalogue's words); an instance may say more (LlmApiError does).
    meaning: str = ""
    solution: str = ""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "meaning": self.meaning,
            "solution": self.solution,
        }


class InvalidSourceError(SnapshotError):
    code = "invalid_source"
    meaning = "The source does not exist or belongs to another user."
    solution = "Check the source id (`snapshot sources --user U` lists yours)."

    def __init__(self) -> None:
        super().__init__("Invalid source_id")


class SourceNotBucketedError(SnapshotError):
    code = "source_not_bucketed"
    meaning = "The source's status is not `bucketed`, so there is nothing ready to summarise."
    solution = "Run `snapshot bucket SOURCE_ID` first (a finished source already has a snapshot)."

    def __init__(self, status: str | None = None) -> None:
        super().__init__("Source must be bucketed")
        self.status = status


class NoBucketsError(SnapshotError):
    code = "no_buckets"
    meaning = "The source is marked bucketed but its bucket row is missing."
    solution = "Run bucketing again: `snapshot bucket SOURCE_ID`."

    def __init__(self) -> None:
        super().__init__("No buckets found")


class InsufficientEstimatesError(SnapshotError):
    code = "insufficient_estimates"
    meaning = "Too few estimates for a meaningful snapshot."
    solution = "Upload more estimates (or lower SNAPSHOT_MIN_ESTIMATES)."

    def __init__(self, minimum: int, found: int | None = None) -> None:
        super().__init__(f"Minimum {minimum} estimates required")
        self.minimum = minimum
        self.found = found


class SourceSpanTooLongError(SnapshotError):
    code = "source_span_too_long"
    meaning = (
        "The estimates span more weeks than a snapshot covers; often one mistyped date "
        "(e.g. 0001-01-01) stretches the weekly series."
    )
    solution = "Fix or drop the outlying dates, split the source, or raise SNAPSHOT_MAX_WEEKS."

    def __init__(self, weeks: int, maximum: int) -> None:
        super().__init__(f"Source spans {weeks} weeks; a snapshot covers at most {maximum}")
        self.weeks = weeks
        self.maximum = maximum


class SnapshotInProgressError(SnapshotError):
    code = "snapshot_in_progress"
    meaning = "Another run holds the claim on this source and is waiting for the model."
    solution = "Wait for it to finish; a claim whose lease expired can be taken over."

    def __init__(self) -> None:
        super().__init__("Snapshot generation already in progress")


class ClaimLostError(SnapshotError):
    code = "claim_lost"
    meaning = "This run's lease expired before the model replied and another attempt took over."
    solution = (
        "Nothing was saved by this run; raise SNAPSHOT_LEASE_SECONDS above the model timeout."
    )

    def __init__(self) -> None:
        super().__init__("Claim on the source was lost")


class SnapshotNotSavedError(SnapshotError):
    code = "snapshot_not_saved"
    meaning = (
        "The model answered (the call is paid for), but storage kept failing for longer than"
        " SNAPSHOT_SAVE_WAIT_SECONDS, so no snapshot was saved."
    )
    solution = (
        "Check the database (a long lock, a full disk); the reply is kept on the run record"
        " (`snapshot runs`), then run the snapshot again."
    )

    def __init__(self, run_id: str, reply_json: str | None, cause_code: str) -> None:
        super().__init__(f"Snapshot not saved: storage failed ({cause_code}) after the model call")
        self.run_id = run_id
        self.reply_json = reply_json
        self.cause_code = cause_code
        self.run_kept = True
        """False when even the run record could not be finished (it stays `calling`)."""

    @property
    def detail(self) -> str:
        if self.run_kept:
            return f"the reply is kept on run {self.run_id}"
        return f"run {self.run_id} could not be finished and stays on record as possibly billed"


class MissingApiKeyError(SnapshotError):
    code = "missing_api_key"
    meaning = "The OpenAI backend is selected but no API key is configured."
    solution = "Add OPENAI_API_KEY to .env.local or the environment (or set SNAPSHOT_LLM=fake)."

    def __init__(self) -> None:
        super().__init__("OPENAI_API_KEY is required")


class ModelCallError(SnapshotError):
    """A failure of the one model call; ``facts`` holds what is known about the call, if sent."""

    code = "llm_error"

    def __init__(self, message: str, facts: Any = None) -> None:
        super().__init__(message)
        self.facts = facts


class LlmApiError(ModelCallError):
    """An HTTP error status (or an error body) from the provider.

    ``meaning`` and ``solution`` default to the catalogue's; the adapter passes the ones that
    fit the status and the provider's error code. ``provider_code`` is that code, if sent.
    """

    code = "llm_api_error"
    meaning = "The model provider refused the request."
    solution = "Wait and try again, or raise the plan's rate limit; 401 means the key was rejected."

    def __init__(
        self,
        status: int,
        retry_after: float | None = None,
        detail: str | None = None,
        facts: Any = None,
        *,
        meaning: str | None = None,
        solution: str | None = None,
        provider_code: str | None = None,
    ) -> None:
        super().__init__(f"OpenAI API error ({status})", facts)
        self.status = status
        self.retry_after = retry_after
        self.detail = detail
        self.provider_code = provider_code
        if meaning:
            self.meaning = meaning
        if solution:
            self.solution = solution


class LlmQuotaExhaustedError(ModelCallError):
    """Out of credit or over a billing limit: waiting does not help, so never retry it."""

    code = "llm_quota_exhausted"
    meaning = (
        "The provider account has no credit left or reached its billing limit "
        "(e.g. insufficient_quota); this is not a rate limit, so waiting does not help."
    )
    solution = "Add credit or check billing (and the project's spend limit) at the provider."

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        facts: Any = None,
        provider_code: str | None = None,
    ) -> None:
        super().__init__(f"Model provider quota exhausted ({status})", facts)
        self.status = status
        self.detail = detail
        self.provider_code = provider_code


class LlmTimeoutError(ModelCallError):
    code = "llm_timeout"
    meaning = "The model did not answer in time, or the connection failed."
    solution = "Try again later, or raise SNAPSHOT_LLM_TIMEOUT; check OPENAI_BASE_URL."

    def __init__(self, detail: str = "", facts: Any = None) -> None:
        super().__init__("Model call timed out or could not connect", facts)
        self.detail = detail


class LlmRefusalError(ModelCallError):
    code = "llm_refusal"
    meaning = "The model refused to write the narrative."
    solution = "Try again later; if it persists, read the refusal text the error carries."

    def __init__(self, refusal: str = "", facts: Any = None) -> None:
        super().__init__("Model refused to answer", facts)
        self.refusal = refusal
        self.detail = refusal[:500]  # what the CLI prints and the run keeps


class LlmTruncatedError(ModelCallError):
    code = "llm_truncated"
    meaning = (
        "The model stopped early (token limit or an unexpected finish_reason); "
        "the reply is incomplete."
    )
    solution = "Raise SNAPSHOT_MAX_TOKENS, or try again."

    def __init__(self, finish_reason: str, facts: Any = None) -> None:
        super().__init__(f"Model output was cut off ({finish_reason})", facts)
        self.finish_reason = finish_reason


class LlmContentFilteredError(ModelCallError):
    """The provider's content filter blocked the prompt (``where="prompt"``) or the output."""

    code = "llm_content_filtered"
    meaning = (
        "The provider's content filter blocked the request or the reply (e.g. Azure OpenAI's "
        "ResponsibleAIPolicyViolation, or finish_reason content_filter); nothing was truncated."
    )
    solution = (
        "Review the provider's content-filter settings for this deployment; retrying the same "
        "input usually gives the same result."
    )

    def __init__(self, where: str, detail: str | None = None, facts: Any = None) -> None:
        super().__init__(f"Model provider's content filter blocked the {where}", facts)
        self.where = where
        self.detail = detail


class OutputSchemaViolationError(ModelCallError):
    code = "output_schema_violation"
    meaning = "The model's reply is not JSON matching the narrative schema."
    solution = "Try again; if it persists the model does not support strict structured outputs."

    def __init__(self, detail: str, facts: Any = None) -> None:
        super().__init__("Model output does not match the schema", facts)
        self.detail = detail


class UngroundedOutputError(ModelCallError):
    code = "ungrounded_output"
    meaning = "The narrative cites numbers that are not in the aggregates."
    solution = "Try again; nothing was saved, so no invented figure reached a report."

    def __init__(self, numbers: list[str], facts: Any = None) -> None:
        super().__init__(
            f"Model output cites numbers not in the aggregates: {', '.join(numbers)}", facts
        )
        self.numbers = numbers


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


class QueueUnavailableError(SnapshotError):
    code = "queue_unavailable"
    meaning = "The job broker or Redis (SNAPSHOT_BROKER_URL, SNAPSHOT_REDIS_URL) did not answer."
    solution = "Check that the server runs and the URL is right; nothing was enqueued."

    def __init__(self, detail: str = "") -> None:
        super().__init__("Job queue unavailable")
        self.detail = detail


class InvalidSettingsError(SnapshotError):
    code = "invalid_settings"
    meaning = "A setting (environment, .env.local or .env) has a value that cannot be used."
    solution = "Correct the named setting; docs/configuration.md lists every one."

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Invalid settings: " + "; ".join(problems))
        self.problems = problems


class DatabaseUnavailableError(SnapshotError):
    code = "database_unavailable"
    meaning = "The database could not be reached."
    solution = "Check SNAPSHOT_DATABASE_URL and that the server is running."

    def __init__(self, detail: str = "") -> None:
        super().__init__("Database unavailable")
        self.detail = detail


class _DatabaseFailure(DatabaseUnavailableError):
    """A database that answered, but cannot do what was asked: each cause its own code.

    Subclasses of ``DatabaseUnavailableError``, so code that catches that still catches them.
    """

    message_text: ClassVar[str] = ""

    def __init__(self, detail: str = "") -> None:
        SnapshotError.__init__(self, self.message_text)
        self.detail = detail


class DatabaseLockedError(_DatabaseFailure):
    code = "database_locked"
    message_text = "Database is locked"
    meaning = (
        "Another process kept the database's write lock longer than the wait allowed "
        "(SQLite: 30 s), e.g. a large ingest; nothing was changed."
    )
    solution = (
        "Run the command again once the other one has finished; for many concurrent "
        "writers use PostgreSQL."
    )


class DatabaseReadOnlyError(_DatabaseFailure):
    code = "database_read_only"
    message_text = "Database is read-only"
    meaning = (
        "The database (its file, its directory or the volume) cannot be written by this "
        "user; read commands (sources, show, stats) still work."
    )
    solution = (
        "Make the file and its directory writable (SQLite writes -wal and -shm files beside "
        "it), or point SNAPSHOT_DATABASE_URL at a writable copy."
    )


class DatabaseDiskFullError(_DatabaseFailure):
    code = "database_disk_full"
    message_text = "Database disk is full"
    meaning = "The disk or quota holding the database is full; the change was rolled back."
    solution = "Free disk space (or raise the quota), then run the command again."


class DatabaseIoError(_DatabaseFailure):
    code = "database_io_error"
    message_text = "Database disk I/O error"
    meaning = (
        "The operating system failed to read or write the database file: a failing disk, "
        "a removed volume, or a network file system SQLite cannot lock."
    )
    solution = (
        "Check the disk and the system log; keep SQLite files on a local disk; if "
        "`PRAGMA integrity_check` fails, restore the file from a backup."
    )


class DatabaseOutdatedError(SnapshotError):
    code = "database_outdated"
    meaning = "The database schema is older than this version of the code."
    solution = "Run `snapshot db upgrade`."

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(f"Database schema is at {current or 'nothing'}, code needs {head}")
        self.current = current
        self.head = head


class NoDatabaseError(SnapshotError):
    code = "no_database"
    meaning = "A command that only reads found no database file there, and never creates one."
    solution = (
        "Run it from the directory that holds the database, or pass `--db sqlite:///PATH` "
        "(or set SNAPSHOT_DATABASE_URL); `snapshot ingest` creates a new one."
    )

    def __init__(self, path: str) -> None:
        super().__init__(f"No database at {path}")
        self.path = path


CATALOGUE: tuple[type[SnapshotError], ...] = (
    InvalidSourceError,
    SourceNotBucketedError,
    NoBucketsError,
    InsufficientEstimatesError,
    SourceSpanTooLongError,
    MissingApiKeyError,
    LlmApiError,
    LlmQuotaExhaustedError,
    SnapshotInProgressError,
    ClaimLostError,
    SnapshotNotSavedError,
    LlmTimeoutError,
    LlmRefusalError,
    LlmTruncatedError,
    LlmContentFilteredError,
    OutputSchemaViolationError,
    UngroundedOutputError,
    InvalidInputError,
    FileNotWrittenError,
    InvalidUserError,
    InvalidSnapshotError,
    InvalidJobError,
    InvalidApiKeyError,
    InvalidKeyIdError,
    UploadTooLargeError,
    InvalidRequestError,
    QueueUnavailableError,
    InvalidSettingsError,
    DatabaseUnavailableError,
    DatabaseLockedError,
    DatabaseReadOnlyError,
    DatabaseDiskFullError,
    DatabaseIoError,
    DatabaseOutdatedError,
    NoDatabaseError,
)
