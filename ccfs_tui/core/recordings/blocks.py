"""Blocks: the store's rows, a few thousand at a time, never changed once made.

A block keeps, for its rows ``start`` .. ``start + rows - 1``:

* ``text``: the rows' own CSV text (:attr:`RowBatch.text`: UTF-8, fields joined by ``,``,
  one ``\\n`` per row; usually the index file's bytes as read), for a row's Recording;
* one search column per searched text field (:mod:`.columns`), and their splits once made;
* one 64-bit group key per row (``array('Q')``, :mod:`.group_keys`) and the rows per key.

All of it is made in bulk from the reader's comma-split text (:func:`prepare_rows`): a
slice per column and one ``join``, never a Python object per row; about the line length
x 1.6 + 8 bytes a row. What readers see is a :class:`Snapshot`: the blocks, the row count
and the key counts, published by the one writer in one assignment.
"""

from __future__ import annotations

import bisect
import sys
from array import array
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate

from ccfs_tui.core.index import RowBatch
from ccfs_tui.core.recording import COLUMNS
from ccfs_tui.core.recordings.columns import SplitColumn, search_columns
from ccfs_tui.core.recordings.group_keys import GroupCodes

SEGMENT_ROWS = 1 << 14
"""Blocks smaller than this take the next rows in (a copy); bigger ones are closed."""
_BEGIN = COLUMNS.index("call_begin")
_PLUS_ONE = bytes((i + 1) % 256 for i in range(256))


@dataclass(frozen=True, slots=True)
class PreparedRows:
    """Rows made ready to become a block (or the end of one): all a block holds but where."""

    count: int
    text: bytes
    crlf: bool  # the text's lines end in CR LF
    columns: tuple[bytes, ...]
    keys: array[int]
    counts: Counter[int]  # rows per group key


def prepare_rows(codes: GroupCodes, batch: RowBatch) -> PreparedRows:
    """A batch's search columns, group keys (coded by ``codes``) and key counts, from its
    comma-split text (dropped from the batch: it costs far more memory than the text)."""
    count = len(batch)
    split = batch.split_text()
    batch.drop_split()
    columns = search_columns(split)
    keys = codes.keys(split, count, batch.begin_times(split))
    del split
    return PreparedRows(count, *batch.raw_text(), columns, keys, Counter(keys))


class Block:
    """Rows ``start`` .. ``start + rows - 1``; never changed once made (see the module doc)."""

    __slots__ = (
        "_offsets",
        "_ones",
        "_vdn_bytes",
        "columns",
        "counts",
        "crlf",
        "keys",
        "rows",
        "splits",
        "start",
        "text",
    )

    def __init__(
        self,
        start: int,
        rows: int,
        text: bytes,
        crlf: bool,
        columns: tuple[bytes, ...],
        keys: array[int],
        counts: Counter[int],
    ) -> None:
        self.start = start
        self.rows = rows
        self.text = text
        self.crlf = crlf  # the text's lines end in CR LF
        self.columns = columns
        self.keys = keys
        self.counts = counts
        self._offsets: array[int] | None = None
        self._ones: bytes | None = None
        self._vdn_bytes: bytes | None = None
        self.splits: dict[int, SplitColumn] = {}
        """Splits of search columns (by position), added once made: replaced whole."""

    def joined(self, other: Block) -> Block:
        """This block followed by ``other`` (a copy)."""
        keys = array("Q", self.keys)
        keys.extend(other.keys)
        crlf = self.crlf and other.crlf
        texts = [
            b.text.translate(None, b"\r") if b.crlf and not crlf else b.text for b in (self, other)
        ]
        return Block(
            self.start,
            self.rows + other.rows,
            b"".join(texts),
            crlf,
            tuple(a + b[1:] for a, b in zip(self.columns, other.columns, strict=True)),
            keys,
            self.counts + other.counts,
        )

    def vdn_bytes(self) -> bytes:
        """One byte a row: its VDN code + 1 (for codes up to 254; made on first use)."""
        if self._vdn_bytes is None:
            keys = self.keys
            if sys.byteorder == "big":
                keys = array("Q", keys)
                keys.byteswap()
            self._vdn_bytes = keys.tobytes()[6::8].translate(_PLUS_ONE)
        return self._vdn_bytes

    def ones(self) -> bytes:
        """The mask of every row."""
        if self._ones is None:
            self._ones = b"\x01" * self.rows
        return self._ones

    def line(self, index: int) -> bytes:
        """The CSV text of row ``index`` of the block (no newline)."""
        offsets = self._offsets
        if offsets is None:
            lengths = map(len, self.text.split(b"\n")[:-1])
            offsets = self._offsets = array("I", accumulate(map((1).__add__, lengths), initial=0))
        return self.text[offsets[index] : offsets[index + 1] - (2 if self.crlf else 1)]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What readers see: published by the writer in one assignment."""

    blocks: tuple[Block, ...] = ()
    starts: tuple[int, ...] = ()
    rows: int = 0
    counts: Counter[int] | None = None  # rows per group key (None: empty)

    def appended(self, rows: PreparedRows) -> Snapshot:
        """This snapshot with ``rows`` after its last (merged into the last block while
        that is small)."""
        block = Block(
            self.rows, rows.count, rows.text, rows.crlf, rows.columns, rows.keys, rows.counts
        )
        totals = rows.counts if self.counts is None else self.counts + rows.counts
        blocks, starts = list(self.blocks), list(self.starts)
        if blocks and blocks[-1].rows < SEGMENT_ROWS:
            block = blocks.pop().joined(block)
            starts.pop()
        blocks.append(block)
        starts.append(block.start)
        return Snapshot(tuple(blocks), tuple(starts), self.rows + rows.count, totals)

    def block_of(self, row_id: int) -> Block:
        return self.blocks[bisect.bisect_right(self.starts, row_id) - 1]

    def key_counts(self) -> Counter[int]:
        """Rows per group key over every row (do not modify)."""
        return self.counts if self.counts is not None else Counter()

    def key_of(self, row_id: int) -> int:
        """The group key of a row."""
        block = self.block_of(row_id)
        return block.keys[row_id - block.start]

    def begin_text(self, row_id: int) -> bytes:
        """A row's call_begin as stored (``YYYY-MM-DD hh:mm:ss``: they sort by time)."""
        block = self.block_of(row_id)
        return block.line(row_id - block.start).split(b",", _BEGIN + 1)[_BEGIN]

    def rows_of(self, key: int) -> list[int]:
        """Row ids of group ``key``, found as the key's 8 bytes in the blocks' keys."""
        needle = key.to_bytes(8, sys.byteorder)
        rows: list[int] = []
        for block in self.blocks:
            if key not in block.counts:
                continue
            raw = block.keys.tobytes()
            at = raw.find(needle)
            while at >= 0:
                if at % 8:
                    at = raw.find(needle, at + 1)
                    continue
                rows.append(block.start + at // 8)
                at = raw.find(needle, at + 8)
        return rows
