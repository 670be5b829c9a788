"""Converters: how each format's values become typed ones (text for CSV, JSON values)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from snapshot_core.domain.models import Outcome

from .amounts import AmountReader, DecimalMark, amount_from_json
from .dates import time_zone, timestamp_reader
from .outcomes import OutcomeReader, parse_outcome_map
from .values import ValueProblem, id_from_json

__all__ = ["Converters"]


class Converters:
    """How a format's values become typed ones: text for CSV, JSON values for JSON Lines."""

    def __init__(
        self,
        amount: Callable[[Any], Decimal],
        timestamp: Callable[[Any], datetime],
        ident: Callable[[Any], str | None] | None,
        outcome: Callable[[Any], Outcome] | None = None,
    ) -> None:
        self.amount, self.timestamp, self.ident = amount, timestamp, ident
        self.outcome: Callable[[Any], Outcome] = outcome or _statuses(None)
        # Text whose dates are ISO 8601 in UTC unless marked (no --date-format, no
        # --timezone): the case plain_rows.py reads a batch at a time.
        self.iso_text = False

    @classmethod
    def text(
        cls,
        decimal: DecimalMark | None = None,
        outcome_map: Mapping[str, str] | None = None,
        date_format: str | None = None,
        timezone: str | None = None,
    ) -> Converters:
        converters = cls(
            AmountReader(decimal),
            timestamp_reader(date_format, timezone),
            None,  # CSV ids are text already
            _statuses(outcome_map),
        )
        converters.iso_text = date_format is None and time_zone(timezone) is UTC
        return converters

    @classmethod
    def json(
        cls,
        decimal: DecimalMark | None = None,
        outcome_map: Mapping[str, str] | None = None,
        date_format: str | None = None,
        timezone: str | None = None,
    ) -> Converters:
        read_amount = AmountReader(decimal)
        read_moment = timestamp_reader(date_format, timezone)

        def moment(value: Any) -> datetime:
            if not isinstance(value, str):
                raise ValueProblem(f"expected a date as text, found {type(value).__name__}")
            return read_moment(value.strip())

        return cls(
            lambda value: amount_from_json(value, read_amount),
            moment,
            id_from_json,
            _statuses(outcome_map),
        )


def _statuses(outcome_map: Mapping[str, str] | None) -> Callable[[Any], Outcome]:
    read = OutcomeReader(parse_outcome_map(outcome_map) if outcome_map else None)

    def outcome(value: Any) -> Outcome:
        if not isinstance(value, str):
            raise ValueProblem(f"expected a status as text, found {type(value).__name__}")
        return read(value)

    return outcome
