"""Every catalogue code has a disposition, and the verdicts follow the table."""

from __future__ import annotations

import random

import pytest

from snapshot_adapters.jobs import DISPOSITIONS, Disposition, Verdict, judge
from snapshot_adapters.jobs.dispositions import BACKOFF_SECONDS, JITTER
from snapshot_core.domain import (
    CATALOGUE,
    DatabaseUnavailableError,
    LlmApiError,
    LlmQuotaExhaustedError,
    LlmRefusalError,
    LlmTimeoutError,
    OutputSchemaViolationError,
    SnapshotError,
    SnapshotInProgressError,
    SourceNotBucketedError,
    UngroundedOutputError,
)


def _verdict(error: SnapshotError, attempt: int = 1, snapshot: str | None = None) -> Verdict:
    return judge(
        error,
        attempt=attempt,
        max_attempts=3,
        lease_seconds=40,
        snapshot_of_source=lambda: snapshot,
        rng=random.Random(1),
    )


@pytest.mark.parametrize("error_class", CATALOGUE, ids=lambda c: c.code)
def test_every_catalogue_code_has_a_disposition(error_class: type[SnapshotError]) -> None:
    assert isinstance(DISPOSITIONS.get(error_class.code), Disposition)


def test_the_table_names_no_code_outside_the_catalogue() -> None:
    assert set(DISPOSITIONS) == {error.code for error in CATALOGUE}


def test_a_claim_held_elsewhere_is_tried_again_after_the_lease_without_counting() -> None:
    verdict = _verdict(SnapshotInProgressError(), attempt=3)
    assert verdict.action == "retry" and not verdict.new_attempt
    assert 40 <= verdict.countdown <= 40 * (1 + JITTER)


def test_a_source_already_snapshotted_is_a_success_and_any_other_status_a_failure() -> None:
    done = _verdict(SourceNotBucketedError("snapshot_generated"), snapshot="snap-1")
    assert (done.action, done.snapshot_id) == ("succeeded", "snap-1")
    failed = _verdict(SourceNotBucketedError("uploaded"), snapshot=None)
    assert (failed.action, failed.error_code) == ("failed", "source_not_bucketed")


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_rate_limit_or_server_error_gets_a_new_attempt_after_retry_after(status: int) -> None:
    verdict = _verdict(LlmApiError(status, retry_after=7.0))
    assert (verdict.action, verdict.new_attempt) == ("retry", True)
    assert 7.0 <= verdict.countdown <= 7.0 * (1 + JITTER)


def test_without_retry_after_the_wait_doubles_with_each_attempt() -> None:
    second = _verdict(LlmApiError(429), attempt=2)
    assert BACKOFF_SECONDS * 2 <= second.countdown <= BACKOFF_SECONDS * 2 * (1 + JITTER)


def test_the_last_attempt_is_not_retried() -> None:
    verdict = _verdict(LlmApiError(429, retry_after=1.0), attempt=3)
    assert (verdict.action, verdict.error_code) == ("failed", "llm_api_error")


@pytest.mark.parametrize(
    "error",
    [
        LlmApiError(401),
        LlmApiError(400),
        LlmApiError(429, waiting_helps=False),  # "Request too large" for the plan's limit
        LlmQuotaExhaustedError(429),
        LlmRefusalError("no"),
        OutputSchemaViolationError("bad"),
        UngroundedOutputError(["42"]),
        LlmTimeoutError(),  # possibly billed: a new call could pay twice
    ],
    ids=lambda e: f"{e.code}-{getattr(e, 'status', '')}",
)
def test_errors_a_new_call_would_repeat_or_pay_twice_for_are_never_retried(
    error: SnapshotError,
) -> None:
    verdict = _verdict(error)
    assert (verdict.action, verdict.error_code) == ("failed", error.code)


def test_an_unreachable_database_is_tried_again_and_counts_as_an_attempt() -> None:
    verdict = _verdict(DatabaseUnavailableError("down"))
    assert (verdict.action, verdict.new_attempt) == ("retry", True)
