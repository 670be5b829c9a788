"""The error catalogue: seed messages verbatim, every code documented in docs/errors.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from snapshot_core.domain import errors as e

DOC = (Path(__file__).parents[2] / "docs" / "errors.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (e.InvalidSourceError(), "Invalid source_id"),
        (e.SourceNotBucketedError(), "Source must be bucketed"),
        (e.NoBucketsError(), "No buckets found"),
        (e.InsufficientEstimatesError(25), "Minimum 25 estimates required"),
        (e.MissingApiKeyError(), "OPENAI_API_KEY is required"),
        (e.LlmApiError(429, retry_after=3.0), "OpenAI API error (429)"),
    ],
)
def test_the_original_messages_are_kept_verbatim(error: e.SnapshotError, message: str) -> None:
    assert error.message == str(error) == message


@pytest.mark.parametrize("error_class", e.CATALOGUE, ids=lambda c: c.code)
def test_every_error_has_a_unique_code_and_is_documented(
    error_class: type[e.SnapshotError],
) -> None:
    assert error_class.meaning and error_class.solution
    assert [c.code for c in e.CATALOGUE].count(error_class.code) == 1
    row = next(line for line in DOC.splitlines() if line.startswith(f"| `{error_class.code}` |"))
    assert error_class.meaning in row and error_class.solution in row
