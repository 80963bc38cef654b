"""One decompressed byte stream of an index file into chunks of validated rows and problems.

Format (reference section 2): 18 comma-separated columns (:data:`COLUMNS`), RFC 4180 quotes
(commas and newlines inside quotes), CRLF or LF. A header row (a line whose fields equal the
column names, in any case) is skipped wherever it appears, silently. Every field is stripped of
surrounding whitespace. ``call_begin`` and ``call_end`` must be ``YYYY-MM-DD hh:mm:ss`` and a
real date and time; an end before the begin is accepted (the duration clamps to 0).

Speed: blocks of about one chunk (plain files are read so that a block ends at a line end),
each read by the first of three ways that takes it:

* :meth:`FileParser._read_plain_ascii`, the normal block (ASCII UTF-8, no quotes, tabs or
  control characters, every line with 17 commas and one space in each time): checked with
  one translation and split at its commas once, with no Python string per field; the times
  are checked in bulk (:func:`dates.times_ok`) and :class:`RowBatch` keeps the text and its
  comma-split pieces for the store;
* :meth:`FileParser._read_split_fields`, a block that is not quite normal: split into fields
  with ``str.split`` and checked in bulk;
* :meth:`FileParser._read_with_csv`, anything unusual: just that block through
  ``csv.reader``, line by line.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterator, Sequence

from ccfs_tui.core.index.chunks import IndexChunk, Progress
from ccfs_tui.core.index.dates import (
    BEGIN_COLUMN,
    END_COLUMN,
    NCOLS,
    dates_ok,
    parse_time,
    times_ok,
)
from ccfs_tui.core.index.encodings import SAMPLE_BYTES, UTF8_FIRST, choose_encoding
from ccfs_tui.core.index.problems import MAX_PROBLEMS_PER_FILE, IndexProblem
from ccfs_tui.core.index.rows import RowBatch
from ccfs_tui.core.recording import COLUMNS

BLOCK_SIZE = SAMPLE_BYTES
"""Bytes read first (they decide the encoding); later reads aim at one chunk of rows, within
these bounds:"""
MIN_BLOCK_SIZE = 64 * 1024
MAX_BLOCK_SIZE = 4 << 20
MAX_LINE_BYTES = 64 * 1024
"""Longer physical lines are reported and skipped."""
LINE_WINDOW = MAX_LINE_BYTES // 2
"""A block with no newline in this many bytes may hold a line longer than MAX_LINE_BYTES."""

_BEGIN, _END = BEGIN_COLUMN, END_COLUMN
_HEADER = tuple(COLUMNS)
_VALUE_SHOWN = 40

# Bytes refused in a line: C0 controls but TAB, LF and CR, and DEL. The split-fields path
# also drops CR (accepted only as CRLF throughout the block) and leaves any TAB to csv.
_CTL_STRICT = bytes([*range(0, 9), *range(11, 13), *range(14, 32), 127])
_CTL_SPLIT = _CTL_STRICT + b"\t\r"
# What the plain-ASCII path keeps of a line: commas, spaces, newlines and any control character.
_SIGNATURE_DROP = bytes(b for b in range(256) if b not in b", \n" and 31 < b < 127)
_SIGNATURE_ROW = b"," * 7 + b" , " + b"," * 9 + b"\n"
_SIGNATURE_CRLF = _SIGNATURE_ROW.replace(b"\n", b"\r\n")
_UNICODE_SPACE = re.compile(r"[^\S ]")  # whitespace other than the plain space
_SENTINEL = "\x01"  # never in a line that reaches csv.reader (control characters are refused)


class FileParser:
    """Parses one decompressed byte stream into chunks (state: line number, problems)."""

    def __init__(
        self,
        source: str,
        chunk_size: int,
        progress: Progress,
        bytes_total: int,
    ) -> None:
        self.source = source
        self.chunk_size = chunk_size
        self.progress = progress
        self.bytes_total = bytes_total
        self.line = 1  # physical line number of the next unprocessed line
        self.encoding, self.other_encoding = UTF8_FIRST
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
            self.encoding, self.other_encoding = choose_encoding(buf)
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

    # ------------------------------------------------------------------ blocks
    def _block(self, raw: bytes, eof: bool) -> bytes:
        """Parse whole lines; returns the lines of a quoted record still open at the end."""
        if self._read_plain_ascii(raw) or self._read_split_fields(raw):
            return b""
        return self._read_with_csv(raw, eof)

    def _read_plain_ascii(self, raw: bytes) -> bool:
        """The plain case with no Python object per field: ASCII UTF-8 text where every line
        has 17 commas and exactly two spaces, one inside each time, and every time is valid.
        Checked in bulk (one translation keeps only commas, spaces, newlines and control
        characters: each row must leave ``,,,,,,, , ,,,,,,,,,\n``, with CRLF throughout or LF
        throughout), then the text is split at its commas once, for the dates here and for
        the store's columns later. False, having changed nothing, for anything else."""
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
        for start in range(0, len(text) - LINE_WINDOW + 1, LINE_WINDOW):
            if text.find(b"\n", start, start + LINE_WINDOW) < 0:
                return False  # a line may be longer than MAX_LINE_BYTES
        if count:
            split = text.split(b",")
            step = NCOLS - 1
            begins = b"\n".join(split[_BEGIN::step]) + b"\n"
            ends = b"\n".join(split[_END::step]) + b"\n"
            if not (times_ok(begins, count) and times_ok(ends, count)):
                return False
            self.add(RowBatch.from_text(text, count, split, crlf, begins))
            self.tune_read_size(len(raw) / (count + header))
        self.content = True
        self.line += count + header
        return True

    def _read_split_fields(self, raw: bytes) -> bool:
        """The common case in bulk (``str.split`` into fields); False (having changed
        nothing) when the block is unusual."""
        if b'"' in raw:
            return False
        clean = raw.translate(None, _CTL_SPLIT)  # also drops CR: fine only when CRLF throughout
        if len(clean) != len(raw) and clean.replace(b"\n", b"\r\n") != raw:
            return False
        for start in range(0, len(clean) - LINE_WINDOW + 1, LINE_WINDOW):
            if clean.find(b"\n", start, start + LINE_WINDOW) < 0:
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
        times_valid = plain and text.count(" ") == spaces and dates_ok(fields)
        same = True
        if not times_valid:
            stripped = list(map(str.strip, fields))
            same = stripped == fields
            fields = stripped
            times_valid = dates_ok(fields)
        if not times_valid:
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

    def _read_with_csv(self, raw: bytes, eof: bool) -> bytes:
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


def guarded(read: Callable[[int], bytes], parser: FileParser, what: str) -> Callable[[int], bytes]:
    """``read`` that returns b"" after noting the failure in ``parser.broken``: archives can
    raise many types."""

    def read_or_nothing(size: int) -> bytes:
        if parser.broken is not None:
            return b""
        try:
            return read(size)
        except Exception as exc:  # zlib.error, EOFError, BadZipFile, OSError, LZMAError, ...
            parser.broken = (
                f"{what} ({type(exc).__name__}: {exc}); the lines after it were not read"
            )
            return b""

    return read_or_nothing
