"""The LanguageModel port: one call, given an AgentInput and nothing else."""

from __future__ import annotations

from typing import Protocol

from ..domain import AgentInput, ModelReply

__all__ = ["LanguageModel"]


class LanguageModel(Protocol):
    """A backend that writes a ``SnapshotNarrative`` as JSON text.

    ``generate`` sends exactly one request (no retries). It returns the raw content for the
    core to validate, or raises a ``ModelCallError`` subclass (``LlmApiError``,
    ``LlmTimeoutError``, ``LlmRefusalError``, ``LlmTruncatedError``, ...) carrying the
    call's ``CallFacts`` when the request was sent.
    """

    @property
    def model_name(self) -> str: ...

    def ensure_ready(self) -> None:
        """Raise a ``SnapshotError`` (e.g. ``MissingApiKeyError``) if no call could be made.

        Sends nothing; the use case asks before it claims a source.
        """
        ...

    def generate(self, agent_input: AgentInput) -> ModelReply: ...
