"""Clock and IdFactory ports: time and identity come from outside the core, so tests fix them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

__all__ = ["Clock", "IdFactory"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, for measuring durations."""
        ...


class IdFactory(Protocol):
    def new_id(self, kind: str) -> str:
        """A fresh unique id; ``kind`` is ``source``, ``snapshot`` or ``run``."""
        ...
