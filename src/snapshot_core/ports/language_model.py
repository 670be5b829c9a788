"""The LanguageModel ports: one call, given an AgentInput and nothing else, within a deadline."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..domain import AgentInput, ModelReply

__all__ = ["AsyncLanguageModel", "LanguageModel"]


class LanguageModel(Protocol):
    """A backend that writes a ``SnapshotNarrative`` as JSON text.

    ``generate`` sends exactly one request (no retries). It returns the raw content for the
    core to validate, or raises a ``ModelCallError`` subclass (``LlmApiError``,
    ``LlmTimeoutError``, ``LlmRefusalError``, ``LlmTruncatedError``, ...) carrying the
    call's ``CallFacts`` when the request was sent.
    """

    @property
    def model_name(self) -> str: ...

    @property
    def deadline_seconds(self) -> float:
        """The total wall time one ``generate`` may take, everything included (connect, send,
        wait, read), enforced by the adapter whatever the server does.

        The claim's lease is computed from it (``RunPolicy.lease_for``), so that no second
        attempt can claim the source while this call may still be running (and billed).
        """
        ...

    def ensure_ready(self) -> None:
        """Raise a ``SnapshotError`` (e.g. ``MissingApiKeyError``) if no call could be made.

        Sends nothing; the use case asks before it claims a source.
        """
        ...

    def generate(self, agent_input: AgentInput) -> ModelReply: ...


@runtime_checkable
class AsyncLanguageModel(Protocol):
    """The same backend, awaited: ``agenerate`` is ``generate`` without holding a thread.

    Same contract as ``LanguageModel``: one request, no retries, the same typed errors, the
    same ``deadline_seconds``. Every model class shipped implements both.
    """

    @property
    def model_name(self) -> str: ...

    @property
    def deadline_seconds(self) -> float: ...

    def ensure_ready(self) -> None: ...

    async def agenerate(self, agent_input: AgentInput) -> ModelReply: ...
