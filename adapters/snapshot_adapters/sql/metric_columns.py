"""The tally's cells and their metric columns: what one group of the pushed-down tally holds
(a week, a price band, an outcome code, its row count and metric values), the SQL of those
values, and the stored outcome codes they are keyed by (the SQLAlchemy-free part is
``tally_figures``', named here too)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Text, func, literal, null, or_, type_coerce

from .encodings import AMOUNT_SCALE, SCALED_AMOUNT_CAP
from .schema import estimates
from .tally_figures import LOST, OUTCOME_CELLS, PENDING_CODE, WON, Cell, money

__all__ = ["LOST", "OUTCOME_CELLS", "PENDING_CODE", "WON", "Cell", "MetricColumns"]


class MetricColumns:
    """The metric columns of one tally cell, and how to read them back: the sum of scaled
    amounts, the count of inexact amounts (PostgreSQL; NULL on SQLite) and the latest sending
    time."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.amount: ColumnElement[Any] = estimates.c.amount_scaled

    def columns(self) -> list[ColumnElement[Any]]:
        # SQLite sorts every row to group it: the inexact count (text functions, and the
        # amount's text in every sorted record) is made in the stale pipeline's plain scan.
        inexact = func.count().filter(self.inexact()) if self.dialect == "postgresql" else null()
        return [func.sum(self.amount), inexact, func.max(estimates.c.sent_at)]

    def inexact(self) -> ColumnElement[bool]:
        """A row whose scaled amount is not its exact amount (finer, or capped)."""
        if self.dialect == "postgresql":  # numeric's scale: digits after the point, as stored
            finer = func.scale(estimates.c.amount) > AMOUNT_SCALE
        else:  # the stored key has one point, then the fraction without trailing zeros
            pattern = "*." + "?" * (AMOUNT_SCALE + 1) + "*"
            finer = type_coerce(estimates.c.amount, Text).op("GLOB")(literal(pattern, Text))
        return or_(finer, estimates.c.amount_scaled >= SCALED_AMOUNT_CAP)

    def money(self, value: Any) -> Decimal:
        return money(value)
