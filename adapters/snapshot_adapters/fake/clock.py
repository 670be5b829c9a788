"""A clock tests can set and move, and ids that count up."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

__all__ = ["FixedClock", "SequentialIds"]


class FixedClock:
    """Stands still unless moved with ``advance``; ``monotonic`` follows the same time."""

    def __init__(self, start: datetime = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._now.timestamp()

    def advance(self, **delta: float) -> datetime:
        with self._lock:
            self._now += timedelta(**delta)
            return self._now


class SequentialIds:
    """``source-000001``, ``snapshot-000001``, ...: readable in tests, unique per factory."""

    def __init__(self) -> None:
        self._counters: dict[str, itertools.count[int]] = {}
        self._lock = threading.Lock()

    def new_id(self, kind: str) -> str:
        with self._lock:
            counter = self._counters.setdefault(kind, itertools.count(1))
            return f"{kind}-{next(counter):06d}"
