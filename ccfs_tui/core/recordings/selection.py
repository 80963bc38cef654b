"""Filter answers: the rows that match a query, as one 0/1 byte per row and block.

A :class:`Selection` is what :meth:`RecordingStore.select` answers: a sequence of ascending
row ids where ``in`` and ``len`` are cheap, with the group counts the tree needs (the VDN
counts of its top level at once, the full counts per group key when a group is opened).
"""

from __future__ import annotations

import bisect
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress
from typing import overload

from ccfs_tui.core.recordings.blocks import Block
from ccfs_tui.core.recordings.group_keys import WIDE

_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")
_ONE_TO_FF = bytes.maketrans(b"\x01", b"\xff")


def marked_rows(mask: bytes, first: int) -> Iterable[int]:
    """``first + i`` for each i where ``mask[i]`` is 1."""
    ones = mask.count(1)
    if ones == len(mask):
        return range(first, first + ones)
    if ones * 16 > len(mask):
        return compress(range(first, first + len(mask)), mask)
    out = []
    at = mask.find(1)
    while at >= 0:
        out.append(first + at)
        at = mask.find(1, at + 1)
    return out


def and_masks(a: bytes, b: bytes) -> bytes | None:
    """The rows in both masks (None: no row)."""
    both = int.from_bytes(a, "little") & int.from_bytes(b, "little")
    return both.to_bytes(len(a), "little") if both else None


class Selection(Sequence[int]):
    """Ascending row ids that match a query, as one 0/1 mask per block (what
    :meth:`RecordingStore.filter` answers for the whole store). ``in`` and ``len`` are cheap;
    :meth:`counts` gives rows per group key for the tree."""

    __slots__ = (
        "_counts",
        "_ids",
        "_len",
        "_lock",
        "_starts",
        "_vdns",
        "parts",
        "query",
        "rows",
    )

    def __init__(
        self,
        query: str,
        rows: int,
        parts: list[tuple[Block, bytes]],
        counts: Counter[int] | None = None,
    ) -> None:
        self.query = query
        self.rows = rows
        """Rows ``[0, rows)`` were searched."""
        self.parts = parts
        self._starts = [block.start for block, _ in parts]
        self._len = sum(mask.count(1) for _, mask in parts)
        self._counts = counts
        self._vdns: Counter[int] | None = None
        self._ids: list[int] | None = None
        self._lock = threading.Lock()

    def counts(self) -> Counter[int]:
        """Selected rows per group key (made on first use, by whichever thread asks)."""
        with self._lock:
            if self._counts is None:
                counts: Counter[int] = Counter()
                for block, mask in self.parts:
                    ones = mask.count(1)
                    if ones == block.rows:
                        counts.update(block.counts)
                    elif ones * 2 > block.rows:
                        counts.update(block.counts)
                        counts.subtract(compress(block.keys, mask.translate(_FLIP)))
                    else:
                        counts.update(compress(block.keys, mask))
                self._counts = +counts
            return self._counts

    def vdn_counts(self) -> Counter[int] | None:
        """Selected rows per VDN code, cheaper than :meth:`counts` (what the tree's top level
        needs); None when the keys do not allow it (then use :meth:`counts`)."""
        if self._vdns is not None:
            return self._vdns
        out: Counter[int] = Counter()
        if self._counts is not None:
            for key, n in self._counts.items():
                if key & WIDE:
                    return None
                out[key >> 48] += n
        else:
            for block, mask in self.parts:
                codes = {key >> 48 for key in block.counts}
                if max(codes) > 254:  # also every wide key
                    return None
                ones = mask.count(1)
                if ones == block.rows:
                    for key, n in block.counts.items():
                        out[key >> 48] += n
                elif len(codes) == 1:
                    out[codes.pop()] += ones
                else:  # vdn_bytes holds code + 1: unselected rows become 0
                    chosen = int.from_bytes(block.vdn_bytes(), "little") & int.from_bytes(
                        mask.translate(_ONE_TO_FF), "little"
                    )
                    raw = chosen.to_bytes(block.rows, "little")
                    for code in codes:
                        out[code] += raw.count(code + 1)
        self._vdns = +out
        return self._vdns

    def __len__(self) -> int:
        return self._len

    def __contains__(self, row_id: object) -> bool:
        if not isinstance(row_id, int) or row_id < 0:
            return False
        index = bisect.bisect_right(self._starts, row_id) - 1
        if index < 0:
            return False
        block, mask = self.parts[index]
        offset = row_id - block.start
        return offset < block.rows and mask[offset] == 1

    def __iter__(self) -> Iterator[int]:
        for block, mask in self.parts:
            yield from marked_rows(mask, block.start)

    def ids_between(self, low: int, high: int) -> list[int]:
        """The selected ids in ``[low, high)``."""
        out: list[int] = []
        for block, mask in self.parts:
            start, end = max(low, block.start), min(high, block.start + block.rows)
            if start < end:
                out.extend(marked_rows(mask[start - block.start : end - block.start], start))
        return out

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if self._ids is None:
            self._ids = list(self)
        return self._ids[index]

    def __repr__(self) -> str:
        return f"Selection({self.query!r}: {self._len} of {self.rows})"
