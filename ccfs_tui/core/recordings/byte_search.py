"""Finding bytes in a search column: libc ``memmem`` outside the GIL, or bulk marking.

A search column is a block's values of one field, folded (:func:`query.fold`) and joined by
``\\n`` with a newline before the first and after the last, so that a hit's row is the
number of newlines before it. A text term looks for its bytes with libc ``memmem`` where
there is one (it releases the GIL and runs at memory speed; ``bytes.find`` otherwise); when
hits are many, the column is marked in bulk instead (``replace`` + ``translate``: no Python
per hit). An answer is one 0/1 byte per row (a mask) or, while hits are few, their rows.
"""

from __future__ import annotations

import bisect
import ctypes
import ctypes.util
from collections.abc import Callable, Sequence

_NOT_MARK = bytes(b for b in range(256) if b not in (0, 10))  # all but NUL (a hit) and "\n"
_NEWLINE_TO_ZERO = bytes.maketrans(b"\n", b"\x00")

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

    def finder_in(haystack: bytes) -> Finder:
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
        probe = finder_in(b"abcabd")
        if probe(b"abd", 1) != 3 or probe(b"x", 0) != -1 or probe(b"abcabdx", 0) != -1:
            return None
    except (ctypes.ArgumentError, OSError):  # pragma: no cover - exotic platforms
        return None
    return finder_in


_memmem = _libc_memmem()


def finder(haystack: bytes) -> Finder:
    """``haystack.find``, at memory speed where libc has ``memmem``."""
    if _memmem is None:
        return haystack.find
    return _memmem(haystack)


def column_mask(blob: bytes, rows: int, needle: bytes, prefix: bool) -> bytes | None:
    """Per row 1/0: does the row's value in search column ``blob`` hold ``needle`` (start
    with it, for a ``prefix`` needle, which begins with the newline before the value)?
    None when no row does."""
    found = column_hits(blob, rows, needle, prefix)
    if isinstance(found, list):
        return MatchedRows(rows, found).mask()
    return found


def column_hits(
    blob: bytes, rows: int, needle: bytes, prefix: bool, starts: Sequence[int] | None = None
) -> list[int] | bytes | None:
    """:func:`column_mask`, or the rows that match when they are few (ascending).
    ``starts`` (where each row's newline is, and the last one), when known, turns a hit into
    its row without counting newlines."""
    seek = finder(blob)
    at = seek(needle, 0)
    if at < 0:
        return None
    # A hit costs a few µs here (a call to find the next, its row); marking in bulk costs
    # about 1.5 ns a byte: past one hit per 4 KiB, bulk wins.
    limit = 16 + (len(blob) >> 12)
    probe = min(len(blob), at + 8192)
    near = blob.count(needle, at, probe)
    if near * (len(blob) - at) > limit * (probe - at):
        return dense_column_mask(blob, rows, needle, prefix)
    if near > 2:
        seek = blob.find  # hits are close: bytes.find skips the ctypes call
    hits: list[int] = []
    if starts is not None:
        while at >= 0:
            row = bisect.bisect_right(starts, at) - 1
            hits.append(row)
            if len(hits) > limit:
                return dense_column_mask(blob, rows, needle, prefix)
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
                return dense_column_mask(blob, rows, needle, prefix)
            at = seek(needle, find(b"\n", where))
    return hits


class MatchedRows:
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


def dense_column_mask(blob: bytes, rows: int, needle: bytes, prefix: bool) -> bytes | None:
    """:func:`column_mask` in bulk: every hit becomes NULs, everything but NULs and newlines
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
