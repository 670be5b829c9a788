"""The batched default path (files/plain_rows.py) equals row-by-row checking: same stored
rows, same report, same bad rows in the same order, same rejects file, same error."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from snapshot_adapters.files import IngestLimits, csv_records, plausibility
from snapshot_adapters.files import rows as rows_module
from snapshot_adapters.files.plain_rows import PlainRows
from snapshot_adapters.files.rows import RowChecker
from snapshot_core.domain import InvalidInputError

from .conftest import memory_backend

AMOUNTS = st.one_of(
    st.integers(0, 10**16).map(str),  # whole amounts, up to one digit over the bound
    st.from_regex(r"[0-9]{1,16}(\.[0-9]{1,11})?", fullmatch=True),  # plain, and over the bounds
    # money as exports write it (`$6,327.07`), and near misses: groups of 2 or 4, 0 first,
    # 16 digits, 11 decimals, no fraction
    st.from_regex(r"\$?[0-9]{1,4}(,[0-9]{2,4}){0,5}(\.[0-9]{1,11})?", fullmatch=True),
    st.sampled_from(
        ["", "5.250", "1,234", "1.234,50", "12,5", "$1,234.50", "-3", "(4.00)", "x", "007",
         "0.250", "1e3", "٣", " 12 ", "12.", ".5", "1\n2"]
    ),
)  # fmt: skip
DATES = st.one_of(
    st.from_regex(
        r"20[0-9]{2}-[01][0-9]-[0-3][0-9]"
        r"(T[0-2][0-9]:[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-][01][0-9](:?[0-5][0-9])?)?)?",
        fullmatch=True,
    ),
    st.sampled_from(
        ["", "2026-02-30", "2026-01-05x10:00", "01/05/2026", "13/05/2026", "2090-01-01",
         "1800-01-01", "0001-01-01T00:00-05:00", "2026-01-05T10:00:00+14:59", "today"]
    ),
)  # fmt: skip
IDS = st.one_of(
    st.sampled_from(["", "E-1", "E-2", "E-3", "é-1", "a\x00b", "x" * 300]),
    st.text(max_size=6),
)
ROW = st.tuples(AMOUNTS, DATES, DATES, IDS)


def _cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text


def _csv(rows: list[tuple[str, str, str, str]], extra: list[int]) -> str:
    lines = ["amount,sent_at,decided_at,estimate_id,notes"]
    for index, row in enumerate(rows):
        if index in extra:
            lines.append("1,2026-01-05")  # a row of the wrong width
        lines.append(",".join(_cell(v) for v in row) + ",n")
    return "\n".join(lines) + "\n"


# (plausibility's warm-up, its refresh interval, rows between progress calls): the real
# ones, and ones so small that a dozen rows go past the warm-up (to the column-at-a-time
# judging, kept_of_batch) and cross refreshes and milestones inside a batch.
REAL_STEPS = (plausibility.WARM_UP, plausibility._RECOMPUTE_EVERY, rows_module._PROGRESS_EVERY)
STEPS = st.sampled_from([REAL_STEPS, (1, 2, 3), (3, 1, 2), (0, 1, 1)])


def _ingest(
    text: str | bytes,
    batch: int,
    plain: bool,
    options: dict[str, Any],
    steps: tuple[int, int, int] = REAL_STEPS,
) -> tuple[Any, ...]:
    backend = memory_backend()
    rejects = io.StringIO()
    warm_up, recompute, progress = steps
    with (
        mock.patch.object(plausibility, "WARM_UP", warm_up),
        mock.patch.object(rows_module, "WARM_UP", warm_up),
        mock.patch.object(plausibility, "_RECOMPUTE_EVERY", recompute),
        mock.patch.object(rows_module, "_PROGRESS_EVERY", progress),
        mock.patch.object(csv_records, "BATCH_ROWS", batch),
        mock.patch.object(PlainRows, "for_file", wraps=PlainRows.for_file) as for_file,
    ):
        if not plain:
            for_file.side_effect = lambda checker, columns: None
        try:
            source = io.BytesIO(text) if isinstance(text, bytes) else io.StringIO(text)
            report = backend.ingest(source, format="csv", rejects=rejects, **options)
        except InvalidInputError as error:
            return ("error", type(error), str(error), error.problems, rejects.getvalue())
    store: Any = backend.uow_factory
    stored = [
        (r.amount, str(r.amount), r.sent_at, r.decided_at, r.estimate_id, r.outcome)
        for r in store.estimates[report.source_id]
    ]
    return ("ok", stored, report.stored_rows, report.bad_rows, report.problems, rejects.getvalue())


@given(
    rows=st.lists(ROW, max_size=12),
    extra=st.lists(st.integers(0, 11), max_size=2),
    batch=st.integers(1, 5),
    on_bad_rows=st.sampled_from(["skip", "reject"]),
    max_weeks=st.sampled_from([None, 2, 520]),
    decimal=st.sampled_from([None, "point", "comma"]),
    steps=STEPS,
)
@example(
    rows=[("12.5", "2026-01-05", "", "E-1"), ("5.250", "2026-01-06T10:00Z", "", "E-1")],
    extra=[], batch=2, on_bad_rows="skip", max_weeks=520, decimal=None,
    steps=REAL_STEPS,
)  # fmt: skip
@example(
    rows=[("1", "2026-01-05", "", ""), ("1234567890123456", "2026-01-05", "", "")],
    extra=[], batch=2, on_bad_rows="skip", max_weeks=None, decimal=None,
    steps=REAL_STEPS,
)  # fmt: skip
@example(
    rows=[("1", "2026-01-05", "2026-02-30", "E-1"), ("2", "2026-01-05", "2026-01-04", "E-2")],
    extra=[1], batch=5, on_bad_rows="reject", max_weeks=None, decimal=None,
    steps=REAL_STEPS,
)  # fmt: skip
@example(
    # judged a column at a time from the first row: a record over two lines in a batch,
    # and a later batch of clean rows whose id repeats an earlier one
    rows=[("1", "2026-01-05", "", "E-1"), ("1\n2", "2026-01-05", "", "E-2"),
          ("3", "2026-01-06", "", "E-3"), ("4", "2026-01-06", "2026-01-07", "E-1"),
          ("5", "2026-01-06", "", "E-5"), ("6", "2026-01-06T10:00+02:00", "", "E-6")],
    extra=[], batch=2, on_bad_rows="skip", max_weeks=520, decimal=None,
    steps=(0, 1, 1),
)  # fmt: skip
def test_the_batched_path_equals_row_by_row_checking(
    rows: list[tuple[str, str, str, str]], extra: list[int], batch: int,
    on_bad_rows: str, max_weeks: int | None, decimal: str | None,
    steps: tuple[int, int, int],
) -> None:  # fmt: skip
    text = _csv(rows, extra)
    options = {"on_bad_rows": on_bad_rows, "max_weeks": max_weeks, "decimal": decimal}
    batched = _ingest(text, batch, True, options, steps)
    assert batched == _ingest(text, batch, False, options, steps)


def test_a_clean_file_takes_the_batched_path() -> None:
    """Not a vacuous equality: a default file's rows really go through ``checked``. The
    first batch's `12.50` is read row by row (it establishes the decimal point), then every
    batch is read in one go; whole amounts need no convention, so they never wait; a value
    that is not plain (`$12`) sends only its own row the slow way."""
    decimals = [("12.50", f"2026-01-0{d}T10:00:00+02:00", "", f"E-{d}") for d in range(1, 8)]
    whole = [("12", f"2026-01-0{d}", "2026-01-09", f"E-{d}") for d in range(1, 8)]
    mixed = [(f"{'$' if d == 4 else ''}12", f"2026-01-0{d}", "", f"E-{d}") for d in range(1, 8)]
    for rows, expected_slow in ((decimals, 2), (whole, 0), (mixed, 1)):
        calls = {"check": 0, "checked": 0}
        with (
            mock.patch.object(csv_records, "BATCH_ROWS", 2),
            mock.patch.object(RowChecker, "checked", _counted(RowChecker.checked, calls)),
            mock.patch.object(RowChecker, "check", _counted(RowChecker.check, calls)),
        ):
            report = memory_backend().ingest(io.StringIO(_csv(rows, [])), format="csv")
        assert report.stored_rows == 7
        assert (calls["check"], calls["checked"]) == (expected_slow, 7 - expected_slow)


def test_money_amounts_are_read_a_column_at_a_time_once_the_decimal_point_is_known() -> None:
    """`$6,327.07` is what AmountReader reads as 6327.07 once the file has a decimal point:
    past the first batch (read row by row: the warm-up, and `12.50` settles the point), such
    rows no longer go through ``check``."""
    rows = [("12.50", "2026-01-05", "", "E-0")]
    rows += [(f"${n},327.07", f"2026-01-0{n % 7 + 1}", "", f"E-{n}") for n in range(1, 9)]
    calls = {"check": 0}
    with (
        mock.patch.object(plausibility, "WARM_UP", 1),
        mock.patch.object(rows_module, "WARM_UP", 1),
        mock.patch.object(csv_records, "BATCH_ROWS", 4),
        mock.patch.object(RowChecker, "check", _counted(RowChecker.check, calls)),
    ):
        backend = memory_backend()
        report = backend.ingest(io.StringIO(_csv(rows, [])), format="csv")
    store: Any = backend.uow_factory
    stored = [row.amount for row in store.estimates[report.source_id]]
    assert stored == [Decimal("12.50")] + [Decimal(f"{n}327.07") for n in range(1, 9)]
    assert calls["check"] == 4


def _counted(method: Any, calls: dict[str, int]) -> Any:
    def counting(self: RowChecker, *args: Any) -> Any:
        calls[method.__name__] += 1
        return method(self, *args)

    return counting


@pytest.mark.parametrize(
    ("max_rows", "max_bytes", "tail"),
    [
        # Rows 1537-1636 are in the first 64 KiB chunk, in a batch that reading row 1637
        # (the next chunk) cuts short: the row limit comes in it, before that read.
        (1600, 70_000, ""),
        (5000, 70_000, ""),  # the size limit alone
        (1600, 10**9, "\x00"),  # a binary byte in the next chunk
        (1630, 10**9, b"\xff"),  # not UTF-8 there, met before the row limit
    ],
)
def test_an_error_met_while_reading_ahead_comes_after_the_rows_before_it(
    max_rows: int, max_bytes: int, tail: str | bytes
) -> None:
    """Row by row, rows are judged before the next chunk is read; batching reads up to a
    batch ahead, so the rows gathered are judged before an error the read raises."""
    rows = [
        (f"{n}.50", f"2026-01-{n % 28 + 1:02d}T10:00:00Z", "", f"E-{n:06d}") for n in range(2000)
    ]
    text: str | bytes = _csv(rows, [])
    if isinstance(tail, bytes):
        data = text.encode() if isinstance(text, str) else text
        text = data[:66_000] + tail + data[66_000:]
    elif tail:
        text = text[:66_000] + tail + text[66_000:]
    options = {"limits": IngestLimits(max_rows=max_rows, max_bytes=max_bytes)}
    batched, single = _ingest(text, 512, True, options), _ingest(text, 512, False, options)
    assert batched[0] == "error"
    assert batched == single


# Data lines as exports (and broken exports) write them: plain rows, rows whose quoted
# field spans lines, blank lines, rows of the wrong width, and stray or unclosed quotes
# (a malformed record, or one that swallows the lines after it).
LINES = st.sampled_from(
    [
        "1.50,2026-01-05T10:00:00Z,,E-{n},n",
        '2.50,2026-01-06,,E-{n},"a note\nover two lines"',
        '3.50,2026-01-07,,E-{n},"three\n\nlines"',
        "",
        "   ",
        "4.50,2026-01-08",
        '5.50,2026-01-09,,E-{n},"unclosed',
        '6.50,2026-01-10,,E-{n},stray"quote',
        '"7.50",2026-01-11,,E-{n},n\r',
        "8.50,2026-01-12,2026-01-11,E-{n},n",
    ]
)


@given(lines=st.lists(LINES, max_size=14), batch=st.integers(1, 5), newline_at_end=st.booleans())
@example(
    lines=["1.50,2026-01-05T10:00:00Z,,E-{n},n", '2.50,2026-01-06,,E-{n},"a note\nover two lines"',
           '6.50,2026-01-10,,E-{n},stray"quote', "4.50,2026-01-08",
           "1.50,2026-01-05T10:00:00Z,,E-{n},n"],
    batch=5, newline_at_end=True,
)  # fmt: skip
@example(
    lines=['3.50,2026-01-07,,E-{n},"three\n\nlines"', '5.50,2026-01-09,,E-{n},"unclosed',
           "1.50,2026-01-05T10:00:00Z,,E-{n},n"],
    batch=2, newline_at_end=False,
)  # fmt: skip
def test_batched_reading_names_the_lines_row_by_row_reading_names(
    lines: list[str], batch: int, newline_at_end: bool
) -> None:
    """Records over several lines, blank lines and malformed records in a batch: every
    row, bad row and rejects line is given the line row-by-row reading gives it."""
    body = "\n".join(line.format(n=n) for n, line in enumerate(lines))
    text = "amount,sent_at,decided_at,estimate_id,notes\n" + body + ("\n" if newline_at_end else "")
    options = {"on_bad_rows": "skip"}
    assert _ingest(text, batch, True, options, (0, 1, 1)) == _ingest(
        text, batch, False, options, (0, 1, 1)
    )
