"""What is read: the paths given (files and folders), each plain file in line-aligned blocks.

:func:`iter_index` merges several paths in the order given:

* a recording index CSV (``*_record.csv``, ``*_record_2.csv``; any name when passed directly);
* a gzip of one (``*_record*.csv.gz``);
* the zip that downloadBillFile returns (:mod:`archives`);
* a folder, recursively: ``*_record*.csv``, ``*_record*.csv.gz`` and ``*.zip`` (names compared
  case-insensitively, natural order, a folder's files before its subfolders). Other files,
  including ``*.csv`` with other names, are ignored: only the names CC-FS gives index files
  are picked up.

Whether a file is plain, gzip or zip is decided by its first bytes, not by its name; a file
named ``.gz`` / ``.zip`` that is not one is reported. A missing or unreadable path,
something that is not a regular file and an empty file are problems with line 0.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ccfs_tui.core.index.archives import read_gzip, read_zip
from ccfs_tui.core.index.chunks import IndexChunk, Progress, lone_chunk
from ccfs_tui.core.index.names import RECORD_PATTERNS, name_matches, natural_key
from ccfs_tui.core.index.parsing import LINE_WINDOW, FileParser, guarded
from ccfs_tui.core.index.problems import IndexProblem
from ccfs_tui.core.index.rows import recording_from_row
from ccfs_tui.core.recording import Recording


@dataclass(slots=True)
class InputFile:
    """A file to read, or a problem found while looking for files."""

    path: Path | None
    source: str
    size: int = 0
    problem: IndexProblem | None = None


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[InputFile]:
    """The files to read under ``paths`` (folders walked), in order, and the problems met."""
    entries: list[InputFile] = []
    for given in paths:
        path = Path(given)
        source = os.fspath(given)
        try:
            info = path.stat()
        except FileNotFoundError:
            entries.append(_failed(source, "no such file or folder"))
            continue
        except OSError as exc:
            entries.append(_failed(source, os_reason(exc)))
            continue
        if stat.S_ISDIR(info.st_mode):
            found = _walk(path)
            if not found:
                reason = "no *_record*.csv, *_record*.csv.gz or *.zip files in this folder"
                found = [_failed(source, reason)]
            entries.extend(found)
        elif stat.S_ISREG(info.st_mode):
            entries.append(InputFile(path, source, info.st_size))
        else:
            reason = "not a regular file (a pipe, socket or device); skipped"
            entries.append(_failed(source, reason))
    return entries


def _walk(folder: Path) -> list[InputFile]:
    entries: list[InputFile] = []

    def failed(exc: OSError) -> None:
        entries.append(_failed(str(exc.filename or folder), os_reason(exc)))

    for top, dirs, files in os.walk(folder, onerror=failed):
        dirs.sort(key=natural_key)
        for name in sorted(files, key=natural_key):
            if not name_matches(name, (*RECORD_PATTERNS, "*.zip")):
                continue
            path = Path(top, name)
            try:
                info = path.stat()
            except OSError as exc:
                entries.append(_failed(str(path), os_reason(exc)))
                continue
            if stat.S_ISREG(info.st_mode):
                entries.append(InputFile(path, str(path), info.st_size))
    return entries


def _failed(source: str, reason: str) -> InputFile:
    return InputFile(None, source, problem=IndexProblem(source, 0, reason))


def os_reason(exc: OSError) -> str:
    """Why a file could not be read, as a problem's reason."""
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
    entries = expand_paths(paths)
    progress = Progress(sum(entry.size for entry in entries), first_chunk=first_chunk_size)
    for entry in entries:
        if entry.problem is not None:
            yield lone_chunk(entry.problem, progress)
            continue
        yield from _read_file(entry, chunk_size, progress)
        progress.base += entry.size
        progress.handle = None


class LineAlignedReader:
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
            back = min(LINE_WINDOW, end - self.position)
            if (stop is None or end < stop) and b"\n" in self.pread(self.fd, back, end - back):
                room = LINE_WINDOW if stop is None else min(LINE_WINDOW, stop - end)
                newline = self.pread(self.fd, room, end).find(b"\n")
                if newline >= 0:  # the cut line is short: read it whole
                    end += newline + 1
            data = self.pread(self.fd, end - self.position, self.position) if end else b""
        self.position += len(data)
        return data

    def tell(self) -> int:
        return self.position


def _read_file(entry: InputFile, chunk_size: int, progress: Progress) -> Iterator[IndexChunk]:
    """The chunks of one file: plain, gzip or zip by its first bytes."""
    assert entry.path is not None
    source = entry.source

    def alone(reason: str, where: str = source) -> IndexChunk:
        return lone_chunk(IndexProblem(where, 0, reason), progress)

    try:
        handle = open(entry.path, "rb")  # noqa: SIM115 - closed below, also on generator exit
    except OSError as exc:
        yield alone(os_reason(exc))
        return
    with handle:
        progress.handle = handle
        try:
            magic = handle.read(4)
            handle.seek(0)
        except OSError as exc:
            yield alone(os_reason(exc))
            return
        lowered = entry.path.name.casefold()
        # gzip: its magic and deflate (the only method gzip defines); a plain file whose
        # first (damaged) line happens to start with 1f 8b is read as plain (found by
        # test_every_valid_line_survives_damage_around_it)
        if magic.startswith(b"\x1f\x8b\x08"):
            yield from read_gzip(handle, source, chunk_size, progress)
        elif magic[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
            yield from read_zip(handle, source, chunk_size, progress)
        elif lowered.endswith(".gz") and magic:
            yield alone("not gzip data (the file name ends in .gz); skipped")
        elif lowered.endswith(".zip") and magic:
            yield alone("not a zip archive (the file name ends in .zip); skipped")
        else:
            parser = FileParser(source, chunk_size, progress, progress.total)
            read: Callable[[int], bytes] = handle.read
            if hasattr(os, "pread"):
                lines = LineAlignedReader(handle, 0, None)
                progress.handle, read = lines, lines.read
            yield from parser.parse(guarded(read, parser, "cannot read the file"))


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
