"""Read CC-FS recording index files: streamed, validated rows, and problems instead of exceptions.

What is read (:func:`iter_index`, several paths are merged in the order given):

* a recording index CSV (``*_record.csv``, ``*_record_2.csv``; any name when passed directly);
* a gzip of one (``*_record*.csv.gz``);
* the zip that downloadBillFile returns: every member whose base name matches
  ``*_record*.csv`` or ``*_record*.csv.gz``, in natural name order (``_record_2`` before
  ``_record_10``). CDR members (``*_call*.csv``) and any other member are ignored; a zip with
  no record member is a problem;
* a folder, recursively: ``*_record*.csv``, ``*_record*.csv.gz`` and ``*.zip`` (names compared
  case-insensitively, natural order, a folder's files before its subfolders). Other files,
  including ``*.csv`` with other names, are ignored: only the names CC-FS gives index files
  are picked up.

Whether a file is plain, gzip or zip is decided by its first bytes, not by its name; a file
named ``.gz`` / ``.zip`` that is not one is reported.

Format (reference section 2): 18 comma-separated columns (:data:`COLUMNS`), RFC 4180 quotes
(commas and newlines inside quotes), CRLF or LF. A header row (a line whose fields equal the
column names, in any case) is skipped wherever it appears, silently. Every field is stripped of
surrounding whitespace. ``call_begin`` and ``call_end`` must be ``YYYY-MM-DD hh:mm:ss`` and a
real date and time; an end before the begin is accepted (the duration clamps to 0).

Encoding is decided per file on its first MiB: UTF-8 (a UTF-8 BOM is dropped) unless that
sample is not UTF-8 and its rows read as GB18030, which Chinese deployments use (see
``_Parser._choose_encoding`` for the vote).
A line the file's encoding cannot decode is tried in the other one and reported only when
neither works. Limitation: in a file taken as GB18030, a UTF-8 line usually also "decodes" as
GB18030 and comes out garbled. UTF-16 files are reported, not read.

Problems (:class:`IndexProblem`, ``file:line: reason``, ``line`` = the physical 1-based line
where the record starts; ``archive.zip!member.csv`` inside zips): a wrong column count, a bad
date (column and value), bytes that are neither UTF-8 nor GB18030, NUL or other control
characters (binary data), a line over 64 KiB (never held in memory whole), an unterminated
quoted field; each such line is skipped and the rest loads. Empty lines are skipped silently.
A missing or unreadable path, something that is not a regular file, an empty file, corrupt
or truncated gzip/zip data and a zip without a record member are problems with line 0.
Nothing here raises for any input bytes. At most :data:`MAX_PROBLEMS_PER_FILE` problems are
listed per file, then one line counts the rest.

Speed: blocks of about one chunk (plain files are read so that a block ends at a line end).
The normal block (ASCII UTF-8, no quotes, tabs or control characters, every line with 17
commas and one space in each time) is checked with one translation and split at its commas
once, with no Python string per field: the times are checked in bulk (byte-level shape and
range checks) and :class:`RowBatch` keeps the text and its comma-split pieces for the store.
A block that is not quite normal is split into fields with ``str.split`` and checked in bulk;
anything unusual sends just that block through ``csv.reader`` line by line. A byte range of
a plain file (:class:`Span`) can be read on its own, so two processes can share a big input
(:func:`split_index`, :func:`iter_spans`).
"""

from __future__ import annotations

import codecs
import csv
import functools
import itertools
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, overload

from ccfs_tui.core.recording import COLUMNS, Recording

NCOLS = len(COLUMNS)
BLOCK_SIZE = 1 << 20
"""Bytes read first; later reads aim at one chunk of rows, within these bounds:"""
MIN_BLOCK_SIZE = 64 * 1024
MAX_BLOCK_SIZE = 4 << 20
MAX_LINE_BYTES = 64 * 1024
"""Longer physical lines are reported and skipped."""
MAX_PROBLEMS_PER_FILE = 1000
"""Problems listed per file; the rest are counted in one last problem."""
RECORD_PATTERNS = ("*_record*.csv", "*_record*.csv.gz")
"""Index file names (case-insensitive), in folders and zips; folders also give ``*.zip``."""

_BEGIN = BEGIN_COLUMN = COLUMNS.index("call_begin")
_END = COLUMNS.index("call_end")
_HEADER = tuple(COLUMNS)
_VALUE_SHOWN = 40
_WINDOW = MAX_LINE_BYTES // 2

# Bytes refused in a line: C0 controls but TAB, LF and CR, and DEL. The fast path also drops
# CR (accepted only as CRLF throughout the block) and leaves any TAB to the careful path.
_CTL_STRICT = bytes([*range(0, 9), *range(11, 13), *range(14, 32), 127])
_CTL_FAST = _CTL_STRICT + b"\t\r"
# What the bulk path keeps of a line: commas, spaces, newlines and any control character.
_SIGNATURE_DROP = bytes(b for b in range(256) if b not in b", \n" and 31 < b < 127)
_SIGNATURE_ROW = b"," * 7 + b" , " + b"," * 9 + b"\n"
_SIGNATURE_CRLF = _SIGNATURE_ROW.replace(b"\n", b"\r\n")
_TIME_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
_NATURAL = re.compile(r"([0-9]+)")
_UNICODE_SPACE = re.compile(r"[^\S ]")  # whitespace other than the plain space
_SENTINEL = "\x01"  # never in a line that reaches csv.reader (control characters are refused)


def natural_key(text: str) -> tuple[str | int, ...]:
    """Sort key that orders digit runs by value: ``a2`` < ``a10``; case-insensitive."""
    parts = _NATURAL.split(text)
    return tuple(int(p) if i % 2 else p.casefold() for i, p in enumerate(parts))


