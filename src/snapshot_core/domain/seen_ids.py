"""SeenIds: which estimate ids a stream has already had, in about 16 bytes an id.

A dict of the ids themselves costs ~150 bytes an id (3M ids: over 500 MB). Here an id is
96 bits of digest and the line of its first row, in two sorted unsigned 64-bit ``array``
columns split into 4,096 buckets: the key (Python's 64-bit string hash, keyed per process)
and, packed together, a CRC-32 of the id's UTF-8 and the line. A lookup is one C-level
bisect, an insert a short memmove. Two ids are the same only when both digests agree: a
collision of the 64-bit key alone is told apart by the CRC, so the chance of a false
"duplicate" among ten million ids is about 10^-15 (and an attacker cannot aim at the
per-process key).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Collection, Sequence
from itertools import count, repeat
from operator import and_, lshift, or_
from zlib import crc32

__all__ = ["SeenIds"]

_BUCKET_BITS = 12
_SHIFT = 64 - _BUCKET_BITS
_MASK64 = (1 << 64) - 1
_MAX_LINE = 0xFFFFFFFF  # lines past 4 billion are reported as this (files are far smaller)
# Unsigned 64-bit: "L" where a C long has 64 bits, as on Linux (an insert converts the int
# in a third fewer instructions than for "Q"), else "Q".
_TYPECODE = "L" if array("L").itemsize == 8 else "Q"
# Each array ends with the largest key: a bisect's place is always an index, and no id's key
# is it (a str's hash is never -1), so it ends every scan of equal keys. Copied, not built.
_EMPTY = array(_TYPECODE, [_MASK64])


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
            keys = self._bucket(bucket)
        payloads = self._payloads[bucket]
        assert payloads is not None
        at = bisect_left(keys, key)
        payload = crc32(ident.encode("utf-8", "surrogatepass")) << 32
        payload |= line if line < _MAX_LINE else _MAX_LINE
        # A key already there is a duplicate, or a collision the CRC tells apart.
        if keys[at] == key:
            recorded = self._recorded(bucket, at, key, payload)
            if recorded is not None:
                return recorded & _MAX_LINE
        keys.insert(at, key)
        payloads.insert(at, payload)
        self.count += 1
        return None

    def add_new(
        self, idents: Sequence[str], lines: Sequence[int], others: Collection[str] = ()
    ) -> list[int]:
        """``first()`` for a batch of ids in one call: records each id at its line (``lines``
        in file order, ascending), except (returning their positions, nothing recorded for
        them) an id seen before, one that appears more than once in ``idents``, and one in
        ``others``."""
        skip: set[str] = set(others)
        if len(set(idents)) != len(idents):
            once: set[str] = set()
            for ident in idents:
                if ident in once:
                    skip.add(ident)
                once.add(ident)
        refused: list[int] = []
        all_keys, all_payloads, shift = self._keys, self._payloads, _SHIFT
        # The digests and payloads of the whole batch at C speed; the loop only places them.
        keys = list(map(and_, map(hash, idents), repeat(_MASK64)))
        if "".join(idents).isascii():  # UTF-8 as str.encode() gives it, with no codec look-up
            texts = map(str.encode, idents)
        else:
            texts = map(str.encode, idents, repeat("utf-8"), repeat("surrogatepass"))
        checks = map(crc32, texts)
        if lines and lines[-1] >= _MAX_LINE:  # the largest: lines come in file order
            lines = [min(line, _MAX_LINE) for line in lines]
        payloads = map(or_, map(lshift, checks, repeat(32)), lines)
        for position, key, payload in zip(count(), keys, payloads):
            if skip and idents[position] in skip:
                refused.append(position)
                continue
            bucket = key >> shift
            bucket_keys = all_keys[bucket]
            if bucket_keys is None:
                bucket_keys = self._bucket(bucket)
            at = bisect_left(bucket_keys, key)
            if bucket_keys[at] == key and self._recorded(bucket, at, key, payload) is not None:
                refused.append(position)
                continue
            bucket_keys.insert(at, key)
            all_payloads[bucket].insert(at, payload)  # made with the keys array
        self.count += len(idents) - len(refused)
        return refused

    def _recorded(self, bucket: int, at: int, key: int, payload: int) -> int | None:
        """The payload recorded for the id of ``key`` (first found at ``at``) and of
        ``payload``'s CRC, if any (the end mark stops the scan of equal keys)."""
        keys, payloads = self._keys[bucket], self._payloads[bucket]
        assert keys is not None and payloads is not None
        while keys[at] == key:
            if (payloads[at] ^ payload) >> 32 == 0:
                return payloads[at]
            at += 1
        return None

    def _bucket(self, bucket: int) -> array[int]:
        """A bucket's new arrays, each ending with the end mark; the keys array."""
        keys = self._keys[bucket] = _EMPTY[:]
        self._payloads[bucket] = _EMPTY[:]
        return keys
