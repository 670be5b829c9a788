"""SnapshotError: the base of every error the library raises on purpose."""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = ["SnapshotError"]


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
