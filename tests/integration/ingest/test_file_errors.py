"""Files that cannot be read at all: a clear, line-numbered `invalid_input`, nothing stored."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest

from snapshot_adapters.files import (
    IngestLimits,
    LimitExceededError,
    UnreadableFileError,
    detect_format,
)
from snapshot_adapters.memory import MemoryStore
from snapshot_core.domain import InvalidInputError, RowProblem

from .conftest import Backend

GOOD = "amount,sent_at\n"
ROW = "12.50,2026-01-05T10:00:00Z\n"


def unreadable(backend: Backend, data: bytes | str, **options: object) -> UnreadableFileError:
    stream = io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data)
    options.setdefault("format", "csv")
    with pytest.raises(UnreadableFileError) as caught:
        backend.ingest(stream, **options)
    store = backend.uow_factory
    assert isinstance(store, MemoryStore)
    assert store.sources == {} and store.estimates == {}
    assert caught.value.code == "invalid_input"
    return caught.value


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n", b"\r\n  \r\n"])
@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_an_empty_file(memory: Backend, data: bytes, file_format: str) -> None:
    error = unreadable(memory, data, format=file_format)
    assert "empty" in error.message


def test_a_header_without_rows(memory: Backend) -> None:
    error = unreadable(memory, GOOD + "\n")
    assert error.message == "The file has no estimate rows, only a header"


def test_a_missing_required_column_names_it_and_the_header(memory: Backend) -> None:
    error = unreadable(memory, "amount,when,notes\n1,2026-01-05,x\n")
    assert error.problems == [
        RowProblem(1, "sent_at", "required column is missing (the header has: amount, when, notes)")
    ]
    assert '--map sent_at="COLUMN"' in error.message
    assert "sent_at" in error.message


def test_a_column_named_twice(memory: Backend) -> None:
    error = unreadable(memory, "amount,sent_at, Amount\n1,2026-01-05,2\n")
    assert error.problems == [RowProblem(1, "amount", "appears twice (columns 1 and 3)")]


def test_bytes_that_are_not_utf8_are_reported_on_their_physical_line(memory: Backend) -> None:
    # Far enough in that the bad byte is several read chunks into the file, after a
    # quoted field that spans lines.
    lines = [GOOD.rstrip("\n") + ",notes"]
    lines += [f'{i},2026-01-05,"note\nacross lines"' for i in range(10_000)]
    data = ("\n".join(lines) + "\n").encode() + b"7,2026-01-05,caf\xe9\n"
    assert len(data) > 4 * 65_536
    error = unreadable(memory, data)
    assert error.problems == [RowProblem(20_002, "encoding", "byte 0xe9 is not valid UTF-8")]
    assert error.message.startswith("The file is not valid UTF-8 (line 20002)")
    assert "--encoding cp1252" in error.message


def test_a_header_neither_utf8_nor_windows_1252_is_reported_on_line_1(memory: Backend) -> None:
    error = unreadable(memory, b"amount,sent_at,r\x81f\n1,2026-01-05,x\n")
    assert error.problems[0].line == 1 and error.problems[0].column == "encoding"


def test_a_windows_1252_file_is_read_with_a_notice(memory: Backend) -> None:
    notices: list[str] = []
    data = "amount,sent_at,Kunde\n1,2026-01-05,Müller – café\n".encode("cp1252")
    report = memory.ingest(io.BytesIO(data), format="csv", notify=notices.append)
    assert report.stored_rows == 1
    assert notices[0].startswith("Read as Windows-1252") and "line 2" in notices[0]
    notices.clear()
    given = memory.ingest(io.BytesIO(data), format="csv", encoding="cp1252", notify=notices.append)
    assert given.stored_rows == 1
    assert notices == ["Ignored column (not stored): Kunde"]  # no detection notice when given


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_a_binary_file(memory: Backend, file_format: str) -> None:
    data = b"amount,sent_at\n1,2026-01-05\n" + bytes(range(256)) * 4
    error = unreadable(memory, data, format=file_format)
    assert error.message == "The file looks binary, not CSV or JSON Lines"
    assert error.problems[0].line == 3


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_utf16_or_utf32_file_with_a_byte_order_mark_is_read(
    memory: Backend, encoding: str
) -> None:
    data = (GOOD + ROW * 3).encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    assert memory.ingest(io.BytesIO(data), format="csv").stored_rows == 3


@pytest.mark.parametrize(("magic", "kind"), [(b"PK\x03\x04", "xlsx"), (b"\xd0\xcf\x11\xe0", "xls")])
def test_a_spreadsheet_named_csv_is_named_as_a_spreadsheet(
    memory: Backend, magic: bytes, kind: str
) -> None:
    data = magic + b"\xa1\xb1\x1a\xe1" + bytes(100) if kind == "xls" else magic + bytes(100)
    error = unreadable(memory, data)
    assert error.message.startswith(f"The file is a spreadsheet ({kind})")


def test_utf16_without_a_byte_order_mark_looks_binary(memory: Backend) -> None:
    error = unreadable(memory, (GOOD + ROW).encode("utf-16-le"))
    assert "binary" in error.message


def test_a_line_longer_than_a_megabyte(memory: Backend) -> None:
    error = unreadable(memory, GOOD.encode() + b"1" * (1 << 20) + b"0,2026-01-05\n")
    assert error.problems[0].line == 2 and "too long" in error.problems[0].problem


def test_a_field_longer_than_the_csv_limit_stops_the_file(memory: Backend) -> None:
    # Past the limit the reader gives up inside the field, so what follows is not trusted.
    text = GOOD + ROW + '5,2026-01-05,"' + "x" * 200_000 + '"\n' + ROW
    error = unreadable(
        memory, "amount,sent_at,notes\n" + text.replace(GOOD, ""), on_bad_rows="skip"
    )
    assert error.problems == [RowProblem(3, "row", "a field longer than 131,072 characters")]


def test_a_lone_surrogate_in_a_text_stream(memory: Backend) -> None:
    error = unreadable(memory, GOOD + ROW + "5,2026-01-05\ud800\n")
    assert error.problems == [RowProblem(3, "encoding", "contains a lone surrogate character")]


def test_the_size_limit_is_checked_before_reading_a_path(memory: Backend, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(GOOD + ROW * 100)
    with pytest.raises(LimitExceededError) as caught:
        memory.ingest(path, limits=IngestLimits(max_bytes=1000))
    size = path.stat().st_size
    assert (
        caught.value.message == f"The file is larger than the limit of 1,000 bytes ({size:,} bytes)"
    )
    assert "SNAPSHOT_INGEST_MAX_BYTES" in caught.value.solution


def test_the_size_limit_stops_a_stream_midway_and_nothing_is_stored(memory: Backend) -> None:
    error = unreadable(
        memory, (GOOD + ROW * 10_000).encode(), limits=IngestLimits(max_bytes=100_000)
    )
    assert isinstance(error, LimitExceededError)
    assert error.message == "The file is larger than the limit of 100,000 bytes"


def test_the_row_limit_names_the_first_row_over_it(memory: Backend) -> None:
    data = GOOD + "\n" + ROW * 10  # a blank line 2, so row 5 is on line 7
    error = unreadable(memory, data, limits=IngestLimits(max_rows=4), on_bad_rows="skip")
    assert isinstance(error, LimitExceededError)
    assert error.problems == [RowProblem(7, "file", "row 5 is over the limit")]
    assert error.message == "The file has more than 4 rows (the limit)"


def test_the_format_comes_from_the_extension_or_is_given() -> None:
    assert detect_format("a/b/Export.CSV") == "csv"
    assert detect_format(Path("x.jsonl")) == "jsonl"
    assert detect_format("x.ndjson") == "jsonl"
    assert detect_format("x.txt", "csv") == "csv"
    assert detect_format(None, "ndjson") == "jsonl"
    with pytest.raises(UnreadableFileError, match="Cannot tell the format of 'x.txt'"):
        detect_format("x.txt")
    with pytest.raises(UnreadableFileError):
        detect_format(None)
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        detect_format("x.csv", "xml")


def test_a_nameless_stream_needs_its_format(memory: Backend) -> None:
    with pytest.raises(UnreadableFileError):
        memory.ingest(io.BytesIO((GOOD + ROW).encode()))
    assert memory.ingest(io.BytesIO((GOOD + ROW).encode()), format="csv").stored_rows == 1


def test_wrong_options_are_refused_before_reading(memory: Backend, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(GOOD + ROW)
    with pytest.raises(ValueError, match="on_bad_rows"):
        memory.ingest(path, on_bad_rows="ignore")
    with pytest.raises(ValueError, match="must not be the input file"):
        memory.ingest(path, rejects=path)
    assert path.read_text() == GOOD + ROW


def test_a_bad_header_row_in_csv_syntax(memory: Backend) -> None:
    error = unreadable(memory, '"amount"x,sent_at\n1,2026-01-05\n')
    assert error.problems[0].line == 1 and error.problems[0].column == "header"


def test_every_file_error_is_an_invalid_input_error_with_its_own_solution() -> None:
    assert issubclass(UnreadableFileError, InvalidInputError)
    assert UnreadableFileError.code == InvalidInputError.code == "invalid_input"
    assert "--on-bad-rows skip" not in UnreadableFileError.solution
    assert codecs.BOM_UTF8 == b"\xef\xbb\xbf"
