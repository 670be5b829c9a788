"""FileRows: a format's checked rows as the stream the use case stores, then the verdict."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from snapshot_core.domain import EstimateRow, InvalidInputError, RowProblem
from snapshot_core.domain.estimate_columns import EstimateColumns

from .dates import AmbiguousDatesError
from .errors import UnreadableFileError

if TYPE_CHECKING:
    from .rows import RowChecker

__all__ = ["FileRows"]

_GATHERED = 512  # single rows gathered into one batch of columns


class FileRows:
    """The ``RowStream`` that ``ingest_row_stream`` stores: a format's rows, and afterwards
    the verdict. A file-level error ends the stream quietly; ``rejection()`` returns it, so
    nothing has to be raised through the storage adapter."""

    def __init__(self, rows: Iterable[EstimateRow | EstimateColumns], checker: RowChecker) -> None:
        self._rows = rows
        self.checker = checker
        self.fatal: UnreadableFileError | None = None

    def __iter__(self) -> Iterator[EstimateRow]:
        for item in self._items():
            if isinstance(item, EstimateColumns):
                yield from item.rows()
            else:
                yield item

    def column_batches(self) -> Iterator[EstimateColumns]:
        """The same rows as ``__iter__``, in order, as batches of columns: a format's batches
        as they are, single rows gathered (``ColumnStream``)."""
        gathered: list[EstimateRow] = []
        for item in self._items():
            if isinstance(item, EstimateColumns):
                if gathered:
                    yield EstimateColumns.of_rows(gathered)
                    gathered = []
                yield item
            else:
                gathered.append(item)
                if len(gathered) >= _GATHERED:
                    yield EstimateColumns.of_rows(gathered)
                    gathered = []
        if gathered:
            yield EstimateColumns.of_rows(gathered)

    def _items(self) -> Iterator[EstimateRow | EstimateColumns]:
        checker = self.checker
        rows = iter(self._rows)
        try:
            # While plausibility warms up the checker holds rows, then releases them at
            # once: they go out before the row that released them (file order is kept),
            # and from then on the rows are passed through without this loop.
            for row in rows:
                if checker.released:
                    yield from checker.released
                    checker.released = []
                    yield row
                    break
                yield row
            yield from checker.released
            checker.released = []
            yield from rows
            yield from checker.settle_held()
        except UnreadableFileError as error:  # includes LimitExceededError
            self.fatal = error

    @property
    def bad_rows(self) -> int:
        return self.checker.bad_rows

    @property
    def problems(self) -> list[RowProblem]:
        """The bad rows reported (the first ``max_problems``), in file order."""
        return self.checker.problems

    def rejection(self) -> InvalidInputError | None:
        checker = self.checker
        if self.fatal is not None:
            return self.fatal
        if checker._rejects is not None:
            checker._rejects.finish()  # a full disk fails here, before anything is committed
        late = checker.late_outliers()
        if late:
            return InvalidInputError(
                late,
                total=len(late),
                message="Rows stored before the file's median date was known are far from it: "
                "nothing was stored; fix their dates",
            )
        if checker.unsettled_whole_file and checker.unsettled_whole_file == checker.rows:
            first = checker.problems[0]  # every row is one of them, so the first is too
            return AmbiguousDatesError.at(first.line, first.column, first.problem)
        if checker.bad_rows and not checker.skip_bad:
            return InvalidInputError(checker.problems, total=checker.bad_rows)
        if not checker.stored:
            if checker.bad_rows:
                message = f"No rows stored: all {checker.bad_rows} rows are bad"
                return InvalidInputError(checker.problems, total=checker.bad_rows, message=message)
            return UnreadableFileError("The file has no estimate rows, only a header")
        return None
