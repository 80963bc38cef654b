"""Search columns: the searched text fields of a block, folded, and their split once loaded.

A block keeps one search column per searched text field (call_id, caller_no, callee_no,
file_name, original_file_name): the values folded the way queries compare (lower case,
``\\`` as ``/``: :func:`query.fold`), joined by ``\\n`` with a newline before the first and
after the last, so that a hit's row is the number of newlines before it. agent_id is
searched through the group keys' codes instead.

Once loaded (:meth:`RecordingStore.split_columns`, in the background) each column is
remade as a :class:`SplitColumn`: what many rows share (a hotline number, a file folder)
once in a small dictionary with a code per row, the rest as a column with each row's start,
so that a hit is a row at once.
"""

from __future__ import annotations

import heapq
from array import array
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate, repeat

from ccfs_tui.core.index import NCOLS
from ccfs_tui.core.recording import COLUMNS
from ccfs_tui.core.recordings.byte_search import MatchedRows, column_hits, column_mask
from ccfs_tui.core.recordings.query import fold

CALL, CALLER, CALLEE, FILE, ORIGINAL = (
    COLUMNS.index(c)
    for c in ("call_id", "caller_no", "callee_no", "file_name", "original_file_name")
)
SEARCH_COLUMNS = (CALL, CALLER, CALLEE, FILE, ORIGINAL)
"""The fields searched as text, in the order of a block's search columns."""
_STEP = NCOLS - 1  # field c (1-16) of every row is split_text()[c::_STEP]


def search_columns(split: list[bytes]) -> tuple[bytes, ...]:
    """A block's search columns from its comma-split text (:meth:`RowBatch.split_text`)."""
    columns = []
    for column in SEARCH_COLUMNS:
        values = split[column::_STEP]
        values.append(b"")
        values.insert(0, b"")
        columns.append(fold(b"\n".join(values)))
    return tuple(columns)


def row_starts(values: list[bytes]) -> array[int]:
    """Where each value's newline is in ``b"\\n".join(["", *values, ""])``, and the last one."""
    return array("I", accumulate(map((1).__add__, map(len, values)), initial=0))


@dataclass(frozen=True, slots=True)
class SplitColumn:
    """A search column of a block, remade once loaded so that it is searched quicker.

    What many rows share is found once: the shared parts (``heads``) are a small dictionary
    with one code a row (1-255, 0: none); for numbers a whole value that repeats (a
    hotline), for file names a folder that repeats (one agent's day). ``rest`` is a search
    column of the rest of each row's value: empty after a shared number, the base name after
    a shared folder, the whole value otherwise; with ``starts`` (see :func:`row_starts`), a hit
    is a row at once. A folder keeps its trailing ``/`` and a base name holds none, so a
    needle without ``/`` that is in a value is in its head or in its rest; a needle with
    one searches the whole column.
    """

    heads: bytes  # the shared parts as a search column: "\n" + each + "\n"
    count: int  # shared parts
    codes: bytes  # per row 0 or 1 + the index of its shared part (b"" when none)
    rest: bytes  # per row the rest, as a search column
    starts: array[int]  # :func:`row_starts` of ``rest``
    folders: bool  # heads are folders (a needle with "/" is not answered)

    @classmethod
    def of(cls, column: bytes, rows: int, kind: str) -> SplitColumn:
        """The split of a search column; ``kind`` is what it shares: "value" (numbers),
        "folder" (file names) or "" (nothing: the column with its ``starts``)."""
        values = column.split(b"\n")[1:-1]
        if len(values) != rows:  # cannot happen with stored rows
            raise ValueError("stored rows and their count disagree")
        folders = kind == "folder"
        parts: list[tuple[bytes, bytes, bytes]] = []
        if folders:
            parts = [value.rpartition(b"/") for value in values]
            heads = [head + slash for head, slash, _ in parts]
        else:
            heads = values
        shared: list[bytes] = []
        if kind:
            counts = Counter(heads)
            shared = [head for head, n in counts.items() if n > 1 and head]
            if len(shared) > 255:
                shared = heapq.nlargest(255, shared, key=counts.__getitem__)
        if not shared:
            return cls(b"\n\n", 0, b"", column, row_starts(values), folders)
        index = dict(zip(shared, range(1, len(shared) + 1), strict=True))
        codes = bytes(map(index.get, heads, repeat(0, rows)))
        if folders:
            pairs = zip(parts, codes, values, strict=True)
            rest = [part[2] if code else value for part, code, value in pairs]
        else:
            rest = [b"" if code else value for code, value in zip(codes, values, strict=True)]
        blob = b"\n".join([b"", *rest, b""])
        dictionary = b"\n".join([b"", *shared, b""])
        return cls(dictionary, len(shared), codes, blob, row_starts(rest), folders)

    def search(self, matched: MatchedRows, needle: bytes, prefix: bool) -> bool:
        """Add the rows holding ``needle`` (:func:`column_mask`) from the two parts; False
        when this split cannot answer (a needle with ``/`` in file names)."""
        if self.folders and b"/" in needle:
            return False
        if self.count:
            hit = column_mask(self.heads, self.count, needle, prefix)
            if hit is not None:
                matched.add(self.codes.translate(b"\x00" + hit.ljust(255, b"\x00")))
        matched.add(column_hits(self.rest, matched.size, needle, prefix, self.starts))
        return True


_SHARES = {CALL: "", CALLER: "value", CALLEE: "value", FILE: "folder", ORIGINAL: "folder"}
SPLIT_KINDS = tuple(_SHARES[column] for column in SEARCH_COLUMNS)
"""What each search column shares, for :class:`SplitColumn`: numbers repeat (hotlines,
regulars), file names share their folders, call ids share nothing."""
