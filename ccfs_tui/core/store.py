"""The recording model the UI reads (index -> model -> widgets): append-only, no object per row.

Layout. Rows live in immutable blocks of 16k+ consecutive rows. A block keeps

* ``text``: the rows' own CSV text (:attr:`RowBatch.text`: UTF-8, fields joined by ``,``,
  one ``\\n`` per row; usually the index file's bytes as read), for :meth:`recording`;
* one search column per searched text field (call_id, caller_no, callee_no, file_name,
  original_file_name): the values folded the way queries compare (lower case, ``\\`` as
  ``/``), joined by ``\\n``, so a hit's row is the number of newlines before it;
* one 64-bit group key per row (``array('Q')``): VDN code << 48 | agent code << 32 | the
  call_begin day as BCD (0x20261003), and the rows per key.

All of it is made in bulk from the reader's comma-split text (``RowBatch.split_text``): a
slice per column and one ``join``, never a Python object per row. About the line length
x 1.6 + 8 bytes a row. A :class:`Recording` is built from a row's text only when asked for.
Once loaded, :meth:`RecordingStore.index_values` remakes (in the background) each search
column of each block as a :class:`_Split`: what many rows share (a hotline number, a file
folder) once in a small dictionary with a code per row, the rest as a column with each
row's start, so that a hit is a row at once.

Query syntax (:meth:`RecordingStore.filter`): whitespace-separated terms, ALL must match.

* ``2026-10-03``: the call began on that day; ``2026-10`` (or ``date:2026-10``): in that month.
* ``agent:10``, ``vdn:5``: the agent / VDN id starts with the value (the tree's groups).
* ``caller:138``, ``callee:4008``, ``call:1600``: that number / call id starts with the value.
* anything else: a substring of call_id, caller_no, callee_no, agent_id, file_name or
  original_file_name, where ``\\\\`` and ``/`` are the same character.

Matching ignores case. A scope the store does not know (``x:...``) is a plain substring, so
``Y:\\\\1\\\\0`` and ``12:00`` search as typed. Control characters in a query are ignored.

Speed. An answer is a :class:`Selection`: one 0/1 byte per row and block, made block by
block (the caller may cancel between blocks), with the VDN counts of the tree's top level
(the full group counts when a group is opened). A text term looks for its bytes in each
search column with libc ``memmem`` where there is one (it releases the GIL and runs at memory
speed; ``bytes.find`` otherwise); when hits are many, the column is marked in bulk instead
(``replace`` + ``translate``: no Python per hit); a split column is searched in its shared
parts, whose rows follow from their codes by one ``translate``, and in its rest (a needle
with ``/`` searches whole file names). Agent, VDN and
day terms test the group keys' bytes and never read text; their counts come from the
per-block key counts. Masks are cached per term and block (bounded): typing one more
character skips the blocks where the shorter term had no hit, and rows added later are
searched once.

Loading (:func:`load_index`). A big plain input is read by two processes: this one reads
the first part while a helper process reads the rest into blocks; the helper's blocks come
back through an anonymous memory file and are added in order.

Threads. One writer (the loader thread) appends while others read: a block is never changed
once made, and the list of blocks, the row count and the key counts are published together
as one immutable snapshot. Caches are shared under a lock.

Tree: ``children(ids, ())`` gives VDNs, ``(vdn,)`` days, ``(vdn, day)`` agents, each with a count
of the rows in ``ids`` (None: every row); ``leaves`` gives a group's row ids by call_begin. An
empty VDN or agent id shows as :data:`NO_VDN` / :data:`NO_AGENT`, and paths accept those labels.
"""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import ctypes.util
import functools
import heapq
import os
import pickle
import re
import subprocess
import sys
import tempfile
import threading
import time
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, repeat
from pathlib import Path
from typing import Any, overload

from ccfs_tui.core.child_env import child_environment
from ccfs_tui.core.index import (
    MAX_PROBLEMS_PER_FILE,
    NCOLS,
    TEXT_COMMA,
    TEXT_NEWLINE,
    IndexChunk,
    IndexProblem,
    RowBatch,
    Span,
    iter_index,
    iter_spans,
    natural_key,
    parse_time,
    recording_from_row,
    split_index,
)
from ccfs_tui.core.recording import COLUMNS, Recording

SEGMENT_ROWS = 1 << 14
"""Blocks smaller than this take the next rows in (a copy); bigger ones are closed."""
NO_VDN = "(no VDN)"
NO_AGENT = "(no agent)"

_AGENT, _CALL, _CALLER, _CALLEE, _FILE, _ORIG = (
    COLUMNS.index(c)
    for c in ("agent_id", "call_id", "caller_no", "callee_no", "file_name", "original_file_name")
)
_BEGIN, _VDN = COLUMNS.index("call_begin"), COLUMNS.index("vdn_id")
_STEP = NCOLS - 1  # field c (1-16) of every row is split_text()[c::_STEP]
_SEARCH_COLUMNS = (_CALL, _CALLER, _CALLEE, _FILE, _ORIG)
"""Searched as text; agent_id is searched through its codes (a plain term matches it too)."""
_TEXT_SCOPES = {"caller": _CALLER, "callee": _CALLEE, "call": _CALL}
_GROUP_SCOPES = {"agent": "agent", "vdn": "vdn", "date": "day", "day": "day"}
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
_CONTROL = dict.fromkeys(range(32))
_BAD_TEXT = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f{TEXT_COMMA}{TEXT_NEWLINE}]")
_CACHE_BYTES = 32 << 20
_FEW_ROWS = 4096  # leaves() of a filter this narrow sorts its rows, not their whole group
_FOLDED_AWAY = bytes(b for b in range(256) if not (65 <= b <= 90 or b == 92))  # keeps A-Z, "\"
_FOLD_ASCII = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ\\", b"abcdefghijklmnopqrstuvwxyz/")
_NOT_MARK = bytes(b for b in range(256) if b not in (0, 10))  # all but NUL (a hit) and "\n"
_NEWLINE_TO_ZERO = bytes.maketrans(b"\n", b"\x00")


# =========================================================================== finding bytes
Finder = Callable[[bytes, int], int]
"""``finder(needle, start)``: where ``needle`` is in one haystack from ``start`` on, or -1."""


def _libc_memmem() -> Callable[[bytes], Finder] | None:
    """Finders on libc's ``memmem`` (it releases the GIL and runs at memory speed, where
    ``bytes.find`` crawls over digits), or None where there is no such function."""
    try:
        memmem = ctypes.CDLL(ctypes.util.find_library("c") or None).memmem
    except (OSError, AttributeError, TypeError):
        return None
    memmem.restype = ctypes.c_void_p
    memmem.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t)

    def finder(haystack: bytes) -> Finder:
        pointer = ctypes.c_char_p(haystack)  # points into the bytes object; keeps it alive
        base = ctypes.cast(pointer, ctypes.c_void_p).value or 0
        end = len(haystack)

        def find(needle: bytes, start: int = 0) -> int:
            if end - start < len(needle):
                return -1
            hit = memmem(base + start, end - start, needle, len(needle))
            return -1 if hit is None else hit - base

        find.keep = pointer  # type: ignore[attr-defined]
        return find

    try:
        probe = finder(b"abcabd")
        if probe(b"abd", 1) != 3 or probe(b"x", 0) != -1 or probe(b"abcabdx", 0) != -1:
            return None
    except (ctypes.ArgumentError, OSError):  # pragma: no cover - exotic platforms
        return None
    return finder


_memmem = _libc_memmem()


def _finder(haystack: bytes) -> Finder:
    """``haystack.find``, at memory speed where libc has ``memmem``."""
    if _memmem is None:
        return haystack.find
    return _memmem(haystack)


