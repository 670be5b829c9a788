"""Amounts and dates in every supported locale: read back exactly, or reported as bad rows
naming the option that decides, never stored as a different value (`5.250` is not 5.25
by default; `01/05/2026` alone is neither 5 January nor 1 May)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from snapshot_adapters.memory import MemoryStore
from snapshot_core.domain import InvalidInputError

from .conftest import Backend, memory_backend

HEADER = "amount,sent_at\n"


def _stored(backend: Backend, source_id: str) -> list[Decimal]:
    store = backend.uow_factory
    assert isinstance(store, MemoryStore)
    return sorted(row.amount for row in store.estimates[source_id])


def _csv(*amounts: str, delimiter: str = ",") -> str:
    def field(text: str) -> str:
        return f'"{text}"' if delimiter in text or '"' in text else text

    lines = [f"amount{delimiter}sent_at"]
    lines += [f"{field(a)}{delimiter}2026-01-05" for a in amounts]
    return "\n".join(lines) + "\n"


def test_a_locale_dependent_amount_alone_is_a_bad_row_naming_both_options(memory: Backend) -> None:
    with pytest.raises(InvalidInputError) as caught:
        memory.ingest(io.StringIO(_csv("5.250", "12")), format="csv")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (2, "amount")
    assert "5.250" in problem.problem and "5250" in problem.problem
    assert "--decimal-point" in problem.problem and "--decimal-comma" in problem.problem
    assert memory.source_ids() == []


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        (("5.250", "1.234,50"), ["1234.50", "5250"]),  # settled by a later row
        (("1.234,50", "5.250"), ["1234.50", "5250"]),  # by an earlier row
        (("1,234", "$2,068.43"), ["1234", "2068.43"]),
        (("5.250", "0.5"), ["0.5", "5.250"]),
        (("12,5", "1.000"), ["12.5", "1000"]),
    ],
)
def test_the_files_own_rows_settle_the_convention(
    memory: Backend, amounts: tuple[str, ...], expected: list[str]
) -> None:
    report = memory.ingest(io.StringIO(_csv(*amounts)), format="csv")
    assert _stored(memory, report.source_id) == [Decimal(e) for e in expected]


def test_the_option_settles_the_convention(memory: Backend) -> None:
    comma = memory.ingest(io.StringIO(_csv("5.250", "7")), format="csv", decimal="comma")
    point = memory.ingest(io.StringIO(_csv("5.250", "7")), format="csv", decimal="point")
    assert _stored(memory, comma.source_id) == [Decimal(7), Decimal(5250)]
    assert _stored(memory, point.source_id) == [Decimal("5.250"), Decimal(7)]


def test_a_row_contradicting_the_convention_is_a_bad_row(memory: Backend) -> None:
    report = memory.ingest(
        io.StringIO(_csv("1.234,50", "1,234.50", "7")), format="csv", on_bad_rows="skip"
    )
    (problem,) = report.problems
    assert problem.line == 3 and "decimal point" in problem.problem
    assert "'1.234,50'" in problem.problem and "--decimal-point" in problem.problem
    with pytest.raises(InvalidInputError) as caught:
        memory.ingest(io.StringIO(_csv("1,5")), format="csv", decimal="point")
    assert "the option --decimal-point" in caught.value.problems[0].problem


# How the locales a contractor's tools use write an amount (whole part grouped by `group`).
LOCALES = {
    "plain": ("", "."),
    "us": (",", "."),
    "de": (".", ","),
    "fr": ("\u202f", ","),
    "fr-nbsp": ("\u00a0", ","),
    "ch": ("'", "."),
    "se": (" ", ","),
}
AFFIXES = ["{}", "${}", "€ {}", "{} €", "USD {}", "{} EUR", "CHF {}", "£{}"]


def render(value: Decimal, locale: str, places: int, affix: str) -> str:
    group, mark = LOCALES[locale]
    whole, _, fraction = f"{value:.{places}f}".partition(".")
    if group:
        whole = f"{int(whole):,}".replace(",", group)
    return affix.format(whole + (mark + fraction if fraction else ""))


@given(
    st.lists(
        st.tuples(st.decimals(0, 10**12, places=0, allow_nan=False), st.integers(0, 4)),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(sorted(LOCALES)),
    st.sampled_from(AFFIXES),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
)
@example([(Decimal(5250), 3)], "de", "{}", ";", False)  # 5,250: refused, never 5250
@example([(Decimal(5250), 0)], "de", "{}", ";", False)  # 5.250: refused, never 5.25
@example([(Decimal(1234), 0), (Decimal(5), 2)], "us", "{}", ",", False)
def test_amounts_in_any_locale_read_back_exactly_or_are_bad_rows(
    drawn: list[tuple[Decimal, int]],
    locale: str,
    affix: str,
    delimiter: str,
    flagged: bool,
) -> None:
    """With no flag, or the locale's own flag (a wrong flag is the user's word, not a guess)."""
    values = [value.scaleb(-places) for value, places in drawn]
    texts = [render(v, locale, places, affix) for v, (_, places) in zip(values, drawn, strict=True)]
    backend = memory_backend()
    # A rendered amount may contain the delimiter: the CSV writer's quoting keeps it one field.
    text = _csv(*texts, delimiter=delimiter)
    try:
        report = backend.ingest(
            io.StringIO(text),
            format="csv",
            on_bad_rows="skip",
            decimal=("point" if LOCALES[locale][1] == "." else "comma") if flagged else None,
            delimiter=delimiter,
        )
    except InvalidInputError:
        assert backend.source_ids() == []  # all refused: nothing stored, nothing misread
        return
    stored = _stored(backend, report.source_id)
    bad_lines = {problem.line for problem in report.problems}
    kept = sorted(v for line, v in enumerate(values, start=2) if line not in bad_lines)
    assert stored == kept


DATE_STYLES = {
    "iso": "%Y-%m-%d",
    "us": "%m/%d/%Y",
    "uk": "%d/%m/%Y",
    "de": "%d.%m.%Y",
    "us-time": "%m/%d/%Y %I:%M %p",
    "iso-time": "%Y-%m-%dT%H:%M",
}


@given(
    st.lists(
        st.datetimes(datetime(2025, 1, 1), datetime(2026, 12, 31)).map(
            lambda moment: moment.replace(second=0, microsecond=0)
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(sorted(DATE_STYLES)),
    st.booleans(),
)
@example([datetime(2026, 1, 5)], "us", False)  # 01/05/2026 alone: refused, never guessed
@example([datetime(2026, 1, 5), datetime(2026, 1, 13)], "uk", False)  # 13/01 settles it
def test_dates_in_any_style_read_back_exactly_or_are_refused(
    moments: list[datetime], style: str, flagged: bool
) -> None:
    pattern = DATE_STYLES[style]
    if "%H" not in pattern and "%I" not in pattern:
        moments = [m.replace(hour=0, minute=0) for m in moments]
    texts = [m.strftime(pattern) for m in moments]
    backend = memory_backend()
    text = "amount,sent_at\n" + "".join(f"1,{t}\n" for t in texts)
    try:
        report = backend.ingest(
            io.StringIO(text),
            format="csv",
            on_bad_rows="skip",
            date_format=pattern if flagged else None,
        )
    except InvalidInputError:
        assert backend.source_ids() == []
        return
    store = backend.uow_factory
    assert isinstance(store, MemoryStore)
    stored = sorted(row.sent_at for row in store.estimates[report.source_id])
    bad = {problem.line for problem in report.problems}
    kept = sorted(
        m.replace(tzinfo=UTC) for line, m in enumerate(moments, start=2) if line not in bad
    )
    assert stored == kept
