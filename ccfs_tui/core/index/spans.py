"""A big plain input cut in two at a line start, so that two processes can read it.

A :class:`Span` is whole lines of one plain file; :func:`split_index` makes the head and the
tail, :func:`iter_spans` reads a list of spans as :func:`iter_index` reads files.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ccfs_tui.core.index.chunks import IndexChunk, Progress, lone_chunk
from ccfs_tui.core.index.encodings import SAMPLE_BYTES, choose_encoding
from ccfs_tui.core.index.inputs import LineAlignedReader, expand_paths, os_reason
from ccfs_tui.core.index.parsing import MAX_LINE_BYTES, FileParser, guarded
from ccfs_tui.core.index.problems import IndexProblem


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
    entries = expand_paths(paths)
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
            sample = handle.read(SAMPLE_BYTES)
            if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return None
            if choose_encoding(sample.removeprefix(codecs.BOM_UTF8))[0] != "utf-8":
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
    progress = Progress(total, base=bytes_before, first_chunk=first_chunk_size)
    for span in spans:
        try:
            handle = open(span.path, "rb")  # noqa: SIM115 - closed below, also on generator exit
        except OSError as exc:
            yield lone_chunk(IndexProblem(span.source, 0, os_reason(exc)), progress)
            continue
        with handle:
            parser = FileParser(span.source, chunk_size, progress, progress.total)
            parser.whole = span.whole
            lines = LineAlignedReader(handle, span.start, span.stop)
            progress.handle, progress.offset = lines, span.start
            yield from parser.parse(guarded(lines.read, parser, "cannot read the file"))
        progress.base += span.stop - span.start
        progress.handle, progress.offset = None, 0