# =========================================================================== queries
@dataclass(frozen=True, slots=True)
class _Term:
    """One query term, normalised. ``kind`` "text" searches text (``column`` None: every
    searched field), the others test group keys."""

    kind: str  # "text" | "agent" | "vdn" | "day"
    value: str
    prefix: bool = False
    column: int | None = None

    def needle(self) -> bytes:
        """The folded value as stored bytes (a comma in a value is stored escaped)."""
        core = self.value.replace(",", TEXT_COMMA).encode("utf-8")
        return b"\n" + core if self.prefix else core

    def covers(self, other: _Term) -> bool:
        """True when every row matching ``other`` also matches self (a shorter term)."""
        if (self.kind, self.prefix, self.column) != (other.kind, other.prefix, other.column):
            return False
        if self.prefix:
            return other.value.startswith(self.value)
        return self.value in other.value


def parse_query(query: str) -> list[_Term]:
    """The terms of ``query``, cheapest to evaluate first (see the module docstring)."""
    terms: list[_Term] = []
    for raw in query.split():
        word = raw.translate(_CONTROL)
        scope, colon, rest = word.partition(":")
        key = scope.casefold()
        if colon and key in _GROUP_SCOPES:
            if rest:
                kind = _GROUP_SCOPES[key]
                terms.append(_Term(kind, rest.casefold() if kind != "day" else rest, prefix=True))
            continue
        if colon and key in _TEXT_SCOPES:
            if rest:
                terms.append(_Term("text", _fold_text(rest), True, _TEXT_SCOPES[key]))
            continue
        if _DAY.fullmatch(word):
            terms.append(_Term("day", word))
        elif _MONTH.fullmatch(word):
            terms.append(_Term("day", word, prefix=True))
        elif word:
            terms.append(_Term("text", _fold_text(word)))
    unique = list(dict.fromkeys(terms))
    unique.sort(key=lambda t: (t.kind == "text", -len(t.value)))
    return unique


def _fold_text(text: str) -> str:
    """How a query and the searched values compare: lower case, ``\\`` as ``/``."""
    return text.lower().replace("\\", "/")


def _fold(blob: bytes) -> bytes:
    """:func:`_fold_text` of UTF-8 ``blob`` (the same object when nothing changes)."""
    if blob.isascii():
        return blob.translate(_FOLD_ASCII) if blob.translate(None, _FOLDED_AWAY) else blob
    return _fold_text(blob.decode("utf-8")).encode("utf-8")


def _matches(name: str, term: _Term) -> bool:
    """Does a VDN id, agent id or day match a group term (or an agent id a text term)?"""
    if term.kind == "text":
        return term.value in _fold_text(name)
    if term.kind != "day":
        name = name.casefold()
    return name.startswith(term.value) if term.prefix else name == term.value


# =========================================================================== text search
def _column_mask(blob: bytes, rows: int, needle: bytes, prefix: bool) -> bytes | None:
    """Per row 1/0: does the row's value in search column ``blob`` hold ``needle`` (start
    with it, for a ``prefix`` needle, which begins with the newline before the value)?
    None when no row does."""
    found = _column_hits(blob, rows, needle, prefix)
    if isinstance(found, list):
        return _Marks(rows, found).mask()
    return found


def _column_hits(
    blob: bytes, rows: int, needle: bytes, prefix: bool, starts: Sequence[int] | None = None
) -> list[int] | bytes | None:
    """:func:`_column_mask`, or the rows that match when they are few (ascending).
    ``starts`` (where each row's newline is, and the last one), when known, turns a hit into
    its row without counting newlines."""
    seek = _finder(blob)
    at = seek(needle, 0)
    if at < 0:
        return None
    # A hit costs a few µs here (a call to find the next, its row); marking in bulk costs
    # about 1.5 ns a byte: past one hit per 4 KiB, bulk wins.
    limit = 16 + (len(blob) >> 12)
    probe = min(len(blob), at + 8192)
    near = blob.count(needle, at, probe)
    if near * (len(blob) - at) > limit * (probe - at):
        return _dense_column_mask(blob, rows, needle, prefix)
    if near > 2:
        seek = blob.find  # hits are close: bytes.find skips the ctypes call
    hits: list[int] = []
    if starts is not None:
        while at >= 0:
            row = bisect.bisect_right(starts, at) - 1
            hits.append(row)
            if len(hits) > limit:
                return _dense_column_mask(blob, rows, needle, prefix)
            at = seek(needle, starts[row + 1])
    else:
        shift = 1 if prefix else 0
        newlines, counted = 0, 0
        count, find = blob.count, blob.find
        while at >= 0:
            where = at + shift
            newlines += count(b"\n", counted, where)
            counted = where
            hits.append(newlines - 1)
            if len(hits) > limit:
                return _dense_column_mask(blob, rows, needle, prefix)
            at = seek(needle, find(b"\n", where))
    return hits


class _Marks:
    """The rows of a block that match one of several searches: few rows as their numbers,
    many as masks, OR-ed once (a mask to and from an int costs about 10 µs)."""

    __slots__ = ("dense", "rows", "size")

    def __init__(self, size: int, rows: list[int] | None = None) -> None:
        self.size = size
        self.rows: list[int] = rows or []
        self.dense: list[bytes] = []

    def add(self, found: list[int] | bytes | None) -> None:
        if isinstance(found, list):
            self.rows.extend(found)
        elif found is not None:
            self.dense.append(found)

    def mask(self) -> bytes | None:
        """1/0 per row (None: no row)."""
        dense = self.dense
        if len(dense) > 1:
            both = 0
            for mask in dense:
                both |= int.from_bytes(mask, "little")
            dense = [both.to_bytes(self.size, "little")]
        if not self.rows:
            return dense[0] if dense else None
        out = bytearray(dense[0] if dense else self.size)
        for row in self.rows:
            out[row] = 1
        return bytes(out)


def _dense_column_mask(blob: bytes, rows: int, needle: bytes, prefix: bool) -> bytes | None:
    """:func:`_column_mask` in bulk: every hit becomes NULs, everything but NULs and newlines
    goes, and each row's ``NUL... \\n`` / ``\\n`` becomes one 1 / 0 byte."""
    if len(needle) == 1:
        marks = blob.translate(bytes.maketrans(needle, b"\x00"), _NOT_MARK.replace(needle, b""))
    else:  # a hit leaves one NUL (after its newline, for a prefix); the filler goes
        mark = b"\n\x00" if prefix else b"\x00"
        blank = mark + b"\x01" * (len(needle) - len(mark))
        marks = blob.replace(needle, blank).translate(None, _NOT_MARK)
    mask = marks[1:].replace(b"\x00\n", b"\x01").translate(_NEWLINE_TO_ZERO, b"\x00")
    if len(mask) != rows:  # cannot happen with stored rows
        raise ValueError("stored rows and their count disagree")
    return mask if b"\x01" in mask else None


# =========================================================================== group keys
_HIGH_NIBBLE = bytes.maketrans(b"0123456789", bytes(range(0, 160, 16)))
_LOW_NIBBLE = bytes.maketrans(b"0123456789", bytes(range(10)))
_WIDE = 1 << 63  # group keys made without the bit fields below
_VDN_BITS, _AGENT_BITS = 15, 16


def _day_lanes(lanes: bytes, count: int) -> int:
    """The call_begin day of each row as BCD (``2026-10-03`` -> 0x20261003), as one big int
    of 8-byte little-endian lanes (numeric order of the lanes is date order), from the
    rows' call_begin values each followed by ``\n`` (:meth:`RowBatch.begin_times`)."""
    if len(lanes) != 20 * count:
        raise ValueError("call_begin values must be YYYY-MM-DD hh:mm:ss")
    out = bytearray(8 * count)
    for byte, (high, low) in enumerate(((8, 9), (5, 6), (2, 3), (0, 1))):
        tens = int.from_bytes(lanes[high::20].translate(_HIGH_NIBBLE), "little")
        ones = int.from_bytes(lanes[low::20].translate(_LOW_NIBBLE), "little")
        out[byte::8] = (tens | ones).to_bytes(count, "little")
    return int.from_bytes(out, "little")


