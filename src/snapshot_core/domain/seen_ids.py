"""SeenIds: which estimate ids a stream has already had, in about 16 bytes an id.

A dict of the ids themselves costs ~150 bytes an id (3M ids: over 500 MB). Here an id is
96 bits of digest and the line of its first row, in two sorted ``array("Q")`` columns split
into 4,096 buckets: the key (Python's 64-bit string hash, keyed per process) and, packed
together, a CRC-32 of the id's UTF-8 and the line. A lookup is one C-level bisect, an insert
a short memmove. Two ids are the same only when both digests agree: a collision of the
64-bit key alone is told apart by the CRC, so the chance of a false "duplicate" among ten
million ids is about 10^-15 (and an attacker cannot aim at the per-process key).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Collection, Sequence
from itertools import repeat
from zlib import crc32

__all__ = ["SeenIds"]

_BUCKET_BITS = 12
_SHIFT = 64 - _BUCKET_BITS
_MASK64 = (1 << 64) - 1
_MAX_LINE = 0xFFFFFFFF  # lines past 4 billion are reported as this (files are far smaller)


class SeenIds:
    """``first(ident, line)``: the line that had ``ident`` before, else records ``line``."""

    __slots__ = ("_keys", "_payloads", "count")

    def __init__(self) -> None:
        self._keys: list[array[int] | None] = [None] * (1 << _BUCKET_BITS)
        self._payloads: list[array[int] | None] = [None] * (1 << _BUCKET_BITS)
        self.count = 0

    def first(self, ident: str, line: int) -> int | None:
        key = hash(ident) & _MASK64
        bucket = key >> _SHIFT
        keys = self._keys[bucket]
        if keys is None:
            keys = self._keys[bucket] = array("Q")
            self._payloads[bucket] = array("Q")
        payloads = self._payloads[bucket]
        assert payloads is not None
        at = bisect_left(keys, key)
        check = crc32(ident.encode("utf-8", "surrogatepass")) << 32
        # Spelled out for the common case (a new id: its key is not there); a key already
        # there is a duplicate, or a collision the CRC tells apart.
        if at < len(keys) and keys[at] == key:
            end = len(keys)
            while at < end and keys[at] == key:
                payload = payloads[at]
                if payload >> 32 << 32 == check:
                    return payload & _MAX_LINE
                at += 1
        keys.insert(at, key)
        payloads.insert(at, check | (line if line < _MAX_LINE else _MAX_LINE))
        self.count += 1
        return None

    def add_new(
        self, idents: Sequence[str], lines: Sequence[int], others: Collection[str] = ()
    ) -> list[int]:
        """``first()`` for a batch of ids in one call: records each id at its line, except
        (returning their positions, nothing recorded for them) an id seen before, one that
        appears more than once in ``idents``, and one in ``others``."""
        skip: set[str] = set(others)
        if len(set(idents)) != len(idents):
            once: set[str] = set()
            for ident in idents:
                if ident in once:
                    skip.add(ident)
                once.add(ident)
        refused: list[int] = []
        all_keys, all_payloads, shift, last = self._keys, self._payloads, _SHIFT, _MAX_LINE
        # The digests of the whole batch at C speed; the loop below only places them.
        keys = [key & _MASK64 for key in map(hash, idents)]
        checks = list(map(crc32, map(str.encode, idents, repeat("utf-8"), repeat("surrogatepass"))))
        for position, key in enumerate(keys):
            if skip and idents[position] in skip:
                refused.append(position)
                continue
            bucket = key >> shift
            bucket_keys = all_keys[bucket]
            if bucket_keys is None:
                bucket_keys = all_keys[bucket] = array("Q")
                all_payloads[bucket] = array("Q")
            payloads = all_payloads[bucket]
            assert payloads is not None
            at = bisect_left(bucket_keys, key)
            check = checks[position] << 32
            if at < len(bucket_keys) and bucket_keys[at] == key:
                end, known = len(bucket_keys), False
                while at < end and bucket_keys[at] == key:
                    if payloads[at] >> 32 << 32 == check:
                        known = True
                        break
                    at += 1
                if known:
                    refused.append(position)
                    continue
            line = lines[position]
            bucket_keys.insert(at, key)
            payloads.insert(at, check | (line if line < last else last))
        self.count += len(idents) - len(refused)
        return refused
