"""Errors of a source's lifecycle: not found, not bucketed, too small, claimed, not saved."""

from __future__ import annotations

from .base import SnapshotError

__all__ = [
    "ClaimLostError",
    "InsufficientEstimatesError",
    "InvalidSourceError",
    "NoBucketsError",
    "SnapshotInProgressError",
    "SnapshotNotSavedError",
    "SourceNotBucketedError",
    "SourceSpanTooLongError",
]


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
