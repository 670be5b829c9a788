"""The text of an input file, line by line: strict UTF-8 (BOM dropped), binary and size checks."""

from __future__ import annotations

import codecs
import io
from collections import deque
from typing import IO, Any, BinaryIO, cast

from snapshot_core.domain import RowProblem

from .errors import LimitExceededError, UnreadableFileError

__all__ = ["CHUNK_BYTES", "MAX_LINE_BYTES", "TextSource"]

MAX_LINE_BYTES = 1 << 20  # no estimate needs a megabyte; longer means binary or one-line junk
CHUNK_BYTES = 1 << 16
_KEPT_CHUNKS = 40  # recent chunks (2.5 MiB) kept to recover the raw text of a malformed record
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class _Guard(io.BufferedIOBase):
    """Hands the file's bytes to TextIOWrapper a chunk at a time, checking each chunk first
    (limits, NUL bytes, wide encodings) and counting its lines, so every error can name the
    physical line while the per-line work stays in C."""

    def __init__(self, stream: IO[Any], max_bytes: int) -> None:
        super().__init__()
        self._stream = stream
        self._encode = not isinstance(stream.read(0), bytes)
        self._max_bytes = max_bytes
        self.bytes_read = 0
        self.lines_before = 0  # newlines in the chunks handed out so far
        self.chunks: deque[tuple[int, bytes]] = deque(maxlen=_KEPT_CHUNKS)
        self.chunks_read = 0
        self._since_newline = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """The caller's stream stays open: closing it is the caller's business."""

    def read(self, size: int | None = -1) -> bytes:
        return self.read1(size if size is not None else -1)

    def read1(self, size: int = -1) -> bytes:
        data = self._stream.read(size if size and size > 0 else CHUNK_BYTES)
        chunk: bytes = self._encoded(data) if self._encode else data
        if not chunk:
            return b""
        line = self.lines_before + 1
        if not self.bytes_read and chunk.startswith(_WIDE_BOMS):
            raise _fail(
                line,
                "The file is UTF-16 or UTF-32, not UTF-8",
                "encoding",
                "starts with a UTF-16/UTF-32 byte order mark",
            )
        self.bytes_read += len(chunk)
        if self.bytes_read > self._max_bytes:
            raise LimitExceededError(
                f"The file is larger than the limit of {self._max_bytes:,} bytes",
                RowProblem(line, "file", f"more than {self._max_bytes:,} bytes"),
            )
        nul = chunk.find(b"\x00")
        if nul >= 0:
            raise _fail(
                line + chunk.count(b"\n", 0, nul),
                "The file looks binary, not CSV or JSON Lines",
                "file",
                "contains a NUL byte (a binary file, or UTF-16?)",
            )
        first, last = chunk.find(b"\n"), chunk.rfind(b"\n")
        if first < 0:
            self._since_newline += len(chunk)
            longest = self._since_newline
        else:  # the line this chunk ends, or the one it leaves open (those between are short)
            longest = max(self._since_newline + first, len(chunk) - last - 1)
            self._since_newline = len(chunk) - last - 1
        if longest > MAX_LINE_BYTES:
            line += chunk.count(b"\n", 0, first) if first >= 0 else 0
            raise _fail(
                line,
                f"Line {line} is longer than {MAX_LINE_BYTES:,} bytes",
                "file",
                "line too long (is this really CSV or JSON Lines?)",
            )
        self.chunks.append((self.lines_before, chunk))
        self.chunks_read += 1
        self.lines_before += chunk.count(b"\n")
        return chunk

    def _encoded(self, text: str) -> bytes:
        try:  # a text stream may carry lone surrogates, which no database accepts
            return text.encode("utf-8")
        except UnicodeEncodeError as error:
            line = self.lines_before + text.count("\n", 0, error.start) + 1
            raise _fail(
                line,
                f"The text is not valid Unicode (line {line})",
                "encoding",
                "contains a lone surrogate character",
            ) from None


def _fail(line: int, message: str, column: str, problem: str) -> UnreadableFileError:
    return UnreadableFileError(message, RowProblem(line, column, problem))


class TextSource:
    """A binary or text stream as text lines split on LF only (a CR inside a quoted field
    or a Unicode line separator never shifts the line numbers a user sees in an editor).

    Iterate ``lines`` (a text file object: line endings kept). ``bytes_read`` is how far
    into the file it is; ``decode_error`` turns TextIOWrapper's UnicodeDecodeError into a
    line-numbered error; ``raw_lines`` recovers a recent record's text for the rejects file.
    """

    def __init__(self, stream: IO[bytes] | IO[str], max_bytes: int) -> None:
        self._guard = _Guard(stream, max_bytes)
        buffer = cast(BinaryIO, self._guard)  # a BufferedIOBase, which typeshed does not see
        self.lines = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="\n")
        self.lines._CHUNK_SIZE = CHUNK_BYTES  # type: ignore[attr-defined]

    @property
    def bytes_read(self) -> int:
        return self._guard.bytes_read

    def decode_error(self, error: UnicodeDecodeError) -> UnreadableFileError:
        # The decoder was given the newest chunk (plus at most 3 pending bytes of a split
        # character, never a newline), so the line is counted from that chunk's start.
        first = self._guard.chunks[-1][0] if self._guard.chunks else 0
        line = first + error.object[: error.start].count(b"\n") + 1
        bad = error.object[error.start]
        return _fail(
            line,
            f"The file is not valid UTF-8 (line {line}); if it is Windows-1252, give "
            "--encoding cp1252",
            "encoding",
            f"byte 0x{bad:02x} is not valid UTF-8",
        )

    def raw_lines(self, first: int, last: int) -> str:
        """Lines ``first``..``last`` as written (line endings dropped), if still in memory."""
        chunks = self._guard.chunks
        if not chunks:
            return ""
        # Piece 0 is a whole line only when the first chunk kept is the file's first.
        start = first - chunks[0][0] - 1
        whole_first = self._guard.chunks_read == len(chunks)
        if start < (0 if whole_first else 1):
            return ""
        pieces = b"".join(chunk for _, chunk in chunks).split(b"\n")
        wanted = b"\n".join(pieces[start : start + last - first + 1])
        return wanted.decode("utf-8", errors="replace").removesuffix("\r")
