"""Loading index files into a store, step by step, with a helper process for big files.

:func:`load_index` reads the paths with the index reader and appends each chunk to the
store. A big plain input is read by two processes: this one reads the first part while a
helper process (:mod:`.load_helper`) reads the rest into blocks; the helper's blocks come
back through an anonymous memory file and are added in order. ``CCFS_LOAD_HELPER=0`` in the
environment turns the helper off (all is read here): it only makes the "fully loaded"
figure quicker, and ``python -m benchmarks --load-helper both`` measures it on and off.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass

from ccfs_tui.core.index import (
    MAX_PROBLEMS_PER_FILE,
    IndexChunk,
    IndexProblem,
    Span,
    iter_index,
    iter_spans,
    split_index,
)
from ccfs_tui.core.recordings.load_helper import LoadHelper, prepared_rows
from ccfs_tui.core.recordings.store import RecordingStore

HELPER_MIN_BYTES = 32 << 20
"""Plain index input from this size on is read by two processes (see :func:`load_index`)."""
HEAD_SHARE = 0.40
"""The share of the bytes read here; the helper reads the rest (this process also draws)."""
HELPER_SWITCH = "CCFS_LOAD_HELPER"
"""The environment variable that turns the load helper off when it is ``0``."""
LOAD_MAX_WAIT = 0.15
"""The loader's longest wait (a step: a chunk of about 20,000 rows); it waits only while a
search runs, not after it. Measured in tmux at 1M rows with a query typed every ~0.4 s all
through the load: answers p50 462 -> 323 ms, the load 3.4 -> 3.0 s (waiting 0.3 s after each
new query too: answers p50 204 ms, but the load took 10.8 s)."""


def helper_allowed(environ: Mapping[str, str] = os.environ) -> bool:
    """False when :data:`HELPER_SWITCH` is ``0`` in ``environ``: then :func:`load_index`
    reads everything in this process (the first rows show as soon either way)."""
    return environ.get(HELPER_SWITCH, "").strip() != "0"


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
    core is cut in two at a line start (:func:`index.split_index`): this process reads
    the head while a helper process (:mod:`.load_helper`) reads the tail and prepares its
    blocks (columns, group keys with its own codes, key counts); its blocks are added once
    the head is in, its codes mapped to the store's. Problems keep their file line numbers.
    If the helper cannot start or fails, the tail is read here. No helper with ``helper``
    false or ``CCFS_LOAD_HELPER=0`` (:func:`helper_allowed`).
    It stops, adding nothing more, as soon as ``cancelled()`` is true; close the iterator
    to stop early too. Either way the helper is killed. Before each step it waits while a
    search runs (:meth:`RecordingStore.yield_to_searches`; the helper process reads on).
    """
    helper = helper and helper_allowed() and usable_cores() > 1
    plan = split_index(paths, HEAD_SHARE, HELPER_MIN_BYTES) if helper else None
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
    job: LoadHelper | None = None
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
                job = LoadHelper.start(tail, chunk_size, done, total)
        if not started:
            job = LoadHelper.start(tail, chunk_size, done, total)
        applied, resume = 0, (0, 1)  # rows from the helper; where its problems stopped
        if job is not None:
            codes = store.code_map()
            for frame in job.frames(cancelled):
                store.yield_to_searches(cancelled, LOAD_MAX_WAIT, after=False)
                if cancelled():
                    return
                if frame["count"]:
                    store.extend_prepared(prepared_rows(frame, codes))
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


def usable_cores() -> int:
    """The cores this process may run on."""
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
