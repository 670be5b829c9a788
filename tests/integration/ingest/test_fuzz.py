"""Arbitrary bytes and CSV-like or JSON-like text never crash ingestion: the outcome is a
source or an `invalid_input` error, and after an error the store holds nothing."""

from __future__ import annotations

import io
import json

from hypothesis import example, given
from hypothesis import strategies as st

from snapshot_adapters.files import IngestLimits
from snapshot_adapters.memory import MemoryStore
from snapshot_core.domain import EstimateRow, InvalidInputError, text_problem

from .conftest import Backend, memory_backend

SMALL = IngestLimits(max_bytes=1 << 16, max_rows=200)


def outcome_is_clean(data: bytes | str, file_format: str, on_bad_rows: str) -> None:
    backend: Backend = memory_backend()
    store = backend.uow_factory
    assert isinstance(store, MemoryStore)
    stream = io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data)
    notices: list[str] = []
    try:
        report = backend.ingest(
            stream, format=file_format, on_bad_rows=on_bad_rows, limits=SMALL,
            rejects=io.StringIO(), notify=notices.append,
        )  # fmt: skip
    except InvalidInputError as error:
        assert error.code == "invalid_input"
        assert str(error) and all(p.line >= 1 for p in error.problems)
        # Everything shown to a person can be written to a UTF-8 terminal or log.
        "".join([str(error), *map(str, error.problems), *notices]).encode("utf-8")
        assert store.sources == {} and store.estimates == {}
        return
    rows = store.estimates[report.source_id]
    assert len(rows) == report.stored_rows >= 1
    assert store.sources[report.source_id].estimate_count == report.stored_rows
    "".join([*map(str, report.problems), *notices]).encode("utf-8")
    for row in rows:  # rows built without validation must be exactly what validation builds
        validated = EstimateRow.model_validate(row.model_dump())
        assert validated == row and validated.__getstate__() == row.__getstate__()
        assert row.sent_at.utcoffset() is not None and row.sent_at.utcoffset().total_seconds() == 0
        assert row.estimate_id is None or text_problem(row.estimate_id) is None  # storable


@given(
    st.binary(max_size=3000), st.sampled_from(["csv", "jsonl"]), st.sampled_from(["reject", "skip"])
)
@example(b"", "csv", "skip")
@example(b"\xef\xbb\xbf", "csv", "skip")
@example(b"\xff\xfeamount,sent_at\n", "csv", "skip")
@example(b"amount,sent_at\n1,2026-01-01\n\x00", "csv", "skip")
@example(b"amount,sent_at\n1,2026-01-01\n\xc3", "csv", "skip")
@example(b'amount,sent_at\n"1,2026-01-01\n', "csv", "skip")
@example(b"amount,sent_at\n1,2026-01-01\r2,2026-01-02\n", "csv", "skip")
@example(b"[" * 5000, "jsonl", "skip")
@example(b'{"amount": 1e999999999, "sent_at": "2026-01-01"}', "jsonl", "skip")
@example(b'{"amount": NaN, "sent_at": "2026-01-01"}', "jsonl", "skip")
@example(b'{"amount": 1, "sent_at": "0001-01-01T00:00:00+01:00"}', "jsonl", "skip")
@example(b'{"amount": 1, "sent_at": "9999-12-31T23:59:59-01:00"}', "jsonl", "skip")
def test_arbitrary_bytes_give_a_source_or_invalid_input(
    data: bytes, file_format: str, on_bad_rows: str
) -> None:
    outcome_is_clean(data, file_format, on_bad_rows)


CELLS = st.one_of(
    st.sampled_from(
        [
            "1",
            "0",
            "-1",
            "$1,234.50",
            "1,2,3",
            "€ 9",
            "1e3",
            ".5",
            "5.",
            "",
            " ",
            '"',
            '""',
            "2026-01-05",
            "2026-01-05T10:00:00+05:30",
            "2026-01-04T23:30:00-02:00",
            "2026-02-30",
            "2026-01-05T10:00Z",
            "2026-01-05 10:00",
            "0001-01-01T00:00+01:00",
            "E-1",
            "١٢٣",
            "a,b",
            "x\ny",
            "x\r\ny",
            "\ufeff",
            "🙂",
            "\u2028",
            "\r",
        ]
    ),
    st.text(max_size=12),
)
VALID = {  # mostly-valid values per column, so that many rows (and files) are accepted
    "amount": st.sampled_from(["1", "0", '"$1,234.50"', "€ 9", ".5", "5.", "12.345", "¥0"]),
    "sent_at": st.sampled_from(
        [
            "2026-01-05",
            "2026-01-05T10:00:00+05:30",
            "2025-12-28T23:30-02:00",
            "2026-01-04T23:59:59Z",
            "2026-01-05 00:00",
        ]
    ),
    "decided_at": st.sampled_from(["", "2026-02-01", "2026-01-08T00:00:00Z", "2026-03-01 12:00"]),
    "estimate_id": st.text("abcXYZ-0123", max_size=3),
}
HEADERS = st.sampled_from(
    [
        "amount,sent_at",
        "amount,sent_at,decided_at,estimate_id",
        "Estimate_ID , AMOUNT,notes,Sent_At,decided_at",
        "amount,amount,sent_at",
        "amount",
        "",
        '"amount","sent_at","decided_at"',
    ]
)


