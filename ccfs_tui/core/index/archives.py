"""Compressed index input: gzip files and the zip that downloadBillFile returns.

A zip gives every member whose base name matches ``*_record*.csv`` or ``*_record*.csv.gz``,
in natural name order (``_record_2`` before ``_record_10``); CDR members (``*_call*.csv``)
and any other member are ignored, and a zip with no record member is a problem. Damaged
data ends the file with a problem; the rows before it load.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import IO

from ccfs_tui.core.index.chunks import IndexChunk, Progress, lone_chunk
from ccfs_tui.core.index.names import RECORD_PATTERNS, base_name, name_matches, natural_key
from ccfs_tui.core.index.parsing import FileParser, guarded
from ccfs_tui.core.index.problems import IndexProblem


class Gunzip:
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


def read_gzip(
    handle: IO[bytes], source: str, chunk_size: int, progress: Progress
) -> Iterator[IndexChunk]:
    """The chunks of a gzip file (``handle`` at its start)."""
    parser = FileParser(source, chunk_size, progress, progress.total)
    yield from parser.parse(guarded(Gunzip(handle).read, parser, "gzip data is damaged"))


def read_zip(
    handle: IO[bytes], source: str, chunk_size: int, progress: Progress
) -> Iterator[IndexChunk]:
    """The chunks of the record members of a zip file, one after the other."""

    def alone(reason: str, where: str = source) -> IndexChunk:
        return lone_chunk(IndexProblem(where, 0, reason), progress)

    try:
        archive = zipfile.ZipFile(handle)
        members = [i for i in archive.infolist() if not i.is_dir()]
    except Exception as exc:  # BadZipFile, OSError, ValueError, ... on damaged archives
        yield alone(f"not a readable zip archive ({type(exc).__name__}: {exc})")
        return
    with archive:
        records = [i for i in members if name_matches(base_name(i.filename), RECORD_PATTERNS)]
        if not records:
            names = ", ".join(sorted(base_name(i.filename) for i in members)[:5]) or "none"
            yield alone(f"no *_record*.csv file in this zip (members: {names})")
            return
        records.sort(key=lambda i: natural_key(i.filename))
        for info in records:
            where = f"{source}!{info.filename}"
            parser = FileParser(where, chunk_size, progress, progress.total)
            try:
                member: IO[bytes] = archive.open(info)
            except Exception as exc:  # encrypted, unsupported compression, bad header, ...
                yield alone(f"cannot read this zip member ({type(exc).__name__}: {exc})", where)
                continue
            with member:
                raw: Callable[[int], bytes] = member.read
                if info.filename.casefold().endswith(".gz"):
                    raw = Gunzip(member).read
                read = guarded(raw, parser, "zip member data is damaged")
                yield from parser.parse(read)
