"""Errors of the one model call: no key, provider errors, refusals, schema, grounding."""

from __future__ import annotations

from typing import Any

from .base import SnapshotError

__all__ = [
    "LlmApiError",
    "LlmContentFilteredError",
    "LlmQuotaExhaustedError",
    "LlmRefusalError",
    "LlmTimeoutError",
    "LlmTruncatedError",
    "MissingApiKeyError",
    "ModelCallError",
    "OutputSchemaViolationError",
    "UngroundedOutputError",
]


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
    ``waiting_helps`` is ``False`` when the provider said that no wait makes the same request
    pass (OpenAI's 429 "Request too large" for the plan's limit): job runners do not retry it.
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
        waiting_helps: bool = True,
    ) -> None:
        super().__init__(f"OpenAI API error ({status})", facts)
        self.status = status
        self.retry_after = retry_after
        self.waiting_helps = waiting_helps
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
