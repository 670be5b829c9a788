"""The rejects file: every bad row with its line, column and problem, and what the user wrote."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import IO

from snapshot_core.domain import RowProblem

__all__ = ["REJECTS_PREFIX", "RejectsWriter"]

REJECTS_PREFIX = ("line", "column", "problem")


class RejectsWriter:
    """Writes CSV to a text stream opened with ``newline=""``.

    The header is ``line,column,problem`` then the input's own header (CSV), or ``raw``
    (JSON Lines: the original line). Each bad row follows with its original fields, so
    fixing the values and deleting the first three columns gives a file to ingest again.
    A record that was not even valid CSV keeps its raw text in the first field.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream, lineterminator="\n")
        self.written = 0

    def start(self, header: Sequence[str]) -> None:
        self._writer.writerow([*REJECTS_PREFIX, *header])

    def write(self, problem: RowProblem, raw: Sequence[str]) -> None:
        self._writer.writerow([problem.line, problem.column, problem.problem, *raw])
        self.written += 1
