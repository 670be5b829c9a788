"""Plausibility at the door: a sent_at far from the rest of the file (2062 among 2026 rows,
a typo'd year) is a bad row at ingest, not a span error two commands later.

The rule: a row is implausible when its sent_at lies more than ``max_weeks`` weeks
(SNAPSHOT_MAX_WEEKS, the longest span a snapshot covers) from the **median** sent_at of the
whole file. The median needs the whole file, and ingestion streams, so (memory stays flat):

- rows' weeks are counted in a histogram (one entry per distinct week, bounded);
- the first ``WARM_UP`` rows are held back, so the median is known before any row is kept;
- later, a row far from the running median is held too (up to the checker's bound);
- at the end every held row is judged against the final median; and if a row already kept
  turns out far from it (the file's dates shifted by years half-way), the ingestion fails
  naming those rows' lines, so an implausible date is never stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

__all__ = ["WARM_UP", "DateSpan"]

WARM_UP = 1000
_MAX_WEEKS_TRACKED = 100_000  # about 1,900 years of distinct weeks: beyond, stop checking
_RECOMPUTE_EVERY = 1024


class DateSpan:
    """The histogram of a file's sent weeks and the plausibility rule over it.

    ``low``..``high`` is the plausible range around the running median (empty while warming
    up), refreshed every ``_RECOMPUTE_EVERY`` rows: the row checker's per-row test is then
    one dict update and two comparisons (``in_range``), the rest off the per-row path.
    """

    def __init__(self, max_weeks: int) -> None:
        self.max_weeks = max_weeks
        self.weeks: dict[int, int] = {}
        self.kept_first_line: dict[int, int] = {}  # week -> first line of a kept row
        self.total = 0
        self.gave_up = False
        self.low, self.high = 1, 0  # nothing is in range until the median is known
        self._median = 0
        self._next_refresh = WARM_UP + 1

    def in_range(self, week: int) -> bool:
        """Count the week; True when it is plausible and seen before (the common case)."""
        weeks = self.weeks
        seen = weeks.get(week)
        if seen is None or not self.low <= week <= self.high:
            return False
        weeks[week] = seen + 1
        total = self.total = self.total + 1
        if total >= self._next_refresh:
            self.refresh()
        return True

    def count_in_range(self, weeks: Sequence[int]) -> int:
        """``in_range()`` of each week in turn while it is True, a run at a time: how many
        leading weeks it counted (the state is as after that many calls)."""
        done, total, seen = 0, len(weeks), self.weeks
        while done < total:
            # Up to the next refresh, which may move the range: in between, nothing does.
            run = weeks[done : done + self._next_refresh - self.total]
            if not (self.low <= min(run) and max(run) <= self.high):
                break
            counts = Counter(run)
            if not all(week in seen for week in counts):
                break
            for week, count in counts.items():
                seen[week] += count
            self.total += len(run)
            done += len(run)
            if self.total >= self._next_refresh:
                self.refresh()
        return done

    def add(self, week: int) -> None:
        """Count a week that ``in_range`` did not (new, or outside the range)."""
        if self.gave_up:
            return
        if week not in self.weeks and len(self.weeks) >= _MAX_WEEKS_TRACKED:
            self.gave_up = True  # no real export spans this: the span check at bucketing stays
            self.low, self.high = -(10**9), 10**9
            return
        self.weeks[week] = self.weeks.get(week, 0) + 1
        self.total += 1
        if self.total >= self._next_refresh:
            self.refresh()

    def refresh(self) -> None:
        """The median week (the lower one of an even count) and the range around it."""
        half, seen = (self.total + 1) // 2, 0
        for week in sorted(self.weeks):
            seen += self.weeks[week]
            if seen >= half:
                self._median = week
                break
        self._next_refresh = self.total + _RECOMPUTE_EVERY
        if not self.gave_up:
            self.low, self.high = self._median - self.max_weeks, self._median + self.max_weeks

    def median(self) -> int:
        return self._median

    def kept(self, week: int, line: int) -> None:
        if not self.gave_up:
            self.kept_first_line.setdefault(week, line)

    def final_median(self) -> int:
        self.refresh()
        return self._median

    def warming(self) -> bool:
        """Still among the first rows, held until the median means something."""
        return self.total <= WARM_UP and not self.gave_up

    def far(self, week: int, median: int | None = None) -> bool:
        if self.gave_up:
            return False
        return abs(week - (self._median if median is None else median)) > self.max_weeks

    def problem(self, week: int) -> str:
        median = self._median
        middle = date.fromordinal(max(median * 7, 1)).isoformat()
        return (
            f"is {abs(week - median)} weeks from the file's median date (about {middle}), "
            f"more than SNAPSHOT_MAX_WEEKS ({self.max_weeks}): a mistyped year?"
        )
