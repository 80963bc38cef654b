"""What the reader yields (:class:`IndexChunk`) and how far through the input it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ccfs_tui.core.index.problems import IndexProblem
from ccfs_tui.core.index.rows import RowBatch


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


class _Position(Protocol):
    def tell(self) -> int: ...


@dataclass(slots=True)
class Progress:
    """Input bytes read so far (as stored: compressed for gzip and zip) over all files."""

    total: int
    base: int = 0
    """Bytes of the files before the one being read."""
    handle: _Position | None = None
    """The file being read (its position counts)."""
    first_chunk: int | None = None  # rows of the first chunk with rows, until it is made
    offset: int = 0  # where in its file the handle started

    def __call__(self) -> int:
        if self.handle is None:
            return self.base
        try:
            return self.base + self.handle.tell() - self.offset
        except (OSError, ValueError):
            return self.base


def lone_chunk(problem: IndexProblem, progress: Progress) -> IndexChunk:
    """A chunk with no rows and one problem."""
    return IndexChunk(RowBatch(), [problem], problem.source, progress(), progress.total)