@dataclass(frozen=True, slots=True)
class IndexProblem:
    """A line (or, with ``line`` 0, a whole file) that was skipped, and why."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


TEXT_COMMA = "\x1f"
"""Stands for a comma inside a value in :attr:`RowBatch.text` (values never hold it)."""
TEXT_NEWLINE = "\x1e"
"""Stands for a newline inside a value in :attr:`RowBatch.text`."""
_ESCAPE = str.maketrans({",": TEXT_COMMA, "\n": TEXT_NEWLINE})


class RowBatch(Sequence[tuple[str, ...]]):
    """Validated rows of one chunk: a read-only sequence of 18-field tuples.

    A batch holds its rows as flat fields (row ``i`` is ``fields[18 * i : 18 * i + 18]``, so
    :meth:`column` is a C-level slice), as :attr:`text`, or both; either is made from the other
    on first use. The reader's bulk path gives text only, with the text already split at its
    commas (:meth:`split_text`): the store builds its columns from those pieces and no Python
    string per field is ever made.
    """

    __slots__ = ("_begins", "_count", "_crlf", "_fields", "_split", "_text")

    def __init__(self, fields: list[str] | None = None, text: bytes | None = None) -> None:
        fields = [] if fields is None else fields
        if len(fields) % NCOLS:
            raise ValueError(f"{len(fields)} fields is not a whole number of {NCOLS}-field rows")
        self._fields: list[str] | None = fields
        self._text = text
        self._count = len(fields) // NCOLS
        self._split: list[bytes] | None = None
        self._crlf = False
        self._begins: bytes | None = None

    @classmethod
    def from_text(
        cls,
        text: bytes,
        count: int,
        split: list[bytes] | None = None,
        crlf: bool = False,
        begins: bytes | None = None,
    ) -> RowBatch:
        """``count`` rows given as their :attr:`text` (validated by the caller; with ``crlf``
        every line ends in CR LF instead), and optionally that text split at every comma (see
        :meth:`split_text`)."""
        if count < 0 or (count and not text.endswith(b"\n")):
            raise ValueError(f"the text does not hold {count} rows")
        if split is not None and len(split) != (NCOLS - 1) * count + 1:
            raise ValueError("the split text does not match the row count")
        batch = cls.__new__(cls)
        batch._fields = None
        batch._text = text
        batch._count = count
        batch._split = split if count else None
        batch._crlf = crlf and bool(count)
        batch._begins = begins if count else None
        if begins is not None and len(begins) != 20 * count:
            raise ValueError("the begin times do not match the row count")
        return batch

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[str]]) -> RowBatch:
        """A batch of ``rows`` (each must have 18 fields)."""
        fields: list[str] = []
        for row in rows:
            if len(row) != NCOLS:
                raise ValueError(f"a row has {len(row)} fields, expected {NCOLS}")
            fields.extend(row)
        return cls(fields)

    @classmethod
    def concat(cls, batches: Sequence[RowBatch]) -> RowBatch:
        """One batch of several, in order."""
        if len(batches) == 1:
            return batches[0]
        if all(b._fields is not None for b in batches):
            fields = list(itertools.chain.from_iterable(b.fields for b in batches))
            texts = [b.text if b._text is not None else None for b in batches]
            known = [t for t in texts if t is not None]
            return cls(fields, b"".join(known) if len(known) == len(texts) else None)
        parts = [b for b in batches if b._count]
        crlf = bool(parts) and all(b._crlf for b in parts)
        split: list[bytes] | None = None
        if parts and all(b._split is not None and b._crlf == crlf for b in parts):
            split = []
            for b in parts:
                pieces = b._split
                assert pieces is not None
                if split:
                    split[-1] += pieces[0]
                    split.extend(itertools.islice(pieces, 1, None))
                else:
                    split.extend(pieces)
        count = sum(b._count for b in parts)
        text = b"".join(b.raw_text()[0] if crlf else b.text for b in parts)
        lanes = [b._begins for b in parts if b._begins is not None]
        begins = b"".join(lanes) if len(lanes) == len(parts) else None
        return cls.from_text(text, count, split, crlf, begins)

    @property
    def fields(self) -> list[str]:
        """The flat field list (do not modify)."""
        if self._fields is None:
            self._fields = _fields_of(self.text, self._count)
        return self._fields

    @property
    def text(self) -> bytes:
        """The rows as UTF-8 CSV lines without quotes: fields joined by ``,``, each row ending
        in ``\\n``, and a comma or newline inside a value written as :data:`TEXT_COMMA` /
        :data:`TEXT_NEWLINE`. Usually the file's own bytes; built on first use otherwise."""
        if self._crlf:
            assert self._text is not None
            self._text, self._crlf = self._text.translate(None, b"\r"), False
            self._split = None  # its pieces still hold the CRs
        if self._text is None:
            fields = self.fields
            joined = "\x00".join(fields)
            if "," in joined or "\n" in joined:
                fields = [value.translate(_ESCAPE) for value in fields]
            lines = map(",".join, zip(*[iter(fields)] * NCOLS, strict=True))
            self._text = "".join(line + "\n" for line in lines).encode("utf-8")
        return self._text

    def raw_text(self) -> tuple[bytes, bool]:
        """:attr:`text` as held, and whether its lines end in CR LF (saves a copy)."""
        if self._crlf:
            assert self._text is not None
            return self._text, True
        return self.text, False

    def split_text(self) -> list[bytes]:
        """:meth:`raw_text` split at every comma: ``17 * len(self) + 1`` pieces, where one
        piece holds the last field of a row, its line end and the first field of the next
        row. Field ``c`` (1-16) of every row is ``split_text()[c::17]``."""
        if self._split is not None:
            return self._split
        return self.raw_text()[0].split(b",") if self._count else []

    def drop_split(self) -> None:
        """Forget the split text (it costs far more memory than the text)."""
        self._split = None

    def begin_lanes(self, split: list[bytes] | None = None) -> bytes:
        """Every row's call_begin followed by ``\n``: 20 bytes a row (``split``: this batch's
        :meth:`split_text`, if the caller has it)."""
        if self._begins is None:
            if split is not None:
                begins = split[BEGIN_COLUMN :: NCOLS - 1]
                self._begins = b"\n".join(begins) + b"\n" if begins else b""
            elif self._fields is not None:
                values = "\n".join(self._fields[BEGIN_COLUMN::NCOLS])
                self._begins = (values + "\n").encode("utf-8") if values else b""
            else:
                begins = self.split_text()[BEGIN_COLUMN :: NCOLS - 1]
                self._begins = b"\n".join(begins) + b"\n" if begins else b""
        return self._begins

    def slice_rows(self, start: int, stop: int) -> RowBatch:
        """Rows ``start`` to ``stop`` (0 <= start <= stop <= len) as a batch of their own."""
        if not 0 <= start <= stop <= self._count:
            raise IndexError("row slice out of range")
        if self._fields is not None:
            return RowBatch(self._fields[start * NCOLS : stop * NCOLS])
        if start == stop:
            return RowBatch()
        step = NCOLS - 1
        if self._split is not None:
            pieces = self._split[start * step : stop * step + 1]
            if start:
                pieces[0] = pieces[0].partition(b"\n")[2]
            if stop < self._count:
                pieces[-1] = pieces[-1].partition(b"\n")[0] + b"\n"
            begins = None if self._begins is None else self._begins[20 * start : 20 * stop]
            text = b",".join(pieces)
            return RowBatch.from_text(text, stop - start, pieces, self._crlf, begins)
        lines = self.text.split(b"\n")
        return RowBatch.from_text(b"\n".join(lines[start:stop]) + b"\n", stop - start)

    def column(self, index: int) -> list[str]:
        """Every row's value of column ``index`` (0-17), in row order."""
        return self.fields[index::NCOLS]

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> tuple[str, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[str, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[str, ...] | list[tuple[str, ...]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("row index out of range")
        return tuple(self.fields[index * NCOLS : (index + 1) * NCOLS])

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        return zip(*[iter(self.fields)] * NCOLS, strict=True)

    def __repr__(self) -> str:
        return f"RowBatch({len(self)} rows)"


def _fields_of(text: bytes, count: int) -> list[str]:
    """The flat fields of :attr:`RowBatch.text` (escaped commas and newlines restored)."""
    if not count:
        return []
    decoded = text.decode("utf-8")
    fields = decoded.replace("\n", ",").split(",")
    fields.pop()  # after the last newline
    if len(fields) != NCOLS * count:
        raise ValueError("the text does not hold whole 18-field rows")
    if TEXT_COMMA in decoded or TEXT_NEWLINE in decoded:
        fields = [f.replace(TEXT_COMMA, ",").replace(TEXT_NEWLINE, "\n") for f in fields]
    return fields


@dataclass(slots=True)
class IndexChunk:
    """One step of :func:`iter_index`: rows of one file, problems, and progress in bytes."""

    rows: RowBatch
    problems: list[IndexProblem]
    source: str
    bytes_done: int
    bytes_total: int
    problem_count: int = 0
    """Problems found in ``source`` so far, listed or not."""
    next_line: int = 0
    """The line number in ``source`` after this chunk's rows."""


def parse_time(text: str) -> datetime | None:
    """``YYYY-MM-DD hh:mm:ss`` as a naive datetime, or None when it is not a real time."""
    if len(text) != 19 or not _TIME_SHAPE.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def recording_from_row(row: Sequence[str]) -> Recording:
    """The :class:`Recording` of one validated 18-field row (ValueError if it is not one)."""
    if len(row) != NCOLS:
        raise ValueError(f"expected {NCOLS} fields, got {len(row)}")
    values: list[object] = list(row)
    for index in (_BEGIN, _END):
        when = parse_time(row[index])
        if when is None:
            raise ValueError(f"{COLUMNS[index]} is not a date: {row[index]!r}")
        values[index] = when
    return Recording(*values)  # type: ignore[arg-type]


def read_recordings(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
) -> tuple[list[Recording], list[IndexProblem]]:
    """Everything at once, as Recording objects (small inputs, the CLI)."""
    recordings: list[Recording] = []
    problems: list[IndexProblem] = []
    for chunk in iter_index(paths):
        recordings.extend(map(recording_from_row, chunk.rows))
        problems.extend(chunk.problems)
    return recordings, problems


# --------------------------------------------------------------------------- dates in bulk


@functools.cache
def _digit_table(allowed: str) -> bytes:
    """Translation table: each character of ``allowed`` -> 1, every other byte -> 0."""
    table = bytearray(256)
    for byte in allowed.encode():
        table[byte] = 1
    return bytes(table)


_SHAPE_TABLE = bytes.maketrans(b"0123456789", b"9999999999")
_SHAPE_LANE = b"9999-99-99 99:99:99\n"
_LANE = len(_SHAPE_LANE)


def _dates_ok(fields: list[str]) -> bool:
    """True when every call_begin and call_end of the flat ``fields`` is a valid time."""
    values = fields[_BEGIN::NCOLS] + fields[_END::NCOLS]
    if not values:
        return True
    return _times_ok(("\n".join(values) + "\n").encode("utf-8", "replace"), len(values))


def _times_ok(joined: bytes, count: int) -> bool:
    """True when ``joined``, ``count`` values each followed by ``\n``, are all valid times.

    Exact, with no Python per value: the values are fixed 20-byte lanes, a
    translation checks the shape, strided slices check each digit's range, and big-int AND/OR
    combine per-lane conditions. Feb 29 (leap years) and anything odd answer False, and the
    caller checks value by value.
    """
    if len(joined) != count * _LANE or joined.translate(_SHAPE_TABLE) != _SHAPE_LANE * count:
        return False

    slices: dict[int, bytes] = {}

    def digits(pos: int) -> bytes:
        if pos not in slices:
            slices[pos] = joined[pos::_LANE]
        return slices[pos]

    # Tens digits with a plain range.
    for pos, allowed in ((5, b"01"), (8, b"0123"), (11, b"012"), (14, b"012345"), (17, b"012345")):
        if digits(pos).translate(None, allowed):
            return False
    if b"0000-" in joined:  # year 0 (a "0000-" can only be a year here)
        return False

    def has(pos: int, chars: str) -> int:
        """Per lane: 1 where the digit at ``pos`` is one of ``chars``, else 0."""
        return int.from_bytes(digits(pos).translate(_digit_table(chars)), "little")

    m1_0, m1_1, m2_0, m2_2 = has(5, "0"), has(5, "1"), has(6, "0"), has(6, "2")
    d1_0, d1_2, d1_3 = has(8, "0"), has(8, "2"), has(8, "3")
    month_bad = (m1_0 & m2_0) | (m1_1 & has(6, "3456789"))
    day_bad = (d1_0 & has(9, "0")) | (d1_3 & has(9, "23456789"))
    short_month = (m1_0 & has(6, "469")) | (m1_1 & has(6, "1"))
    february = m1_0 & m2_2
    length_bad = (d1_3 & has(9, "1") & short_month) | (d1_3 & february)
    hour_bad = has(11, "2") & has(12, "456789")
    leap_day = d1_2 & has(9, "9") & february  # valid only in leap years: check one by one
    return not (month_bad | day_bad | length_bad | hour_bad | leap_day)


# --------------------------------------------------------------------------- one file


class _Parser:
    """Parses one decompressed byte stream into chunks (state: line number, problems)."""

    def __init__(
        self,
        source: str,
        chunk_size: int,
        progress: _Progress,
        bytes_total: int,
    ) -> None:
        self.source = source
        self.chunk_size = chunk_size
        self.progress = progress
        self.bytes_total = bytes_total
        self.line = 1  # physical line number of the next unprocessed line
        self.encoding = "utf-8"
        self.other_encoding = "gb18030"
        self.pieces: list[RowBatch] = []  # validated rows waiting for a chunk
        self.chunks = 0  # chunks made so far
        self.read_size = BLOCK_SIZE
        self.problems: list[IndexProblem] = []
        self.problem_count = 0
        self.content = False  # saw a non-empty line
        self.broken: str | None = None  # set when the stream failed (corrupt archive)
        self.emitted_at = 0  # progress() when the last chunk was made
        self.whole = True  # False: a span of a file (no sniffing, no per-file summary)

    # ------------------------------------------------------------------ problems and chunks
    def problem(self, line: int, reason: str) -> None:
        self.problem_count += 1
        if self.problem_count <= MAX_PROBLEMS_PER_FILE:
            self.problems.append(IndexProblem(self.source, line, reason))

    def add(self, batch: RowBatch) -> None:
        """Queue validated rows for the next chunks."""
        if batch:
            self.pieces.append(batch)

    def tune_read_size(self, bytes_per_line: float) -> None:
        """Read about one chunk per block, so that chunks need no copying."""
        size = int(self.chunk_size * bytes_per_line * 0.95)
        self.read_size = max(MIN_BLOCK_SIZE, min(MAX_BLOCK_SIZE, size))

    def _chunk(self, rows: RowBatch) -> IndexChunk:
        problems, self.problems = self.problems, []
        problems.sort(key=lambda p: (p.line == 0, p.line))
        self.emitted_at = done = self.progress()
        self.chunks += 1
        if rows:
            self.progress.first_chunk = None
        return IndexChunk(
            rows, problems, self.source, done, self.bytes_total, self.problem_count, self.line
        )

    def emit(self, final: bool = False) -> Iterator[IndexChunk]:
        """Chunks of at most ``chunk_size`` rows (the first one: ``first_chunk_size``); the
        rest waits unless ``final``."""
        stalled = self.progress() - self.emitted_at >= 16 * MAX_BLOCK_SIZE
        flush = final or stalled or len(self.problems) >= MAX_PROBLEMS_PER_FILE // 4
        pieces = self.pieces
        while pieces:
            size = self.progress.first_chunk or self.chunk_size
            if len(pieces[0]) > size:
                batch = pieces.pop(0)
                count = len(batch)
                start = 0
                while count - start > size:
                    yield self._chunk(batch.slice_rows(start, start + size))
                    start += size
                    size = self.chunk_size
                pieces.insert(0, batch.slice_rows(start, count))
                continue
            take, held = 0, 0
            while take < len(pieces) and held + len(pieces[take]) <= size:
                held += len(pieces[take])
                take += 1
            if take == len(pieces) and held < size and not flush:
                break
            batch = RowBatch.concat(pieces[:take])
            del pieces[:take]
            yield self._chunk(batch)
        if final and self.whole and self.problem_count > MAX_PROBLEMS_PER_FILE:
            extra = self.problem_count - MAX_PROBLEMS_PER_FILE
            self.problems.append(
                IndexProblem(self.source, 0, f"{extra:,} more skipped lines not listed")
            )
        if (self.problems and flush) or (final and not self.chunks):
            yield self._chunk(RowBatch())

    # ------------------------------------------------------------------ the stream
    def parse(self, read: Callable[[int], bytes]) -> Iterator[IndexChunk]:
        """Read ``read`` to the end; yields chunks as rows accumulate, then a final one."""
        buf = read(BLOCK_SIZE)
        if not self.whole:
            pass  # a span from inside a file: its encoding was decided on the file's start
        elif buf.startswith(codecs.BOM_UTF8):
            buf = buf[len(codecs.BOM_UTF8) :]
        elif buf.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.problem(0, "UTF-16 text is not supported; save the index as UTF-8")
            yield from self.emit(final=True)
            return
        else:
            self._choose_encoding(buf)
        carry = b""  # complete lines of a quoted record still open (starts at self.line)
        tail = b""  # the start of a line whose end is not read yet
        skipping = False  # inside a line longer than MAX_LINE_BYTES
        more = buf
        while True:
            if skipping:
                newline = more.find(b"\n")
                if newline < 0:
                    more = b""
                else:
                    more = more[newline + 1 :]
                    self.line += 1
                    skipping = False
            if not skipping:
                cut = more.rfind(b"\n") + 1
                if cut:
                    # one copy at most: the block is built straight from the pieces
                    if carry or tail or cut < len(more):
                        block = b"".join((carry, tail, memoryview(more)[:cut]))
                    else:
                        block = more
                    tail = more[cut:]
                    carry = self._block(block, eof=False)
                else:
                    tail += more
                if len(tail) > MAX_LINE_BYTES:
                    if carry:
                        self._block(carry, eof=True)
                        carry = b""
                    self.content = True
                    self.problem(self.line, "line is longer than 64 KiB; skipped")
                    tail = b""
                    skipping = True
            yield from self.emit()
            more = read(self.read_size)
            if not more:
                break
        if skipping:
            pass
        elif self.broken is not None:
            if carry:
                self._block(carry, eof=True)
        elif carry or tail:
            self._block(carry + tail, eof=True)
        if self.broken is not None:
            self.problem(0, self.broken)
        elif not self.content and self.whole:
            self.problem(0, "empty file")
        yield from self.emit(final=True)

    def _choose_encoding(self, sample: bytes) -> None:
        """UTF-8 unless the sample is not UTF-8 and its rows read better as GB18030.

        Only row-like lines (17+ commas) vote, and a non-ASCII row that is valid UTF-8 weighs
        four times a row that is valid only as GB18030: random bytes are rarely valid UTF-8
        but often "valid" GB18030, while a GB18030 row of Chinese text is seldom valid UTF-8.
        """
        cut = sample.rfind(b"\n")
        if 0 <= cut < len(sample) - 1 and len(sample) == BLOCK_SIZE:
            sample = sample[: cut + 1]
        try:
            sample.decode("utf-8")
            return
        except UnicodeDecodeError:
            pass
        utf8 = gb = 0
        for line in sample.split(b"\n"):
            if line.isascii() or line.count(b",") < NCOLS - 1:
                continue
            try:
                line.decode("utf-8")
                utf8 += 4
                continue
            except UnicodeDecodeError:
                pass
            try:
                line.decode("gb18030")
                gb += 1
            except UnicodeDecodeError:
                pass
        if gb > utf8:
            self.encoding, self.other_encoding = "gb18030", "utf-8"

    # ------------------------------------------------------------------ blocks
    def _block(self, raw: bytes, eof: bool) -> bytes:
        """Parse whole lines; returns the lines of a quoted record still open at the end."""
        if self._bulk(raw) or self._fast(raw, eof):
            return b""
        return self._careful(raw, eof)

    def _bulk(self, raw: bytes) -> bool:
        """The plain case with no Python object per field: ASCII UTF-8 text where every line
        has 17 commas and exactly two spaces, one inside each time, and every time is valid.
        Checked in bulk (one translation keeps only commas, spaces, newlines and control
        characters: each row must leave ``,,,,,,, , ,,,,,,,,,\n``, with CRLF throughout or LF
        throughout), then the text is split
        at its commas once, for the dates here and for the store's columns later. False,
        having changed nothing, for anything else."""
        if self.encoding != "utf-8" or not raw.isascii() or b'"' in raw:
            return False
        header = 0
        text = raw
        if self.line == 1:
            end = raw.find(b"\n") + 1
            if end and _is_header(raw[: end - 1].decode("ascii").split(",")):
                header, text = 1, raw[end:]
        signature = text.translate(None, _SIGNATURE_DROP)
        crlf = False
        count = len(signature) // len(_SIGNATURE_ROW)
        if signature != _SIGNATURE_ROW * count:
            count = len(signature) // len(_SIGNATURE_CRLF)
            if signature != _SIGNATURE_CRLF * count:
                return False
            crlf = True  # kept: the CRs are dropped only if someone asks for the text
        for start in range(0, len(text) - _WINDOW + 1, _WINDOW):
            if text.find(b"\n", start, start + _WINDOW) < 0:
                return False  # a line may be longer than MAX_LINE_BYTES
        if count:
            split = text.split(b",")
            step = NCOLS - 1
            begins = b"\n".join(split[_BEGIN::step]) + b"\n"
            ends = b"\n".join(split[_END::step]) + b"\n"
            if not (_times_ok(begins, count) and _times_ok(ends, count)):
                return False
            self.add(RowBatch.from_text(text, count, split, crlf, begins))
            self.tune_read_size(len(raw) / (count + header))
        self.content = True
        self.line += count + header
        return True

    def _fast(self, raw: bytes, eof: bool) -> bool:
        """The common case in bulk; False (having changed nothing) when the block is unusual."""
        if b'"' in raw:
            return False
        clean = raw.translate(None, _CTL_FAST)  # also drops CR: fine only when CRLF throughout
        if len(clean) != len(raw) and clean.replace(b"\n", b"\r\n") != raw:
            return False
        for start in range(0, len(clean) - _WINDOW + 1, _WINDOW):
            if clean.find(b"\n", start, start + _WINDOW) < 0:
                return False  # a line may be longer than MAX_LINE_BYTES
        try:
            text = clean.decode(self.encoding)
        except UnicodeDecodeError:
            return False
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        if not lines or "" in lines:
            return False
        skip = 1 if self.line == 1 and _is_header(lines[0].split(",")) else 0
        body = lines[skip:] if skip else lines
        if skip:
            clean = clean[clean.index(b"\n") + 1 :]
        count = len(body)
        fields = (",\n,".join(body) + ",\n").split(",") if count else []
        if len(fields) != (NCOLS + 1) * count or fields[NCOLS :: NCOLS + 1].count("\n") != count:
            return False
        del fields[NCOLS :: NCOLS + 1]
        # Each valid date holds one space, so more spaces (or other whitespace, which only
        # non-ASCII text can hold here) mean a field may need stripping; so may a bad date.
        spaces = 2 * count + (lines[0].count(" ") if skip else 0)
        plain = text.isascii() or not _UNICODE_SPACE.search(text)
        dates_ok = plain and text.count(" ") == spaces and _dates_ok(fields)
        same = True
        if not dates_ok:
            stripped = list(map(str.strip, fields))
            same = stripped == fields
            fields = stripped
            dates_ok = _dates_ok(fields)
        if not dates_ok:
            bad = self._bad_dates(fields, self.line + skip)
            for row in reversed(bad):
                del fields[row * NCOLS : (row + 1) * NCOLS]
            same = same and not bad
        blob: bytes | None = None
        if same and count:
            blob = clean if self.encoding == "utf-8" else "\n".join(body).encode("utf-8")
            if not blob.endswith(b"\n"):
                blob += b"\n"
        self.add(RowBatch(fields, blob))
        self.content = True
        self.line += len(lines)
        if count:
            self.tune_read_size(len(raw) / len(lines))
        return True

    def _bad_dates(self, fields: list[str], first_line: int) -> list[int]:
        """Rows (ascending) whose begin/end is not a time; reported unless they are headers."""
        bad: list[int] = []
        for row, (begin, end) in enumerate(
            zip(fields[_BEGIN::NCOLS], fields[_END::NCOLS], strict=True)
        ):
            for index, value in ((_BEGIN, begin), (_END, end)):
                if parse_time(value) is None:
                    bad.append(row)
                    if not _is_header(fields[row * NCOLS : (row + 1) * NCOLS]):
                        self.problem(first_line + row, _bad_date_reason(index, value))
                    break
        return bad

    def _careful(self, raw: bytes, eof: bool) -> bytes:
        """Line by line: decode, refuse binary, csv.reader with quotes across lines."""
        while True:
            parts = raw.split(b"\n")
            if parts[-1] == b"":
                parts.pop()
            starts = [0]
            for part in parts:
                starts.append(starts[-1] + len(part) + 1)
            good: list[tuple[int, str]] = []
            refused: list[tuple[int, str]] = []
            for offset, part in enumerate(parts):
                number = self.line + offset
                text, reason = self._decode_line(part)
                if reason:
                    refused.append((number, reason))
                elif text is not None:
                    good.append((number, text))
            if refused:
                self.content = True
            open_start = self._csv(good)
            # Lines from an open record on are parsed again later: report them then.
            for number, reason in refused:
                if open_start is None or number < open_start:
                    self.problem(number, reason)
            if open_start is None:
                self.line += len(parts)
                return b""
            offset = open_start - self.line
            pending = raw[starts[offset] :]
            if not eof and len(pending) <= MAX_LINE_BYTES:
                self.line = open_start
                return pending
            self.problem(open_start, 'unterminated quoted field (a " without its closing ")')
            self.line = open_start + 1
            raw = raw[starts[offset + 1] :]
            if not raw:
                return b""

    def _decode_line(self, part: bytes) -> tuple[str | None, str]:
        """The line's text, or None and why it is refused."""
        if len(part) > MAX_LINE_BYTES:
            return None, f"line is longer than 64 KiB ({len(part):,} bytes); skipped"
        if len(part.translate(None, _CTL_STRICT)) != len(part):
            bad = next(b for b in part if b in _CTL_STRICT)
            column = part.index(bytes([bad])) + 1
            what = "NUL byte" if bad == 0 else f"control character 0x{bad:02X}"
            return None, f"{what} at byte {column} (binary data?); skipped"
        where = 0
        for encoding in (self.encoding, self.other_encoding):
            try:
                return part.decode(encoding), ""
            except UnicodeDecodeError as exc:
                where = where or exc.start + 1
        return None, f"bytes that are neither UTF-8 nor GB18030 at byte {where}; skipped"

    def _csv(self, good: list[tuple[int, str]]) -> int | None:
        """Rows of the decoded lines; returns the start line of a record left open, if any."""
        state = [0, 0]  # first line of the record being read, sentinel fed (0/1)

        def feed() -> Iterator[str]:
            for number, text in good:
                if not state[0]:
                    state[0] = number
                yield text + "\n"
            state[1] = 1
            if not state[0]:
                state[0] = -1
            yield _SENTINEL + "\n"

        reader = csv.reader(feed(), strict=False)
        rows: list[str] = []
        try:
            return self._csv_rows(reader, state, rows)
        finally:
            self.add(RowBatch(rows))

    def _csv_rows(
        self, reader: Iterator[list[str]], state: list[int], rows: list[str]
    ) -> int | None:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                start, state[0] = state[0], 0
                self.content = True
                self.problem(start, f"CSV error: {exc}; skipped")
                continue
            start, state[0] = state[0], 0
            if state[1]:
                if start == -1:
                    return None
                if row != [_SENTINEL]:
                    return start
            self._row(row, start, rows)

    def _row(self, row: list[str], line: int, rows: list[str]) -> None:
        if not row or (len(row) == 1 and not row[0].strip()):
            return
        self.content = True
        if len(row) != NCOLS:
            self.problem(line, f"expected {NCOLS} columns, found {len(row)}")
            return
        row = [value.strip() for value in row]
        if _is_header(row):
            return
        for index in (_BEGIN, _END):
            if parse_time(row[index]) is None:
                self.problem(line, _bad_date_reason(index, row[index]))
                return
        rows.extend(row)


def _is_header(fields: Sequence[str]) -> bool:
    return len(fields) == NCOLS and tuple(f.strip().casefold() for f in fields) == _HEADER


def _bad_date_reason(index: int, value: str) -> str:
    shown = value if len(value) <= _VALUE_SHOWN else value[: _VALUE_SHOWN - 1] + "…"
    return f"{COLUMNS[index]} is not a date (YYYY-MM-DD hh:mm:ss): {shown!r}"


# --------------------------------------------------------------------------- inputs


@dataclass(slots=True)
class _Entry:
    """A file to read, or a problem found while looking for files."""

    path: Path | None
    source: str
    size: int = 0
    problem: IndexProblem | None = None


@dataclass(slots=True)
class _Progress:
    total: int
    base: int = 0
    handle: IO[bytes] | _Lines | None = field(default=None)
    first_chunk: int | None = None  # rows of the first chunk with rows, until it is made
    offset: int = 0  # where in its file the handle started

    def __call__(self) -> int:
        if self.handle is None:
            return self.base
        try:
            return self.base + self.handle.tell() - self.offset
        except (OSError, ValueError):
            return self.base


def _matches(name: str, patterns: Sequence[str]) -> bool:
    from fnmatch import fnmatchcase

    lowered = name.casefold()
    return any(fnmatchcase(lowered, pattern) for pattern in patterns)


def _expand(paths: Iterable[str | os.PathLike[str]]) -> list[_Entry]:
    entries: list[_Entry] = []
    for given in paths:
        path = Path(given)
        source = os.fspath(given)
        try:
            info = path.stat()
        except FileNotFoundError:
            entries.append(_failed(source, "no such file or folder"))
            continue
        except OSError as exc:
            entries.append(_failed(source, _os_reason(exc)))
            continue
        if stat.S_ISDIR(info.st_mode):
            found = _walk(path)
            if not found:
                reason = "no *_record*.csv, *_record*.csv.gz or *.zip files in this folder"
                found = [_failed(source, reason)]
            entries.extend(found)
        elif stat.S_ISREG(info.st_mode):
            entries.append(_Entry(path, source, info.st_size))
        else:
            reason = "not a regular file (a pipe, socket or device); skipped"
            entries.append(_failed(source, reason))
    return entries


def _walk(folder: Path) -> list[_Entry]:
    entries: list[_Entry] = []

    def failed(exc: OSError) -> None:
        entries.append(_failed(str(exc.filename or folder), _os_reason(exc)))

    for top, dirs, files in os.walk(folder, onerror=failed):
        dirs.sort(key=natural_key)
        for name in sorted(files, key=natural_key):
            if not _matches(name, (*RECORD_PATTERNS, "*.zip")):
                continue
            path = Path(top, name)
            try:
                info = path.stat()
            except OSError as exc:
                entries.append(_failed(str(path), _os_reason(exc)))
                continue
            if stat.S_ISREG(info.st_mode):
                entries.append(_Entry(path, str(path), info.st_size))
    return entries


def _failed(source: str, reason: str) -> _Entry:
    return _Entry(None, source, problem=IndexProblem(source, 0, reason))


def _os_reason(exc: OSError) -> str:
    return f"cannot read: {exc.strerror or exc}"


def iter_index(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    chunk_size: int = 10_000,
    first_chunk_size: int | None = None,
) -> Iterator[IndexChunk]:
    """Stream the rows of every index file under ``paths``, ``chunk_size`` rows at a time
    (the first chunk with rows: at most ``first_chunk_size``, so it can show at once).

    Every chunk holds rows of one source file (``source``); problems come in the chunk of the
    rows around them, problems with no rows in a chunk of their own. ``bytes_done`` /
    ``bytes_total`` count input bytes as stored (compressed for gzip and zip).
    """
    if chunk_size < 1 or (first_chunk_size is not None and first_chunk_size < 1):
        raise ValueError("chunk_size must be at least 1")
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    entries = _expand(paths)
    progress = _Progress(sum(entry.size for entry in entries), first_chunk=first_chunk_size)
    for entry in entries:
        if entry.problem is not None:
            yield _lone(entry.problem, progress)
            continue
        yield from _read_file(entry, chunk_size, progress)
        progress.base += entry.size
        progress.handle = None


@dataclass(frozen=True, slots=True)
class Span:
    """Whole lines of one plain (uncompressed) index file: bytes ``start`` to ``stop``."""

    path: str
    source: str
    start: int
    stop: int
    size: int
    """The size of the whole file."""

    @property
    def whole(self) -> bool:
        """The span is the whole file."""
        return self.start == 0 and self.stop == self.size


def split_index(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    head_share: float,
    min_bytes: int,
) -> tuple[list[Span], list[Span]] | None:
    """The input cut in two at a line start, so two processes can read it: the head (about
    ``head_share`` of the bytes) and the tail. None, and the caller reads everything with
    :func:`iter_index`, unless every path is a readable plain file (no gzip, zip or problem),
    they hold ``min_bytes`` in all, and the cut falls in UTF-8 text with no quote in the
    64 KiB around it (so no quoted record can span it) and no line longer than that."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    entries = _expand(paths)
    if not entries or any(entry.problem is not None for entry in entries):
        return None
    total = sum(entry.size for entry in entries)
    if total < min_bytes:
        return None
    try:
        for entry in entries:
            assert entry.path is not None
            with open(entry.path, "rb") as handle:
                magic = handle.read(4)
            lowered = entry.path.name.casefold()
            compressed = magic.startswith(b"\x1f\x8b") or magic[:2] == b"PK"
            if compressed or lowered.endswith((".gz", ".zip")):
                return None
        goal = int(total * head_share)
        index, before = 0, 0
        while before + entries[index].size <= goal:
            before += entries[index].size
            index += 1
            if index == len(entries):
                return None
        entry = entries[index]
        assert entry.path is not None
        offset = goal - before
        if offset == 0:  # the cut falls between two files
            return (
                [Span(str(e.path), e.source, 0, e.size, e.size) for e in entries[:index]],
                [Span(str(e.path), e.source, 0, e.size, e.size) for e in entries[index:]],
            )
        with open(entry.path, "rb") as handle:
            sample = handle.read(BLOCK_SIZE)
            probe = _Parser(entry.source, 1, _Progress(0), 0)
            if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return None
            probe._choose_encoding(sample.removeprefix(codecs.BOM_UTF8))
            if probe.encoding != "utf-8":
                return None
            start = max(0, offset - MAX_LINE_BYTES)
            handle.seek(start)
            window = handle.read(2 * MAX_LINE_BYTES)
    except OSError:
        return None
    middle = offset - start
    newline = window.find(b"\n", middle)
    if b'"' in window or newline < 0 or (start and window.rfind(b"\n", 0, middle) < 0):
        return None
    cut = start + newline + 1
    head = [Span(str(e.path), e.source, 0, e.size, e.size) for e in entries[:index]]
    tail = [Span(str(e.path), e.source, 0, e.size, e.size) for e in entries[index + 1 :]]
    source, path = entry.source, str(entry.path)
    head.append(Span(path, source, 0, cut, entry.size))
    if cut < entry.size:
        tail.insert(0, Span(path, source, cut, entry.size, entry.size))
    return head, tail


def iter_spans(
    spans: Sequence[Span],
    *,
    chunk_size: int = 10_000,
    first_chunk_size: int | None = None,
    bytes_total: int | None = None,
    bytes_before: int = 0,
) -> Iterator[IndexChunk]:
    """:func:`iter_index` over :class:`Span` s. A span that starts inside its file is read
    as UTF-8, counts its lines from 1 (the caller knows where it really starts) and, like a
    span that ends before its file does, reports no "empty file" and no "N more skipped
    lines": the caller merges the two. ``bytes_done`` counts from ``bytes_before``."""
    if chunk_size < 1 or (first_chunk_size is not None and first_chunk_size < 1):
        raise ValueError("chunk_size must be at least 1")
    total = sum(span.stop - span.start for span in spans) if bytes_total is None else bytes_total
    progress = _Progress(total, base=bytes_before, first_chunk=first_chunk_size)
    for span in spans:
        try:
            handle = open(span.path, "rb")  # noqa: SIM115 - closed below, also on generator exit
        except OSError as exc:
            yield _lone(IndexProblem(span.source, 0, _os_reason(exc)), progress)
            continue
        with handle:
            parser = _Parser(span.source, chunk_size, progress, progress.total)
            parser.whole = span.whole
            lines = _Lines(handle, span.start, span.stop)
            progress.handle, progress.offset = lines, span.start
            yield from parser.parse(_guarded(lines.read, parser, "cannot read the file"))
        progress.base += span.stop - span.start
        progress.handle, progress.offset = None, 0


class _Lines:
    """A plain file read from ``start`` (to ``stop``, or its end) in blocks that end at a
    line end when the line cut by the size asked for is short (a newline within 32 KiB on
    either side): so the parser gets whole lines and never copies a block to join a cut
    line to it. Long lines are cut as before, and reported as before."""

    def __init__(self, handle: IO[bytes], start: int, stop: int | None) -> None:
        self.handle = handle
        self.fd = handle.fileno()
        self.position = start
        self.stop = stop
        self.pread = getattr(os, "pread", None)

    def read(self, size: int) -> bytes:
        stop = self.stop
        if self.pread is None:  # pragma: no cover - Windows
            self.handle.seek(self.position)
            data = self.handle.read(size if stop is None else min(size, stop - self.position))
        else:
            end = self.position + size if stop is None else min(stop, self.position + size)
            back = min(_WINDOW, end - self.position)
            if (stop is None or end < stop) and b"\n" in self.pread(self.fd, back, end - back):
                room = _WINDOW if stop is None else min(_WINDOW, stop - end)
                newline = self.pread(self.fd, room, end).find(b"\n")
                if newline >= 0:  # the cut line is short: read it whole
                    end += newline + 1
            data = self.pread(self.fd, end - self.position, self.position) if end else b""
        self.position += len(data)
        return data

    def tell(self) -> int:
        return self.position


def _lone(problem: IndexProblem, progress: _Progress) -> IndexChunk:
    return IndexChunk(RowBatch(), [problem], problem.source, progress(), progress.total)


def _read_file(entry: _Entry, chunk_size: int, progress: _Progress) -> Iterator[IndexChunk]:
    assert entry.path is not None
    source = entry.source

    def alone(reason: str, where: str = source) -> IndexChunk:
        return _lone(IndexProblem(where, 0, reason), progress)

    try:
        handle = open(entry.path, "rb")  # noqa: SIM115 - closed below, also on generator exit
    except OSError as exc:
        yield alone(_os_reason(exc))
        return
    with handle:
        progress.handle = handle
        try:
            magic = handle.read(4)
            handle.seek(0)
        except OSError as exc:
            yield alone(_os_reason(exc))
            return
        lowered = entry.path.name.casefold()
        if magic.startswith(b"\x1f\x8b"):
            yield from _read_gzip(handle, source, chunk_size, progress)
        elif magic[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
            yield from _read_zip(handle, source, chunk_size, progress)
        elif lowered.endswith(".gz") and magic:
            yield alone("not gzip data (the file name ends in .gz); skipped")
        elif lowered.endswith(".zip") and magic:
            yield alone("not a zip archive (the file name ends in .zip); skipped")
        else:
            parser = _Parser(source, chunk_size, progress, progress.total)
            read: Callable[[int], bytes] = handle.read
            if hasattr(os, "pread"):
                lines = _Lines(handle, 0, None)
                progress.handle, read = lines, lines.read
            yield from parser.parse(_guarded(read, parser, "cannot read the file"))


def _guarded(read: Callable[[int], bytes], parser: _Parser, what: str) -> Callable[[int], bytes]:
    """``read`` that returns b"" after noting the failure: archives can raise many types."""

    def guarded(size: int) -> bytes:
        if parser.broken is not None:
            return b""
        try:
            return read(size)
        except Exception as exc:  # zlib.error, EOFError, BadZipFile, OSError, LZMAError, ...
            parser.broken = (
                f"{what} ({type(exc).__name__}: {exc}); the lines after it were not read"
            )
            return b""

    return guarded


class _Gunzip:
    """Streaming gzip (several members, zero padding) that hands out what it decoded before
    damage: ``gzip.GzipFile.read`` raises and loses the block it was decoding."""

    STEP = 64 * 1024

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.inflate = zlib.decompressobj(wbits=31)
        self.pending = b""

    def read(self, size: int) -> bytes:
        while True:
            if self.inflate.eof:
                rest = self.inflate.unused_data.lstrip(b"\0")
                while not rest:
                    more = self.stream.read(self.STEP)
                    if not more:
                        return b""
                    rest = more.lstrip(b"\0")
                self.inflate = zlib.decompressobj(wbits=31)
                self.pending = rest
            if not self.pending:
                self.pending = self.stream.read(self.STEP)
                if not self.pending:
                    raise EOFError("the data ends early: the file is truncated")
            out = self.inflate.decompress(self.pending, size)
            self.pending = self.inflate.unconsumed_tail
            if out:
                return out


def _read_gzip(
    handle: IO[bytes], source: str, chunk_size: int, progress: _Progress
) -> Iterator[IndexChunk]:
    parser = _Parser(source, chunk_size, progress, progress.total)
    yield from parser.parse(_guarded(_Gunzip(handle).read, parser, "gzip data is damaged"))


def _read_zip(
    handle: IO[bytes], source: str, chunk_size: int, progress: _Progress
) -> Iterator[IndexChunk]:
    def alone(reason: str, where: str = source) -> IndexChunk:
        return _lone(IndexProblem(where, 0, reason), progress)

    try:
        archive = zipfile.ZipFile(handle)
        members = [i for i in archive.infolist() if not i.is_dir()]
    except Exception as exc:  # BadZipFile, OSError, ValueError, ... on damaged archives
        yield alone(f"not a readable zip archive ({type(exc).__name__}: {exc})")
        return
    with archive:
        records = [i for i in members if _matches(_base_name(i.filename), RECORD_PATTERNS)]
        if not records:
            names = ", ".join(sorted(_base_name(i.filename) for i in members)[:5]) or "none"
            yield alone(f"no *_record*.csv file in this zip (members: {names})")
            return
        records.sort(key=lambda i: natural_key(i.filename))
        for info in records:
            where = f"{source}!{info.filename}"
            parser = _Parser(where, chunk_size, progress, progress.total)
            try:
                member: IO[bytes] = archive.open(info)
            except Exception as exc:  # encrypted, unsupported compression, bad header, ...
                yield alone(f"cannot read this zip member ({type(exc).__name__}: {exc})", where)
                continue
            with member:
                raw: Callable[[int], bytes] = member.read
                if info.filename.casefold().endswith(".gz"):
                    raw = _Gunzip(member).read
                read = _guarded(raw, parser, "zip member data is damaged")
                yield from parser.parse(read)


def _base_name(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]