def _lanes(values: Sequence[int]) -> int:
    """``values`` as one big int of 8-byte little-endian lanes."""
    packed = array("Q", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return int.from_bytes(packed.tobytes(), "little")


def _unlanes(value: int, count: int) -> array[int]:
    out = array("Q")
    out.frombytes(value.to_bytes(8 * count, "little"))
    if sys.byteorder == "big":
        out.byteswap()
    return out


def _day_text(bcd: int) -> str:
    digits = f"{bcd:08x}"
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"


def _name_of(value: bytes) -> str:
    text = value.decode("utf-8")
    if TEXT_COMMA in text or TEXT_NEWLINE in text:
        text = text.replace(TEXT_COMMA, ",").replace(TEXT_NEWLINE, "\n")
    return text


@functools.lru_cache(maxsize=4096)
def _member_table(values: frozenset[int]) -> bytes:
    table = bytearray(256)
    for value in values:
        table[value] = 1
    return bytes(table)


def _lanes_in(
    raw: bytes,
    offset: int,
    width: int,
    values: set[int] | frozenset[int],
    strided: dict[int, bytes],
) -> int:
    """Per 8-byte lane of ``raw``, 1 where the little-endian field of ``width`` bytes at
    ``offset`` is one of ``values`` (a big int of 1-byte lanes): one translate per byte
    value."""
    top = offset + width - 1
    column = strided.get(top)
    if column is None:
        column = strided[top] = raw[top::8]
    if width == 1:
        return int.from_bytes(column.translate(_member_table(frozenset(values))), "little")
    shift = 8 * (width - 1)
    by_top: dict[int, set[int]] = {}
    for value in values:
        by_top.setdefault(value >> shift, set()).add(value & ((1 << shift) - 1))
    if len(by_top) > 1 and all(len(rest) == 1 << shift for rest in by_top.values()):
        return _lanes_in(raw, top, 1, set(by_top), strided)  # the top byte decides
    hit = 0
    for high, rest in by_top.items():
        match = int.from_bytes(column.translate(_member_table(frozenset({high}))), "little")
        if match:
            hit |= match & _lanes_in(raw, offset, width - 1, rest, strided)
    return hit


def _starts(values: list[bytes]) -> array[int]:
    """Where each value's newline is in ``b"\\n".join(["", *values, ""])``, and the last one."""
    return array("I", accumulate(map((1).__add__, map(len, values)), initial=0))


@dataclass(frozen=True, slots=True)
class _Split:
    """A search column of a block, remade once loaded so that it is searched quicker.

    What many rows share is found once: the shared parts (``heads``) are a small dictionary
    with one code a row (1-255, 0: none); for numbers a whole value that repeats (a
    hotline), for file names a folder that repeats (one agent's day). ``rest`` is a search
    column of the rest of each row's value: empty after a shared number, the base name after
    a shared folder, the whole value otherwise; with ``starts`` (see :func:`_starts`), a hit
    is a row at once. A folder keeps its trailing ``/`` and a base name holds none, so a
    needle without ``/`` that is in a value is in its head or in its rest; a needle with
    one searches the whole column.
    """

    heads: bytes  # the shared parts as a search column: "\n" + each + "\n"
    count: int  # shared parts
    codes: bytes  # per row 0 or 1 + the index of its shared part (b"" when none)
    rest: bytes  # per row the rest, as a search column
    starts: array[int]  # :func:`_starts` of ``rest``
    folders: bool  # heads are folders (a needle with "/" is not answered)

    @classmethod
    def of(cls, column: bytes, rows: int, kind: str) -> _Split:
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
            return cls(b"\n\n", 0, b"", column, _starts(values), folders)
        index = dict(zip(shared, range(1, len(shared) + 1), strict=True))
        codes = bytes(map(index.get, heads, repeat(0, rows)))
        if folders:
            pairs = zip(parts, codes, values, strict=True)
            rest = [part[2] if code else value for part, code, value in pairs]
        else:
            rest = [b"" if code else value for code, value in zip(codes, values, strict=True)]
        blob = b"\n".join([b"", *rest, b""])
        dictionary = b"\n".join([b"", *shared, b""])
        return cls(dictionary, len(shared), codes, blob, _starts(rest), folders)

    def search(self, marks: _Marks, needle: bytes, prefix: bool) -> bool:
        """Add the rows holding ``needle`` (:func:`_column_mask`) from the two parts; False
        when this split cannot answer (a needle with ``/`` in file names)."""
        if self.folders and b"/" in needle:
            return False
        if self.count:
            hit = _column_mask(self.heads, self.count, needle, prefix)
            if hit is not None:
                marks.add(self.codes.translate(b"\x00" + hit.ljust(255, b"\x00")))
        marks.add(_column_hits(self.rest, marks.size, needle, prefix, self.starts))
        return True


_SPLITS = {_CALL: "", _CALLER: "value", _CALLEE: "value", _FILE: "folder", _ORIG: "folder"}
_SPLIT_KINDS = tuple(_SPLITS[column] for column in _SEARCH_COLUMNS)
"""What each search column shares, for :class:`_Split`: numbers repeat (hotlines, regulars),
file names share their folders, call ids share nothing."""


def _marked(mask: bytes, first: int) -> Iterable[int]:
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


def _and(a: bytes, b: bytes) -> bytes | None:
    both = int.from_bytes(a, "little") & int.from_bytes(b, "little")
    return both.to_bytes(len(a), "little") if both else None


# =========================================================================== blocks
class _Block:
    """Rows ``start`` .. ``start + rows - 1``; never changed once made (see the module doc)."""

    __slots__ = (
        "_offsets",
        "_ones",
        "_vdn_plane",
        "columns",
        "counts",
        "crlf",
        "keys",
        "rows",
        "start",
        "text",
        "values",
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
        self._vdn_plane: bytes | None = None
        self.values: dict[int, _Split] = {}
        """Splits of search columns (by position), added once made: replaced whole."""

    def joined(self, other: _Block) -> _Block:
        """This block followed by ``other`` (a copy)."""
        keys = array("Q", self.keys)
        keys.extend(other.keys)
        crlf = self.crlf and other.crlf
        texts = [
            b.text.translate(None, b"\r") if b.crlf and not crlf else b.text for b in (self, other)
        ]
        return _Block(
            self.start,
            self.rows + other.rows,
            b"".join(texts),
            crlf,
            tuple(a + b[1:] for a, b in zip(self.columns, other.columns, strict=True)),
            keys,
            self.counts + other.counts,
        )

    def vdn_plane(self) -> bytes:
        """One byte a row: its VDN code + 1 (for codes up to 254; made on first use)."""
        if self._vdn_plane is None:
            keys = self.keys
            if sys.byteorder == "big":
                keys = array("Q", keys)
                keys.byteswap()
            self._vdn_plane = keys.tobytes()[6::8].translate(_PLUS_ONE)
        return self._vdn_plane

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
class _Layout:
    """What readers see: published by the writer in one assignment."""

    blocks: tuple[_Block, ...] = ()
    starts: tuple[int, ...] = ()
    rows: int = 0
    counts: Counter[int] | None = None  # rows per group key (None: empty)

    def block_of(self, row_id: int) -> _Block:
        return self.blocks[bisect.bisect_right(self.starts, row_id) - 1]


# =========================================================================== selections
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
        parts: list[tuple[_Block, bytes]],
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
                if key & _WIDE:
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
                else:  # the plane holds code + 1: unselected rows become 0
                    chosen = int.from_bytes(block.vdn_plane(), "little") & int.from_bytes(
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
            yield from _marked(mask, block.start)

    def ids_between(self, low: int, high: int) -> list[int]:
        """The selected ids in ``[low, high)``."""
        out: list[int] = []
        for block, mask in self.parts:
            start, end = max(low, block.start), min(high, block.start + block.rows)
            if start < end:
                out.extend(_marked(mask[start - block.start : end - block.start], start))
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


_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")
_ONE_TO_FF = bytes.maketrans(b"\x01", b"\xff")
_PLUS_ONE = bytes((i + 1) % 256 for i in range(256))


# =========================================================================== group codes
class _Codes:
    """VDN and agent ids as small codes, and the 64-bit group keys made of them."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[dict[bytes, int], list[str]]] = {
            "vdn": ({}, []),
            "agent": ({}, []),
        }
        self.raw: dict[str, list[bytes]] = {"vdn": [], "agent": []}  # code -> value as stored
        self.pairs: tuple[dict[tuple[int, int], int], list[tuple[int, int]]] = ({}, [])
        self.wide = False

    def encode(self, kind: str, values: list[bytes]) -> list[int]:
        """The code of each value (new values get the next codes)."""
        index, names = self.values[kind]
        codes = list(map(index.get, values))
        if None in codes:
            raw = self.raw[kind]
            for value in dict.fromkeys(values):
                if value not in index:
                    names.append(_name_of(value))
                    raw.append(value)
                    index[value] = len(names) - 1
            codes = list(map(index.__getitem__, values))
        return codes  # type: ignore[return-value]

    def key(self, vdn: int, agent: int, day: int) -> int:
        """The group key of codes ``vdn`` and ``agent`` and a BCD ``day``."""
        if vdn < 1 << _VDN_BITS and agent < 1 << _AGENT_BITS:
            return vdn << 48 | agent << 32 | day
        index, pairs = self.pairs
        pair = index.get((vdn, agent))
        if pair is None:
            pairs.append((vdn, agent))
            pair = index[vdn, agent] = len(pairs) - 1
        return _WIDE | pair << 32 | day

    def keys(self, split: list[bytes], count: int, begins: bytes) -> array[int]:
        """The group key of every row of a comma-split text (``begins``: its begin lanes)."""
        days = _day_lanes(begins, count)
        vdns = self.encode("vdn", split[_VDN::_STEP])
        agents = self.encode("agent", split[_AGENT::_STEP])
        vdn_names, agent_names = self.values["vdn"][1], self.values["agent"][1]
        if len(vdn_names) <= 1 << _VDN_BITS and len(agent_names) <= 1 << _AGENT_BITS:
            return _unlanes(_lanes(vdns) << 48 | _lanes(agents) << 32 | days, count)
        self.wide = True  # absurdly many VDNs or agents: slower, same keys for known pairs
        return array("Q", map(self.key, vdns, agents, _unlanes(days, count)))


def _prepare(
    codes: _Codes, count: int, split: list[bytes], begins: bytes
) -> tuple[tuple[bytes, ...], array[int], Counter[int]]:
    """A block's search columns, group keys and key counts from its comma-split text."""
    columns = []
    for column in _SEARCH_COLUMNS:
        values = split[column::_STEP]
        values.append(b"")
        values.insert(0, b"")
        columns.append(_fold(b"\n".join(values)))
    keys = codes.keys(split, count, begins)
    return tuple(columns), keys, Counter(keys)


class _CodeMap:
    """A helper's codes -> the store's (the helper numbers VDNs and agents on its own)."""

    def __init__(self, codes: _Codes) -> None:
        self.codes = codes
        self.maps: dict[str, list[int]] = {"vdn": [], "agent": []}

    def learn(self, frame: dict[str, Any]) -> None:
        for kind in ("vdn", "agent"):
            new = frame[f"{kind}_new"]
            if new:
                self.maps[kind].extend(self.codes.encode(kind, new))

    def key(self, key: int) -> int:
        if key & _WIDE:
            raise ValueError("a load helper sent a wide group key")
        vdn, agent = self.maps["vdn"][key >> 48], self.maps["agent"][(key >> 32) & 0xFFFF]
        return self.codes.key(vdn, agent, key & 0xFFFFFFFF)


# =========================================================================== the store
class RecordingStore:
    """Every loaded recording, by row id (0..len-1 in load order)."""

    def __init__(self) -> None:
        self._layout = _Layout()
        self._lock = threading.Lock()
        self._codes = _Codes()
        self._values = self._codes.values
        self._pairs = self._codes.pairs
        self._names: dict[int, tuple[str, str, str]] = {}  # group key -> (vdn, day, agent)
        self._days: dict[int, str] = {}
        self._ordered: dict[int, tuple[int, list[int]]] = {}
        self._masks: OrderedDict[tuple[_Term, int], tuple[_Block, bytes | None]] = OrderedDict()
        self._mask_bytes = 0
        self._recent: list[_Term] = []
        self._wanted: dict[_Term, tuple[int, set[int]]] = {}  # group term -> codes / days
        self._day_codes: tuple[int, set[int]] = (0, set())
        self._views: OrderedDict[int, _View] = OrderedDict()
        self._searching = 0  # searches running now (any thread)
        self._last_query = ""
        self._quiet_until = 0.0  # monotonic: background work waits till then (a new query)
        self._typing_until = 0.0  # monotonic: ... and till then (keys being handled)

    # ------------------------------------------------------------------ loading
    def extend_rows(self, rows: Iterable[Sequence[str]]) -> None:
        """Append validated 18-field rows as ids ``len(self)`` on.

        A ``RowBatch`` from index_reader is taken as validated (and is fastest); other rows
        are checked first: ValueError, and nothing added, for a wrong field count, a bad
        call_begin/call_end or a control character. One thread at a time may append; any
        thread may read meanwhile.
        """
        batch = rows if isinstance(rows, RowBatch) else _checked(rows)
        count = len(batch)
        if not count:
            return
        split = batch.split_text()
        batch.drop_split()
        columns, keys, counts = _prepare(self._codes, count, split, batch.begin_times(split))
        del split
        self._append(count, *batch.raw_text(), columns, keys, counts)

    def _append(
        self,
        count: int,
        text: bytes,
        crlf: bool,
        columns: tuple[bytes, ...],
        keys: array[int],
        counts: Counter[int],
    ) -> None:
        """Publish a new block (merged into the last one while that is small)."""
        layout = self._layout
        block = _Block(layout.rows, count, text, crlf, columns, keys, counts)
        totals = counts if layout.counts is None else layout.counts + counts
        blocks, starts = list(layout.blocks), list(layout.starts)
        if blocks and blocks[-1].rows < SEGMENT_ROWS:
            block = blocks.pop().joined(block)
            starts.pop()
        blocks.append(block)
        starts.append(block.start)
        self._layout = _Layout(tuple(blocks), tuple(starts), layout.rows + count, totals)

    def _extend_prepared(self, frame: dict[str, Any], codes: _CodeMap) -> None:
        """Append rows a load helper prepared with its own codes (see :func:`load_index`)."""
        codes.learn(frame)
        child = array("Q")
        child.frombytes(frame["keys"])
        if sys.byteorder == "big":
            child.byteswap()
        table = {key: codes.key(key) for key in frame["counts"]}
        keys = array("Q", map(table.__getitem__, child))
        counts = Counter({table[key]: n for key, n in frame["counts"].items()})
        self._append(
            frame["count"], frame["text"], frame["crlf"], frame["columns"], keys, counts
        )

    @property
    def _wide_keys(self) -> bool:
        return self._codes.wide

    def _encode(self, kind: str, values: list[bytes]) -> list[int]:
        return self._codes.encode(kind, values)

    def _name(self, key: int) -> tuple[str, str, str]:
        """(vdn, day, agent) of a group key."""
        names = self._names.get(key)
        if names is None:
            if key & _WIDE:
                vdn_code, agent_code = self._codes.pairs[1][(key >> 32) & 0x7FFFFFFF]
            else:
                vdn_code, agent_code = key >> 48, (key >> 32) & 0xFFFF
            bcd = key & 0xFFFFFFFF
            day = self._days.get(bcd)
            if day is None:
                day = self._days[bcd] = _day_text(bcd)
            vdn = self._values["vdn"][1][vdn_code]
            names = self._names[key] = (vdn, day, self._values["agent"][1][agent_code])
        return names

    def _counts(self, layout: _Layout | None = None) -> Counter[int]:
        """Rows per group key over every row (do not modify)."""
        counts = (layout or self._layout).counts
        return counts if counts is not None else Counter()

    def _day_set(self) -> set[int]:
        """Every call_begin day, as BCD."""
        counts = self._counts()
        known = self._day_codes
        if known[0] != len(counts):
            known = self._day_codes = (len(counts), {key & 0xFFFFFFFF for key in counts})
        return known[1]

    # ------------------------------------------------------------------ rows
    def __len__(self) -> int:
        return self._layout.rows

    def all_ids(self) -> Sequence[int]:
        """Every row id, in load order."""
        return range(self._layout.rows)

    def recording(self, row_id: int) -> Recording:
        """The recording of ``row_id`` (built now; IndexError when there is none)."""
        layout = self._layout
        if not 0 <= row_id < layout.rows:
            raise IndexError(f"no row {row_id} (the store holds {layout.rows})")
        block = layout.block_of(row_id)
        line = block.line(row_id - block.start).decode("utf-8")
        values = line.split(",")
        if TEXT_COMMA in line or TEXT_NEWLINE in line:
            values = [v.replace(TEXT_COMMA, ",").replace(TEXT_NEWLINE, "\n") for v in values]
        return recording_from_row(values)

    def days(self) -> list[str]:
        """Every call_begin day (``YYYY-MM-DD``), in order."""
        return [_day_text(bcd) for bcd in sorted(self._day_set())]

    # ------------------------------------------------------------------ filtering
    def filter(self, query: str, ids: Sequence[int] | None = None) -> Sequence[int]:
        """Ascending ids (of ``ids``, default all) of the rows matching ``query``.

        For the whole store the answer is a :class:`Selection` (a sequence).
        """
        rows = self._layout.rows
        whole = ids is None or (
            isinstance(ids, range) and ids.step == 1 and ids.start <= 0 and ids.stop >= rows
        )
        if not parse_query(query):
            if whole:
                return range(rows)
            if isinstance(ids, range) and ids.step == 1:
                return range(max(ids.start, 0), min(ids.stop, rows))
            return sorted({i for i in ids or () if 0 <= i < rows})
        selection = self.select(query)
        assert selection is not None
        if whole:
            return selection
        if isinstance(ids, range) and ids.step == 1:
            return selection.ids_between(max(ids.start, 0), min(ids.stop, rows))
        return sorted({i for i in ids or () if i in selection})

    def select(
        self, query: str, cancelled: Callable[[], bool] | None = None
    ) -> Selection | None:
        """The rows matching ``query``, searched block by block; None when ``cancelled()``
        turns true between two blocks. The counts of the tree's top level are made here
        too; the full group counts when first needed (:meth:`Selection.counts`).

        Background work on the store waits meanwhile, and for :data:`SEARCH_QUIET` seconds
        after a query that differs from the last one (see :meth:`yield_to_searches`)."""
        with self._lock:
            self._searching += 1
        try:
            return self._select(query, cancelled)
        finally:
            with self._lock:
                self._searching -= 1
                if query != self._last_query:
                    self._last_query = query
                    self._quiet_until = time.monotonic() + SEARCH_QUIET

    def typing(self) -> None:
        """The user typed a key: background work on the store (loader, column split) waits
        :data:`TYPING_QUIET` seconds from now (see :meth:`yield_to_searches`): handling a
        burst of keys takes several turns of the event loop, each of which would otherwise
        wait for the GIL."""
        self._typing_until = time.monotonic() + TYPING_QUIET

    def yield_to_searches(
        self,
        cancelled: Callable[[], bool] = lambda: False,
        longest: float | None = None,
        after: bool = True,
    ) -> None:
        """Called by background work on the store (the loader, the column split) between two
        steps: waits while a search runs, or for :data:`SEARCH_QUIET` seconds after a new
        query (not with ``after`` false), at most ``longest`` seconds (default
        :data:`QUIET_MAX_WAIT`): the work goes on, a step at a time, under a user who keeps
        typing.

        Why: such work holds the GIL almost all the time, and a filter answer needs many
        hand-offs of it (terminal input thread, event loop, filter thread, screen writer),
        each waiting up to the 5 ms switch interval. Measured in tmux at 1M rows: queries
        typed right after the load (while the columns are split) p50 391 / p95 994 ms, with
        this wait 315 / 650 ms (see :data:`LOAD_MAX_WAIT` for the load)."""
        deadline = time.monotonic() + (QUIET_MAX_WAIT if longest is None else longest)
        while not cancelled():
            now = time.monotonic()
            waiting = self._searching or now < self._typing_until
            if now >= deadline or not (waiting or (after and now < self._quiet_until)):
                return
            time.sleep(0.005)

    def _select(
        self, query: str, cancelled: Callable[[], bool] | None = None
    ) -> Selection | None:
        layout = self._layout
        terms = parse_query(query)
        parts: list[tuple[_Block, bytes]] = []
        for block in layout.blocks:  # (two threads were tried: no quicker, memory-bound)
            if cancelled is not None and cancelled():
                return None
            mask: bytes | None = block.ones()
            for term in terms:
                found = self._term_mask(term, block)
                if found is None or mask is None:
                    mask = None
                    break
                mask = found if mask is block.ones() else _and(mask, found)
            if mask is not None:
                parts.append((block, mask))
        counts = None
        if terms and all(term.kind != "text" for term in terms) and not self._wide_keys:
            counts = self._group_counts(terms, layout)
        selection = Selection(query, layout.rows, parts, counts)
        if selection.vdn_counts() is None:  # the tree's top level needs one or the other
            selection.counts()
        return selection

    def _term_mask(self, term: _Term, block: _Block) -> bytes | None:
        """1/0 per row of ``block``: does ``term`` match (cached per term and block)?"""
        key = (term, id(block))
        with self._lock:
            cached = self._masks.get(key)
            if cached is not None and cached[0] is block:
                self._masks.move_to_end(key)
                return cached[1]
            weaker = [
                hit[1]
                for t in self._recent
                if t.covers(term) and (hit := self._masks.get((t, id(block)))) is not None
                and hit[0] is block
            ]
        if any(mask is None for mask in weaker):
            self._remember(term, block, None)  # a shorter term had no hit here
            return None
        # A column scan costs about the same on any rows (memmem when hits are few), so a
        # shorter term's hits only matter where it had none.
        if term.kind == "text":
            mask = self._text_mask(term, block)
        else:
            mask = self._group_mask(term, block)
        self._remember(term, block, mask)
        return mask

    def _text_mask(self, term: _Term, block: _Block) -> bytes | None:
        needle = term.needle()
        values = block.values
        positions: Sequence[int] = range(len(block.columns))
        if term.column is not None:
            positions = (_SEARCH_COLUMNS.index(term.column),)
        marks = _Marks(block.rows)
        for position in positions:
            split = values.get(position)
            if split is None or not split.search(marks, needle, term.prefix):
                column = block.columns[position]
                marks.add(_column_hits(column, block.rows, needle, term.prefix))
        if term.column is None and self._wanted_codes(term):
            marks.add(self._group_mask(term, block))
        return marks.mask()

    def _group_mask(self, term: _Term, block: _Block) -> bytes | None:
        """Rows of ``block`` whose VDN, agent or day matches: tests on key bytes."""
        wanted = self._wanted_codes(term)
        if not wanted:
            return None
        kind = "agent" if term.kind == "text" else term.kind
        if kind != "day" and self._wide_keys:
            names = self._values[kind][1]
            matched = {names[code] for code in wanted}
            position = 0 if kind == "vdn" else 2
            chosen = {k for k in block.counts if self._name(k)[position] in matched}
            mask = bytes(map(chosen.__contains__, block.keys))
            return mask if 1 in mask else None
        offset, width = {"day": (0, 4), "agent": (4, 2), "vdn": (6, 2)}[kind]
        shift = 8 * offset
        limit = (1 << 8 * width) - 1
        present = {(key >> shift) & limit for key in block.counts}
        if not present & wanted:
            return None
        if present <= wanted:
            return block.ones()
        keys = block.keys
        if sys.byteorder == "big":
            keys = array("Q", keys)
            keys.byteswap()
        hit = _lanes_in(keys.tobytes(), offset, width, present & wanted, {})
        return hit.to_bytes(block.rows, "little") if hit else None

    def _group_counts(self, terms: list[_Term], layout: _Layout) -> Counter[int]:
        """Rows per group key of a query of group terms only: straight from the key counts."""
        tests = []
        for term in terms:
            offset = {"day": 0, "agent": 4, "vdn": 6}[term.kind]
            limit = 0xFFFFFFFF if term.kind == "day" else 0xFFFF
            tests.append((8 * offset, limit, self._wanted_codes(term)))
        counts: Counter[int] = Counter()
        for key, n in self._counts(layout).items():
            if all((key >> shift) & limit in wanted for shift, limit, wanted in tests):
                counts[key] = n
        return counts

    def _wanted_codes(self, term: _Term) -> set[int]:
        """VDN / agent codes, or BCD days, that a group term matches (cached per term); for
        a plain text term, the agent codes whose id holds it."""
        if term.kind == "day":
            seen = self._day_set()
            with self._lock:
                known = self._wanted.get(term)
            if known is None or known[0] != len(seen):
                days = {bcd for bcd in seen if _matches(_day_text(bcd), term)}
                known = (len(seen), days)
        else:
            names = self._values["agent" if term.kind == "text" else term.kind][1]
            size = len(names)
            with self._lock:
                known = self._wanted.get(term)
            if known is None or known[0] != size:
                codes = {code for code in range(size) if _matches(names[code], term)}
                known = (size, codes)
        with self._lock:
            self._wanted[term] = known
            while len(self._wanted) > 64:
                del self._wanted[next(iter(self._wanted))]
        return known[1]

    def _remember(self, term: _Term, block: _Block, mask: bytes | None) -> None:
        key = (term, id(block))
        with self._lock:
            old = self._masks.pop(key, None)
            if old is not None and old[1] is not None:
                self._mask_bytes -= len(old[1])
            self._masks[key] = (block, mask)
            if mask is not None:
                self._mask_bytes += len(mask)
            while self._mask_bytes > _CACHE_BYTES and self._masks:
                _, (_, dropped) = self._masks.popitem(last=False)
                if dropped is not None:
                    self._mask_bytes -= len(dropped)
            if term.kind == "text" and term not in self._recent:
                self._recent = [term, *self._recent[:15]]

    def index_values(self, cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Split the search columns of every block not split yet, and find its row offsets
        (in the background, once loaded: see :class:`_Split`). Searches use the splits from
        then on; until then they scan the columns. False when ``cancelled()`` stopped it.
        Each step gives way to searches (:meth:`yield_to_searches`)."""
        for block in self._layout.blocks:
            self.yield_to_searches(cancelled)
            block.line(0)  # its row offsets: a recording or a narrow group at once
            for position, kind in enumerate(_SPLIT_KINDS):
                if cancelled():
                    return False
                if position not in block.values:
                    self.yield_to_searches(cancelled)
                    made = _Split.of(block.columns[position], block.rows, kind)
                    block.values = {**block.values, position: made}
        return True

    # ------------------------------------------------------------------ tree
    def children(self, ids: Sequence[int] | None, path: tuple[str, ...]) -> list[tuple[str, int]]:
        """Groups under ``path`` with their row counts among ``ids`` (None: all rows)."""
        if len(path) > 2:
            raise ValueError(f"children() takes a path of 0-2 keys, not {len(path)}")
        view = self._view(ids)
        key = tuple(_unlabel(v, NO_VDN) if i == 0 else v for i, v in enumerate(path))
        cached = view.sorted.get(key)
        if cached is None and not key and isinstance(ids, Selection) and not view.counted:
            vdns = ids.vdn_counts()
            if vdns is not None:
                names = self._values["vdn"][1]
                cached = [(names[code] or NO_VDN, n) for code, n in vdns.items()]
                cached.sort(key=lambda item: natural_key(item[0]))
                view.sorted[key] = cached
        if cached is None:
            counts = view.levels(self._name)[len(key)].get(key, {})
            empty = (NO_VDN, "", NO_AGENT)[len(key)]
            cached = [(name or empty, n) for name, n in counts.items()]
            if len(key) == 1:
                cached.sort()
            else:
                cached.sort(key=lambda item: natural_key(item[0]))
            view.sorted[key] = cached
        return list(cached)

    def leaves(self, ids: Sequence[int] | None, path: tuple[str, ...]) -> list[int]:
        """Row ids of one (vdn, day, agent) group among ``ids`` (None: all), by call_begin."""
        if len(path) != 3:
            raise ValueError(f"leaves() takes a (vdn, day, agent) path, not {path!r}")
        wanted = (_unlabel(path[0], NO_VDN), path[1], _unlabel(path[2], NO_AGENT))
        view = self._view(ids)
        key = view.key_of(wanted, self._name)
        if key is None:
            return []
        inside = view.counts[key]
        layout = self._layout
        if ids is not None and len(ids) <= _FEW_ROWS and inside < self._counts(layout)[key]:
            # A few rows (a narrow filter): sort just them, not their whole group.
            mine = (r for r in ids if 0 <= r < layout.rows and self._key(r, layout) == key)
            return sorted(mine, key=lambda r: (self._begin_text(r, layout), r))
        rows = self._ordered_rows(key)
        if inside == len(rows):
            return list(rows)
        if isinstance(ids, range):
            return [r for r in rows if r in ids]
        if isinstance(ids, Selection):
            return [r for r in rows if r in ids]
        chosen = view.membership(self._layout.rows)
        return [r for r in rows if r < len(chosen) and chosen[r]]

    def _ordered_rows(self, key: int) -> list[int]:
        """Every row of group ``key`` by call_begin (ties in load order), cached."""
        layout = self._layout
        total = self._counts(layout)[key]
        cached = self._ordered.get(key)
        if cached is not None and cached[0] == total:
            return cached[1]
        rows = self._rows_of(key, layout)
        begins = [self._begin_text(row, layout) for row in rows]
        order = sorted(range(len(rows)), key=begins.__getitem__)
        ordered = [rows[i] for i in order]
        self._ordered[key] = (len(ordered), ordered)
        return ordered

    @staticmethod
    def _rows_of(key: int, layout: _Layout) -> list[int]:
        """Row ids of group ``key``, found as the key's 8 bytes in the blocks' keys."""
        needle = key.to_bytes(8, sys.byteorder)
        rows: list[int] = []
        for block in layout.blocks:
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

    @staticmethod
    def _key(row_id: int, layout: _Layout) -> int:
        block = layout.block_of(row_id)
        return block.keys[row_id - block.start]

    @staticmethod
    def _begin_text(row_id: int, layout: _Layout) -> bytes:
        block = layout.block_of(row_id)
        return block.line(row_id - block.start).split(b",", _BEGIN + 1)[_BEGIN]

    def _view(self, ids: Sequence[int] | None) -> _View:
        """Group counts of ``ids`` as a tree, cached per ids object (None: every row)."""
        layout = self._layout
        rows = layout.rows
        whole = ids is None or (
            isinstance(ids, range) and ids.step == 1 and ids.start <= 0 and ids.stop >= rows
        )
        key = -1 if whole else id(ids)
        size = rows if whole else len(ids)  # type: ignore[arg-type]
        view = self._views.get(key)
        if view is not None and view.ids is (None if whole else ids) and view.size == size:
            self._views.move_to_end(key)
            return view
        counts: Callable[[], Counter[int]]
        if whole:
            counts = functools.partial(self._counts, layout)
        elif isinstance(ids, Selection):
            counts = ids.counts
        else:
            assert ids is not None
            counts = functools.partial(_count_rows, ids, layout)
        view = _View(None if whole else ids, size, counts)
        self._views[key] = view
        while len(self._views) > 4:
            self._views.popitem(last=False)
        return view


class _View:
    """Counts of one ids selection: per group key, and per tree level and path."""

    __slots__ = ("_counts", "_keys", "_levels", "_make", "_membership", "ids", "size", "sorted")

    def __init__(
        self, ids: Sequence[int] | None, size: int, counts: Callable[[], Counter[int]]
    ) -> None:
        self.ids = ids
        self.size = size
        self._make = counts
        self._counts: Counter[int] | None = None
        self.sorted: dict[tuple[str, ...], list[tuple[str, int]]] = {}
        self._levels: tuple[dict[tuple[str, ...], dict[str, int]], ...] | None = None
        self._keys: dict[tuple[str, str, str], int] | None = None
        self._membership: bytearray | None = None

    @property
    def counted(self) -> bool:
        """The group counts are made."""
        return self._counts is not None

    @property
    def counts(self) -> Counter[int]:
        """Rows per group key (made on first use)."""
        if self._counts is None:
            self._counts = self._make()
        return self._counts

    def levels(
        self, name: Callable[[int], tuple[str, str, str]]
    ) -> tuple[dict[tuple[str, ...], dict[str, int]], ...]:
        """Per level (VDN, day, agent): parent path -> child name -> rows."""
        if self._levels is None:
            levels: tuple[dict[tuple[str, ...], dict[str, int]], ...] = ({}, {}, {})
            for key, count in self.counts.items():
                if not count:
                    continue
                vdn, day, agent = name(key)
                for level, parent, child in (
                    (0, (), vdn),
                    (1, (vdn,), day),
                    (2, (vdn, day), agent),
                ):
                    below = levels[level].setdefault(parent, {})
                    below[child] = below.get(child, 0) + count
            self._levels = levels
        return self._levels

    def key_of(
        self, path: tuple[str, str, str], name: Callable[[int], tuple[str, str, str]]
    ) -> int | None:
        """The group key of a (vdn, day, agent) path that has rows here."""
        if self._keys is None:
            self._keys = {name(key): key for key, count in self.counts.items() if count}
        return self._keys.get(path)

    def membership(self, rows: int) -> bytearray:
        """1 at each row id in the selection."""
        if self._membership is None or len(self._membership) != rows:
            chosen = bytearray(rows)
            for row in self.ids or ():
                if 0 <= row < rows:
                    chosen[row] = 1
            self._membership = chosen
        return self._membership


def _count_rows(ids: Iterable[int], layout: _Layout) -> Counter[int]:
    counts: Counter[int] = Counter()
    for row in ids:
        if 0 <= row < layout.rows:
            block = layout.block_of(row)
            counts[block.keys[row - block.start]] += 1
    return counts


def _unlabel(value: str, label: str) -> str:
    return "" if value == label else value


def _checked(rows: Iterable[Sequence[str]]) -> RowBatch:
    """Rows from elsewhere than the reader: 18 fields, real times, no control characters."""
    batch = RowBatch.from_rows(rows)
    fields = batch.fields
    for index, value in enumerate(fields):
        if _BAD_TEXT.search(value):
            raise ValueError(f"row {index // NCOLS}: control character in {COLUMNS[index % NCOLS]}")
    for column in (_BEGIN, _BEGIN + 1):
        for row, value in enumerate(fields[column::NCOLS]):
            if parse_time(value) is None:
                raise ValueError(f"row {row}: {COLUMNS[column]} is not a time: {value!r}")
    return batch


# =========================================================================== loading
HELPER_MIN_BYTES = 32 << 20
"""Plain index input from this size on is read by two processes (see :func:`load_index`)."""
HEAD_SHARE = 0.40
"""The share of the bytes read here; the helper reads the rest (this process also draws)."""
HELPER_STALL = 30.0
"""Seconds without a byte from the helper after which it is given up (and killed)."""
SEARCH_QUIET = 0.3
"""Seconds after a search for a new query during which the loader and the column split wait
(:meth:`RecordingStore.yield_to_searches`): the answer is drawn and the next keys are handled
without them taking the GIL."""
TYPING_QUIET = 0.1
"""Seconds after a key during which the loader and the column split wait
(:meth:`RecordingStore.typing`)."""
QUIET_MAX_WAIT = 0.5
"""The longest such wait of the column split before one more step of it."""
LOAD_MAX_WAIT = 0.15
"""The loader's longest wait (a step: a chunk of about 20,000 rows); it waits only while a
search runs, not after it. Measured in tmux at 1M rows with a query typed every ~0.4 s all
through the load: answers p50 462 -> 323 ms, the load 3.4 -> 3.0 s (waiting 0.3 s after each
new query too: answers p50 204 ms, but the load took 10.8 s)."""


@dataclass(slots=True)
class LoadStep:
    """What one step of :func:`load_index` added."""

    rows: int
    problems: list[IndexProblem]
    bytes_done: int
    bytes_total: int


def load_index(
    store: RecordingStore,
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    chunk_size: int = 10_000,
    first_chunk_size: int | None = None,
    helper: bool = True,
    cancelled: Callable[[], bool] = lambda: False,
) -> Generator[LoadStep, None, None]:
    """Read index files into ``store`` (appending), step by step.

    A big plain input (:data:`HELPER_MIN_BYTES`, no gzip/zip) on a machine with a second
    core is cut in two at a line start (:func:`index_reader.split_index`): this process reads
    the head while a helper process (``python -m ccfs_tui.core.store --load-helper``) reads
    the tail and prepares its blocks (columns, group keys with its own codes, key counts);
    its blocks are added once the head is in, its codes mapped to the store's. Problems keep
    their file line numbers. If the helper cannot start or fails, the tail is read here.
    It stops, adding nothing more, as soon as ``cancelled()`` is true; close the iterator
    to stop early too. Either way the helper is killed. Before each step it waits while a
    search runs (:meth:`RecordingStore.yield_to_searches`; the helper process reads on).
    """
    plan = split_index(paths, HEAD_SHARE, HELPER_MIN_BYTES) if helper and _cores() > 1 else None
    if plan is None:
        for chunk in iter_index(paths, chunk_size=chunk_size, first_chunk_size=first_chunk_size):
            store.yield_to_searches(cancelled, LOAD_MAX_WAIT, after=False)
            if cancelled():
                return
            if chunk.rows:
                store.extend_rows(chunk.rows)
            yield LoadStep(len(chunk.rows), chunk.problems, chunk.bytes_done, chunk.bytes_total)
        return
    head, tail = plan
    total = sum(span.stop - span.start for span in head + tail)
    done = sum(span.stop - span.start for span in head)
    job: _Helper | None = None
    started = False
    merge = _ProblemMerge(None if head[-1].whole else head[-1].source)
    try:
        for chunk in iter_spans(
            head, chunk_size=chunk_size, first_chunk_size=first_chunk_size, bytes_total=total
        ):
            store.yield_to_searches(cancelled, LOAD_MAX_WAIT, after=False)
            if cancelled():
                return
            if chunk.rows:
                store.extend_rows(chunk.rows)
            merge.head(chunk)
            yield LoadStep(len(chunk.rows), chunk.problems, chunk.bytes_done, total)
            if not started:  # after the first rows: spawned before them, its start slowed
                started = True  # the first frame (0.34 -> 0.41-0.51 s at 1M rows)
                job = _Helper.start(tail, chunk_size, done, total)
        if not started:
            job = _Helper.start(tail, chunk_size, done, total)
        applied, resume = 0, (0, 1)  # rows from the helper; where its problems stopped
        if job is not None:
            codes = _CodeMap(store._codes)
            for frame in job.frames(cancelled):
                store.yield_to_searches(cancelled, LOAD_MAX_WAIT, after=False)
                if cancelled():
                    return
                if frame["count"]:
                    store._extend_prepared(frame, codes)
                applied += frame["count"]
                resume = (_source_index(tail, frame["source"]), frame["next_line"])
                problems = merge.tail(frame["source"], frame["problems"], frame["problem_count"])
                yield LoadStep(frame["count"], problems, frame["bytes_done"], total)
        if job is not None and not job.ok:
            job.close()  # stuck, failed or cancelled: it goes
        if job is None or not job.ok:  # read the rest here, past what the helper gave
            for chunk in iter_spans(
                tail, chunk_size=chunk_size, bytes_total=total, bytes_before=done
            ):
                store.yield_to_searches(cancelled, LOAD_MAX_WAIT, after=False)
                if cancelled():
                    return
                rows = chunk.rows
                if applied:
                    skip = min(applied, len(rows))
                    rows, applied = rows.slice_rows(skip, len(rows)), applied - skip
                if rows:
                    store.extend_rows(rows)
                where = _source_index(tail, chunk.source)
                fresh = [p for p in chunk.problems if (where, p.line or 1 << 62) >= resume]
                problems = merge.tail(chunk.source, fresh, chunk.problem_count)
                yield LoadStep(len(rows), problems, chunk.bytes_done, total)
        last = merge.finish()
        if last:
            yield LoadStep(0, last, total, total)
    finally:
        if job is not None:
            job.close()


def _source_index(spans: list[Span], source: str) -> int:
    return next((i for i, span in enumerate(spans) if span.source == source), len(spans))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class _ProblemMerge:
    """Problems of the one file that is cut in two: tail line numbers made absolute, and
    at most MAX_PROBLEMS_PER_FILE listed over both parts, then one line counts the rest."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.listed = 0
        self.found = 0
        self.tail_found = 0
        self.first_tail_line = 1

    def head(self, chunk: IndexChunk) -> None:
        if chunk.source == self.source:
            self.listed += len(chunk.problems)
            self.found = chunk.problem_count
            self.first_tail_line = chunk.next_line

    def tail(self, source: str, problems: list[IndexProblem], found: int) -> list[IndexProblem]:
        if source != self.source or self.source is None:
            return problems
        self.tail_found = found
        shift = self.first_tail_line - 1
        room = max(0, MAX_PROBLEMS_PER_FILE - self.listed)
        kept = [
            IndexProblem(p.source, p.line + shift if p.line else 0, p.reason)
            for p in problems[:room]
        ]
        self.listed += len(kept)
        return kept

    def finish(self) -> list[IndexProblem]:
        extra = self.found + self.tail_found - self.listed
        if self.source is None or extra <= 0:
            return []
        return [IndexProblem(self.source, 0, f"{extra:,} more skipped lines not listed")]


class _Helper:
    """The helper process. It writes its frames to an anonymous memory file (a temporary
    file where there is no ``memfd_create``), so it never waits for this process, whose
    GIL is busy reading the head; the frames are read back once the head is in."""

    def __init__(self, process: subprocess.Popen[bytes], fd: int, path: str | None) -> None:
        self.process = process
        self.fd = fd
        self.path = path
        self.ok = False
        self.peak = 0
        """The helper's peak resident memory in bytes (from its last frame; 0 unknown)."""
    @classmethod
    def start(cls, spans: list[Span], chunk_size: int, done: int, total: int) -> _Helper | None:
        if os.name != "posix":
            return None
        path: str | None = None
        try:
            if hasattr(os, "memfd_create"):
                fd = os.memfd_create("ccfs-tui-load", 0)
            else:  # pragma: no cover - macOS and others
                fd, path = tempfile.mkstemp(prefix="ccfs-tui-load-")
        except OSError:
            return None
        root = str(Path(__file__).resolve().parents[2])
        pythonpath = os.environ.get("PYTHONPATH")
        env = {
            **child_environment(),  # no SK in the helper's environment
            "PYTHONPATH": root + (os.pathsep + pythonpath if pythonpath else ""),
        }
        command = [sys.executable, "-m", "ccfs_tui.core.store", "--load-helper"]
        request = {"spans": spans, "chunk_size": chunk_size, "done": done, "total": total}
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env, pass_fds=(fd,),
            )  # fmt: skip
            assert process.stdin is not None
            process.stdin.write(pickle.dumps({**request, "fd": fd}, pickle.HIGHEST_PROTOCOL))
            process.stdin.close()
        except (OSError, ValueError):
            cls._discard(fd, path)
            return None
        return cls(process, fd, path)

    def frames(self, cancelled: Callable[[], bool] = lambda: False) -> Iterator[dict[str, Any]]:
        """The helper's frames as it writes them; :attr:`ok` tells, once they end, whether
        it got through (if not, the caller reads the rest itself). Gives up when
        ``cancelled()`` or when the helper writes nothing for :data:`HELPER_STALL` seconds.

        A frame is 8 bytes of length, a pickled dict, then its big byte strings raw (the
        row text, the search columns, the keys), each read with one copy."""
        position = 0
        seen, moved = 0, time.monotonic()
        while not cancelled():
            size = os.fstat(self.fd).st_size
            frame = self._frame(position, size)
            if frame is not None:
                position = frame.pop("end")
                if frame.get("done") is True:
                    self.ok, self.peak = True, frame.get("peak", 0)
                    return
                if "error" in frame:
                    return
                yield frame
                continue
            if self.process.poll() is not None and os.fstat(self.fd).st_size == size:
                return  # it stopped without saying it was done
            if size != seen:
                seen, moved = size, time.monotonic()
            elif time.monotonic() - moved > HELPER_STALL:
                return  # stuck: the caller kills it and reads the rest itself
            time.sleep(0.002)

    def _frame(self, position: int, size: int) -> dict[str, Any] | None:
        """The frame at ``position`` if all of it is written (``size``), else None."""
        if size < position + 8:
            return None
        length = int.from_bytes(os.pread(self.fd, 8, position), "little")
        start = position + 8 + length
        if size < start:
            return None
        frame: dict[str, Any] = pickle.loads(os.pread(self.fd, length, position + 8))
        lengths = frame.pop("parts", [])
        if size < start + sum(lengths):
            return None
        parts = []
        for part in lengths:
            parts.append(os.pread(self.fd, part, start) if part else b"")
            start += part
        if parts:
            frame["text"], *columns, frame["keys"] = parts
            frame["columns"] = tuple(columns)
        frame["end"] = start
        return frame

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._discard(self.fd, self.path)
        self.fd = -1

    @staticmethod
    def _discard(fd: int, path: str | None) -> None:
        if fd >= 0:
            os.close(fd)
        if path is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)


def _peak_memory() -> int:
    """This process's peak resident memory in bytes (0 where /proc has no answer)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _load_helper_main() -> int:
    """The helper process: read the spans it is sent, write one frame per chunk."""
    request = pickle.load(sys.stdin.buffer)
    out = open(request["fd"], "wb", buffering=1 << 20)  # noqa: SIM115 - closed below
    codes = _Codes()
    sent = {"vdn": 0, "agent": 0}

    def send(frame: dict[str, Any], parts: Sequence[bytes] = ()) -> None:
        frame["parts"] = [len(part) for part in parts]
        data = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(data).to_bytes(8, "little"))
        out.write(data)
        for part in parts:
            out.write(part)

    try:
        for chunk in iter_spans(
            request["spans"],
            chunk_size=request["chunk_size"],
            bytes_total=request["total"],
            bytes_before=request["done"],
        ):
            frame: dict[str, Any] = {
                "count": len(chunk.rows),
                "source": chunk.source,
                "problems": chunk.problems,
                "problem_count": chunk.problem_count,
                "bytes_done": chunk.bytes_done,
                "next_line": chunk.next_line,
            }
            if frame["count"]:
                batch = chunk.rows
                split = batch.split_text()
                batch.drop_split()
                begins = batch.begin_times(split)
                columns, keys, counts = _prepare(codes, len(batch), split, begins)
                del split
                if codes.wide:
                    send({"error": "too many VDNs or agents for a helper"})
                    return 1
                if sys.byteorder == "big":
                    keys.byteswap()
                text, crlf = batch.raw_text()
                frame.update(crlf=crlf, counts=counts)
                parts = [text, *columns, keys.tobytes()]
            else:
                parts = []
            for kind in ("vdn", "agent"):
                frame[f"{kind}_new"] = codes.raw[kind][sent[kind] :]
                sent[kind] = len(codes.raw[kind])
            send(frame, parts)
        send({"done": True, "peak": _peak_memory()})
    except Exception as exc:
        send({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    finally:
        out.close()
    return 0


if __name__ == "__main__" and sys.argv[1:] == ["--load-helper"]:
    raise SystemExit(_load_helper_main())
