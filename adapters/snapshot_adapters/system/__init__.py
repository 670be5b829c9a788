"""The real clock and random ids, for production use."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

__all__ = ["SystemClock", "UuidIds"]


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.perf_counter()


class UuidIds:
    """Random UUID4 strings: unguessable, so ids leak nothing about other users' data."""

    def new_id(self, kind: str) -> str:
        return str(uuid.uuid4())