@st.composite
def csv_like(draw: st.DrawFn) -> str:
    header = draw(HEADERS)
    names = [name.strip().lower() for name in header.replace('"', "").split(",")]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 9)) == 0:
            cells = draw(st.lists(CELLS, min_size=1, max_size=6))
        else:  # the header's shape, each cell valid four times out of five
            cells = [
                draw(VALID.get(name, st.text(max_size=6)) if draw(st.integers(0, 4)) else CELLS)
                for name in names
            ]
        lines.append(",".join(cells))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return bom + newline.join([header, *lines]) + draw(st.sampled_from(["", newline]))


@given(csv_like(), st.sampled_from(["reject", "skip"]), st.booleans())
@example("amount,sent_at\n1,2026-01-05\n\n", "reject", True)
@example("amount,sent_at,notes\n0,2000-01-01,\r0\n", "skip", True)  # csv.writer's bare CR
@example('amount,sent_at\n"1\n', "skip", True)
@example("amount,sent_at\n1,2026-01-05\r\n", "skip", False)
@example("amount,sent_at\n0001-01-01T00:00+01:00,0001-01-01T00:00+01:00\n", "skip", True)
@example("amount,sent_at,decided_at\n1,2026-01-05T10:00,2026-01-05T09:00\n", "skip", True)
def test_csv_like_text_gives_a_source_or_invalid_input(
    text: str, on_bad_rows: str, as_bytes: bool
) -> None:
    outcome_is_clean(text.encode("utf-8") if as_bytes else text, "csv", on_bad_rows)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from(["1", "$5", "-3", "2026-01-05", "2026-01-05T10:00:00Z", "x"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
JSON_VALID = {
    "amount": st.one_of(
        st.integers(0, 10**6),
        st.decimals(0, 10**6, places=2).map(float),
        st.sampled_from(["$1,234.50", "7"]),
    ),
    "sent_at": VALID["sent_at"],
    "decided_at": st.sampled_from([None, "2026-02-01", "2026-01-08T00:00:00Z"]),
    "estimate_id": st.one_of(st.none(), st.integers(0, 5), st.text("ab1", max_size=2)),
}


@st.composite
def json_objects(draw: st.DrawFn) -> str:
    obj = {}
    for key in ("amount", "sent_at", "decided_at", "estimate_id", "Amount", "notes", " sent_at"):
        if draw(st.integers(0, 9)) < (8 if key in JSON_VALID else 2):
            valid = key in JSON_VALID and draw(st.integers(0, 4)) > 0
            obj[key] = draw(JSON_VALID[key] if valid else JSON_VALUES)
    return json.dumps(obj)


@given(
    st.lists(
        st.one_of(json_objects(), json_objects(), st.text(max_size=20), st.just("")), max_size=10
    ),
    st.sampled_from(["reject", "skip"]),
)
@example(['{"amount": 5, "sent_at": "2026-01-05", "Amount": 6}'], "skip")
@example(['{"amount": true, "sent_at": "2026-01-05"}'], "skip")
@example(
    [
        '{"amount": 5, "sent_at": "2026-01-05", "estimate_id": 7}',
        '{"amount": 5, "sent_at": "2026-01-05", "estimate_id": "7"}',
    ],
    "skip",
)
def test_json_like_lines_give_a_source_or_invalid_input(lines: list[str], on_bad_rows: str) -> None:
    outcome_is_clean("\n".join(lines), "jsonl", on_bad_rows)


# Every code point, lone surrogates and NUL included: JSON escapes (\ud800, \u0000) reach
# the reader as str values that no database can store, and must come out as line problems.
ANY_TEXT = st.text(
    st.one_of(st.characters(), st.characters(categories=["Cs"]), st.just("\x00")), max_size=8
)


@st.composite
def json_objects_of_any_text(draw: st.DrawFn) -> str:
    obj: dict[str, object] = {"amount": 1, "sent_at": "2026-01-05"}
    for key in ("amount", "sent_at", "decided_at", "estimate_id"):
        if draw(st.booleans()):
            obj[key] = draw(ANY_TEXT)
    if draw(st.booleans()):
        obj[draw(ANY_TEXT)] = draw(ANY_TEXT)  # an ignored column, with any name
    return json.dumps(obj)  # ASCII: every odd character is a \u escape


@given(
    st.lists(json_objects_of_any_text(), min_size=1, max_size=8),
    st.sampled_from(["reject", "skip"]),
)
@example(['{"amount": 1, "sent_at": "2026-01-05", "estimate_id": "\\ud800x"}'], "skip")
@example(['{"amount": 1, "sent_at": "2026-01-05", "estimate_id": "a\\u0000b"}'], "skip")
@example(['{"amount": 1, "sent_at": "2026-01-05", "\\udfff": 1}'], "skip")
@example(['{"amount": 1, "sent_at": "2026-01-05", "amount": 2}'], "skip")
def test_json_strings_from_all_of_unicode_give_a_source_or_invalid_input(
    lines: list[str], on_bad_rows: str
) -> None:
    outcome_is_clean("\n".join(lines), "jsonl", on_bad_rows)
