"""RowChecker: values checked into EstimateRows as they stream, bad rows kept."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from snapshot_core.domain import (
    ESTIMATE_ID_MAX_LENGTH,
    EstimateRow,
    RowProblem,
    SeenIds,
    text_problem,
)

from .amounts import Undecided
from .construct import trusted_row
from .converters import Converters
from .errors import LimitExceededError
from .plausibility import WARM_UP, DateSpan
from .rejects import RejectsWriter
from .values import ValueProblem

__all__ = ["MAX_ID_LENGTH", "RowChecker"]

MAX_ID_LENGTH = ESTIMATE_ID_MAX_LENGTH
_PROGRESS_EVERY = 8192  # rows between progress callbacks
# Rows held back until the file shows a convention they depend on (see AmountReader): a
# bound, so memory stays flat; past it such a row is a bad row at once.
MAX_HELD_ROWS = 20_000


class RowChecker:
    """Checks one row's values (``None`` = empty or absent) the way ``EstimateRow`` would,
    and more strictly; counts rows, keeps problems, writes rejects, reports progress.

    Every check the model makes is made here (amount ≥ 0 and finite, UTC timestamps,
    decided_at not before sent_at), so rows are built without pydantic's per-row
    validation (``trusted_row``). Without ``skip_bad`` the first bad row stops the
    storing; checking goes on so the report is complete. One problem per bad row.
    """

    def __init__(
        self,
        converters: Converters,
        *,
        skip_bad: bool,
        max_rows: int,
        max_problems: int,
        rejects: RejectsWriter | None = None,
        progress: Callable[[], None] | None = None,
        problem_at: Callable[[int, str, str], RowProblem] = RowProblem,
        max_weeks: int | None = None,
    ) -> None:
        self.converters = converters
        self._amount, self._moment, self._ident, self._outcome = (
            converters.amount,
            converters.timestamp,
            converters.ident,
            converters.outcome,
        )
        self.skip_bad = skip_bad
        self._max_rows = max_rows
        self._max_problems = max_problems
        self._rejects = rejects
        self._progress = progress
        self._seen_ids = SeenIds()  # estimate_id -> line of the kept row, ~16 bytes an id
        self._problem_at = problem_at  # a spreadsheet's names the cell
        self._span = DateSpan(max_weeks) if max_weeks else None  # plausibility.py
        self._span_held: list[tuple[int, int, EstimateRow, list[str]]] = []
        self.released: list[EstimateRow] = []  # rows let go after the warm-up (FileRows)
        self.rows = 0
        # The next row count that needs a look (progress or the limit): one comparison a row.
        self._next_stop = min(_PROGRESS_EVERY, max_rows + 1)
        self.stored = 0
        self.bad_rows = 0
        self.problems: list[RowProblem] = []
        self._held: list[tuple[int, Any, Any, Any, Any, list[str], Any]] = []
        self.unsettled_whole_file = 0  # rows still undecided at the end, of a file-wide kind

    def _count(self, line: int) -> None:
        self.rows += 1
        if self.rows >= self._next_stop:
            self._milestone(line)

    def _milestone(self, line: int) -> None:
        """Every few thousand rows, and past the limit: off the per-row path."""
        if self.rows > self._max_rows:
            raise LimitExceededError(
                f"The file has more than {self._max_rows:,} rows (the limit)",
                RowProblem(line, "file", f"row {self.rows:,} is over the limit"),
            )
        if self._progress is not None and not self.rows % _PROGRESS_EVERY:
            self._progress()
        following = (self.rows // _PROGRESS_EVERY + 1) * _PROGRESS_EVERY
        self._next_stop = min(following, self._max_rows + 1)

    def bad(self, problem: RowProblem, raw: list[str]) -> None:
        """A row that is bad before its values are even read (shape, syntax)."""
        self._count(problem.line)
        self._reject(problem, raw)

    def _reject(self, problem: RowProblem, raw: list[str]) -> None:
        self.bad_rows += 1
        if len(self.problems) < self._max_problems:
            self.problems.append(problem)
        if self._rejects is not None:
            self._rejects.write(problem, raw)

    def check(
        self,
        line: int,
        amount_value: Any,
        sent_value: Any,
        decided_value: Any,
        ident: Any,
        raw: list[str],
        outcome_value: Any = None,
        may_hold: bool = True,
    ) -> EstimateRow | None:
        """The row to store, or ``None`` (bad, held back, or a bad row came before and none
        are kept). A row whose reading waits on the file's convention (``Undecided``) is
        held, up to ``MAX_HELD_ROWS``, and judged again by ``settle_held()``."""
        rows = self.rows = self.rows + 1  # _count(), inlined: this runs once per row
        if rows >= self._next_stop:
            self._milestone(line)
        column = "amount"
        outcome = None
        try:
            if amount_value is None:
                raise ValueProblem("missing value")
            amount = self._amount(amount_value)
            column = "sent_at"
            if sent_value is None:
                raise ValueProblem("missing value")
            sent = self._moment(sent_value)
            decided = None
            if decided_value is not None:
                column = "decided_at"
                decided = self._moment(decided_value)
                if decided < sent:
                    raise ValueProblem("is before sent_at")
            if outcome_value is not None:
                column = "outcome"
                outcome = self._outcome(outcome_value)
            if ident is not None:  # last: the line is remembered for an id only if all is well
                column = "estimate_id"
                if self._ident is not None:
                    ident = self._ident(ident)
                if ident is not None:
                    self._new_id(ident, line)
        except Undecided as problem:
            if may_hold and len(self._held) < MAX_HELD_ROWS:
                self._held.append(
                    (line, amount_value, sent_value, decided_value, ident, raw, outcome_value)
                )
                return None
            self.unsettled_whole_file += problem.whole_file
            self._reject(self._problem_at(line, column, str(problem)), raw)
            return None
        except ValueProblem as problem:
            self._reject(self._problem_at(line, column, str(problem)), raw)
            return None
        return self._keep(line, trusted_row(amount, sent, decided, ident, outcome), raw, may_hold)

    def checked(
        self, line: int, amount: Decimal, sent: datetime, decided: datetime | None,
        ident: str | None, raw: list[str],
    ) -> EstimateRow | None:  # fmt: skip
        """``check()`` of a row without outcome whose amount and dates the caller has read
        (plain_rows.py) exactly as the converters would: the checks that follow them, in
        the same order, so the verdict is the same."""
        rows = self.rows = self.rows + 1
        if rows >= self._next_stop:
            self._milestone(line)
        column = "decided_at"
        try:
            if decided is not None and decided < sent:
                raise ValueProblem("is before sent_at")
            if ident is not None:
                column = "estimate_id"
                self._new_id(ident, line)
        except ValueProblem as problem:
            self._reject(self._problem_at(line, column, str(problem)), raw)
            return None
        return self._keep(line, trusted_row(amount, sent, decided, ident, None), raw, True)

    def columns_ok(self) -> bool:
        """Whether a batch may be judged a column at a time (``kept_of_batch``): not while
        plausibility warms up, as its end lets held rows go before the row that ends it."""
        span = self._span
        return span is None or span.total > WARM_UP or span.gave_up

    def new_ids(self, ids: Sequence[str], lines: Sequence[int], others: set[str]) -> list[int]:
        """For ``kept_of_batch``: records the ids of a batch's rows whose values are all good,
        each at its line, and returns the positions of those it did not record: seen before,
        repeated in ``ids``, or among ``others`` (the ids of the batch's other rows). Those
        rows go the way ``check()`` goes, which says why; the rest can no longer clash."""
        return self._seen_ids.add_new(ids, lines, others)

    def kept_of_batch(
        self,
        lines: Sequence[int],
        fast: Sequence[bool],
        weeks: Sequence[int],
        raws: Sequence[list[str]],
        row_of: Callable[[int], EstimateRow],
        slow: Callable[[int], EstimateRow | None],
    ) -> list[int | EstimateRow]:
        """A batch's rows judged in file order once their values (``fast``: read, in order,
        their ids recorded by ``new_ids``) are known good: what ``checked()`` does after
        that — counting, plausibility (``weeks``: each sent_at's ordinal // 7), keeping —
        with the other rows going through ``slow`` (``check()``) in their place. The rows
        kept: a fast row's position, or the other rows' EstimateRow."""
        kept: list[int | EstimateRow] = []
        span = self._span
        in_range = span.in_range if span is not None else None
        stopping = not self.skip_bad
        start = 0
        if all(fast) and not (stopping and self.bad_rows):
            # The common case, in one go: the rows up to the next milestone whose weeks are
            # plausible and known; from the first that is not, row by row.
            start = min(len(lines), self._next_stop - self.rows - 1)
            if span is not None:
                start = span.count_in_range(weeks[:start])
            self.rows += start
            self.stored += start
            kept.extend(range(start))
        for index in range(start, len(lines)):
            line = lines[index]
            if not fast[index]:
                row = slow(index)
                if row is not None:
                    kept.append(row)
                continue
            rows = self.rows = self.rows + 1
            if rows >= self._next_stop:
                self._milestone(line)
            if in_range is not None and not in_range(weeks[index]):
                # New week, or far from the median: _keep's own way (in_range changed nothing).
                if self._keep(line, row_of(index), raws[index], True) is not None:
                    kept.append(index)
                continue
            if stopping and self.bad_rows:
                continue
            self.stored += 1
            kept.append(index)
        return kept

    def _new_id(self, ident: str, line: int) -> None:
        """Raises ValueProblem for an id that cannot be stored or was seen on another line."""
        if len(ident) > MAX_ID_LENGTH:
            raise ValueProblem(f"longer than {MAX_ID_LENGTH} characters")
        # The rule EstimateRow applies; ASCII text holds no surrogate, so for it only a NUL
        # needs looking for (the regex is for the rest).
        if not ident.isascii() or "\x00" in ident:
            unstorable = text_problem(ident)
            if unstorable is not None:
                raise ValueProblem(unstorable)
        first = self._seen_ids.first(ident, line)
        if first is not None and first != line:
            raise ValueProblem(f"duplicate of line {first}")

    def _keep(
        self, line: int, row: EstimateRow, raw: list[str], may_hold: bool
    ) -> EstimateRow | None:
        """A row whose values are good: plausibility (held while warming up), then kept
        unless a bad row came before and none are kept."""
        span = self._span
        if span is not None and not span.in_range(week := row.sent_at.toordinal() // 7):
            span.add(week)
            if span.total == WARM_UP + 1:
                self._release_warm_up()
            if span.warming() or span.far(week):
                if may_hold and len(self._span_held) < MAX_HELD_ROWS:
                    self._span_held.append((line, week, row, raw))
                    return None
                if span.far(week):
                    self._reject(self._problem_at(line, "sent_at", span.problem(week)), raw)
                    return None
            if not (self.bad_rows and not self.skip_bad):
                span.kept(week, line)  # in range, but a week not kept before
        if self.bad_rows and not self.skip_bad:
            return None
        self.stored += 1
        return row

    def _release_warm_up(self) -> None:
        """The median is known: the rows held while warming up that are near it go on (in
        file order, before the current row); those far from it wait for the end."""
        span = self._span
        assert span is not None
        median, waiting = span.final_median(), self._span_held
        self._span_held = [item for item in waiting if span.far(item[1], median)]
        for line, week, row, _ in waiting:
            if not span.far(week, median) and (not self.bad_rows or self.skip_bad):
                span.kept(week, line)
                self.stored += 1
                self.released.append(row)

    def late_outliers(self) -> list[RowProblem]:
        """Rows kept early whose sent_at the whole file shows to be implausible (first
        line of each such week); empty in any file whose dates do not shift by years."""
        span = self._span
        if span is None:
            return []
        median = span.final_median()
        return [
            self._problem_at(line, "sent_at", span.problem(week))
            for week, line in sorted(span.kept_first_line.items(), key=lambda item: item[1])
            if span.far(week, median)
        ]

    def settle_held(self) -> Iterator[EstimateRow]:
        """The held rows, judged again now that the whole file has been seen: read under
        the convention it showed, or bad rows saying why and naming the option; and rows
        held for plausibility, judged against the whole file's median date."""
        span = self._span
        if span is not None:
            median = span.final_median()
            waiting, self._span_held = self._span_held, []
            for line, week, row, raw in waiting:
                if span.far(week, median):
                    self._reject(self._problem_at(line, "sent_at", span.problem(week)), raw)
                elif not self.bad_rows or self.skip_bad:
                    span.kept(week, line)
                    self.stored += 1
                    yield row
        held, self._held = self._held, []
        for line, amount, sent, decided, ident, raw, outcome in held:
            self.rows -= 1  # counted when it was first seen
            settled = self.check(line, amount, sent, decided, ident, raw, outcome, False)
            if settled is not None:
                yield settled
