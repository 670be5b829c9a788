"""Which text encoding a file is in, from its first bytes: UTF-8 (with or without a byte
order mark), UTF-16/UTF-32 by their byte order mark, Windows-1252 when asked
(``encoding=``) or when the start of the file is not UTF-8 but is Windows-1252 (with a
notice); and a spreadsheet saved under a text name is named as such, not read as text.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from typing import IO, Any

from snapshot_core.domain import RowProblem

from .errors import UnreadableFileError

__all__ = ["PEEK_BYTES", "SPREADSHEET_MAGIC", "decoded_stream", "spreadsheet_kind"]

PEEK_BYTES = 1 << 16
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SPREADSHEET_MAGIC = {b"PK\x03\x04": "xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "xls"}


def spreadsheet_kind(head: bytes) -> str | None:
    """``"xlsx"`` (any zip: .xlsx or .ods), ``"xls"``, or ``None`` for anything else."""
    for magic, kind in SPREADSHEET_MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


class _Prefixed(io.RawIOBase):
    """A binary stream with bytes already read from it put back in front."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        super().__init__()
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            count = min(len(view), len(self._head))
            view[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        """The caller's stream stays open: closing it is the caller's business."""


def _first_bad_utf8(head: bytes) -> int | None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character split at the end is not an error
    except UnicodeDecodeError as error:
        return error.start
    return None


def decoded_stream(
    stream: IO[bytes] | IO[str],
    encoding: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> IO[bytes] | IO[str]:
    """The stream for ``TextSource``: UTF-8 bytes as they are, anything else decoded to text.

    With ``encoding`` the file is read in it (strictly). Without, a byte order mark decides
    UTF-16/32; bytes that are not UTF-8 in the first 64 KiB but are valid Windows-1252 are
    read so, with a notice (further on, a bad byte is an error naming ``--encoding``).
    """
    if not isinstance(stream.read(0), bytes):
        return stream  # text already: the caller decoded it
    binary: IO[bytes] = stream  # type: ignore[assignment]
    head = binary.read(PEEK_BYTES)
    kind = spreadsheet_kind(head)
    if kind is not None:
        raise UnreadableFileError(
            f"The file is a spreadsheet ({kind}), not text: name it .{kind} (or give "
            f"--format {kind}), or save it as CSV",
            RowProblem(1, "file", f"starts as an .{kind} file does"),
        )
    chosen = encoding
    if chosen is not None:
        try:
            codecs.lookup(chosen)
        except LookupError:
            raise ValueError(f"unknown encoding {chosen!r} (e.g. utf-8, cp1252, utf-16)") from None
    else:
        chosen = next((name for bom, name in _BOMS if head.startswith(bom)), None)
    if chosen is None:
        bad = _first_bad_utf8(head)
        if bad is not None:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                pass  # neither: TextSource reports the first bad byte by its line
            else:
                chosen = "cp1252"
                if notify is not None:
                    line = head.count(b"\n", 0, bad) + 1
                    notify(
                        f"Read as Windows-1252: the file is not UTF-8 (byte 0x{head[bad]:02x} "
                        f"on line {line}); give --encoding to choose another"
                    )
    joined = _Prefixed(head, binary)
    if chosen is None or codecs.lookup(chosen).name in ("utf-8", "utf-8-sig"):
        return io.BufferedReader(joined)
    return io.TextIOWrapper(io.BufferedReader(joined), encoding=chosen, errors="strict", newline="")
