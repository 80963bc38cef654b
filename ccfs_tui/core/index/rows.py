"""Validated rows as the reader hands them out (:class:`RowBatch`) and as a Recording.

A batch keeps its rows as their CSV text (usually the file's own bytes) and, from the
reader's plainest path, that text split at its commas, so that the store builds its columns
with no Python string per field; or as flat fields. Either is made from the other on use.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from ccfs_tui.core.index.dates import (
    BEGIN_COLUMN,
    END_COLUMN,
    NCOLS,
    TIME_BYTES,
    parse_time,
)
from ccfs_tui.core.recording import COLUMNS, Recording

TEXT_COMMA = "\x1f"
"""Stands for a comma inside a value in :attr:`RowBatch.text` (values never hold it)."""
TEXT_NEWLINE = "\x1e"
"""Stands for a newline inside a value in :attr:`RowBatch.text`."""
_ESCAPE = str.maketrans({",": TEXT_COMMA, "\n": TEXT_NEWLINE})


class RowBatch(Sequence[tuple[str, ...]]):
    """Validated rows of one chunk: a read-only sequence of 18-field tuples.

    A batch holds its rows as flat fields (row ``i`` is ``fields[18 * i : 18 * i + 18]``), as
    :attr:`text`, or both; either is made from the other on first use. The reader's plain
    ASCII path gives text only, with the text already split at its commas
    (:meth:`split_text`): the store builds its columns from those pieces and no Python string
    per field is ever made.
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
        if begins is not None and len(begins) != TIME_BYTES * count:
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
        known_begins = [b._begins for b in parts if b._begins is not None]
        begins = b"".join(known_begins) if len(known_begins) == len(parts) else None
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

    def begin_times(self, split: list[bytes] | None = None) -> bytes:
        """Every row's call_begin followed by ``\n``: :data:`TIME_BYTES` bytes a row
        (``split``: this batch's :meth:`split_text`, if the caller has it)."""
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
            size = TIME_BYTES
            begins = None if self._begins is None else self._begins[size * start : size * stop]
            text = b",".join(pieces)
            return RowBatch.from_text(text, stop - start, pieces, self._crlf, begins)
        lines = self.text.split(b"\n")
        return RowBatch.from_text(b"\n".join(lines[start:stop]) + b"\n", stop - start)

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


def recording_from_row(row: Sequence[str]) -> Recording:
    """The :class:`Recording` of one validated 18-field row (ValueError if it is not one)."""
    if len(row) != NCOLS:
        raise ValueError(f"expected {NCOLS} fields, got {len(row)}")
    values: list[object] = list(row)
    for index in (BEGIN_COLUMN, END_COLUMN):
        when = parse_time(row[index])
        if when is None:
            raise ValueError(f"{COLUMNS[index]} is not a date: {row[index]!r}")
        values[index] = when
    return Recording(*values)  # type: ignore[arg-type]
