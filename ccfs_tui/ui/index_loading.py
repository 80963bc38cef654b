"""Reading the index files into the store for the recordings browser, as its workers run it.

The first chunk is read on the UI thread (:func:`read_first_chunk`: a few ms) so that the
very first frame shows rows; the rest in a thread worker (:func:`read_rest`), which posts
only counts and problems back. Once everything is in, :func:`split_columns` prepares the
split search columns in another thread worker, then :func:`settle_memory`.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import Any

from ccfs_tui.core.recordings import LoadStep, RecordingStore
from ccfs_tui.ui.messages import IndexChunkLoaded, IndexLoadFinished

FIRST_CHUNK = 2_000
"""Rows of the first index chunk: enough to fill the screen, read within a blink."""

LOAD_CHUNK = 20_000
"""Rows per later index chunk (a few MB of text each)."""

FIRST_FRAME_WAIT = 0.5
"""Seconds the loader waits for the first rows to be painted before it reads on (the
screen's first frame and the loader would otherwise share the GIL)."""

Steps = Generator[LoadStep, None, None]
"""What ``load_index`` yields: one step per chunk (rows, problems, bytes done / total)."""

Post = Callable[[Any], object]


def settle_memory() -> None:
    """Once an index is in: what lives now (the store, the app's widgets) is moved out of
    the garbage collector's sight. A full collection then looks at what came since only:
    20-30 ms instead of 40-70 ms while typing in a 1M-row filter (measured; they run every
    few seconds of typing). What an earlier call froze is thawed first, so that a store
    replaced by a reload is collected here; the app thaws everything when it closes."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _steps(store: RecordingStore, paths: Sequence[Path], cancelled: Callable[[], bool]) -> Steps:
    from ccfs_tui.core import recordings  # load_index looked up now: tests slow it down

    load_index = recordings.load_index

    return load_index(
        store,
        list(paths),
        chunk_size=LOAD_CHUNK,
        first_chunk_size=FIRST_CHUNK,
        cancelled=cancelled,
    )


def chunk_message(step: LoadStep, store: RecordingStore) -> IndexChunkLoaded:
    """The message saying what ``step`` added to ``store``."""
    return IndexChunkLoaded(
        step.rows, list(step.problems), step.bytes_done, step.bytes_total, store
    )


def read_first_chunk(
    store: RecordingStore, paths: Sequence[Path], cancelled: Callable[[], bool]
) -> tuple[Steps | None, LoadStep | None]:
    """Read the first chunk of ``paths`` into ``store`` now; the steps still to read and
    the first one (None, None when reading failed: the worker meets the error again and
    reports it)."""
    steps = _steps(store, paths, cancelled)
    try:
        first = next(steps, None)
    except Exception:
        steps.close()
        return None, None
    return steps, first


def read_rest(
    store: RecordingStore,
    paths: Sequence[Path],
    steps: Steps | None,
    *,
    post: Post,
    cancelled: Callable[[], bool],
    painted: threading.Event,
    prepare: Callable[[], None] | None = None,
) -> None:
    """In a thread worker: read the rest of the index files into ``store`` chunk by chunk
    (all of them when ``steps`` is None, after ``prepare``, which may wait) and ``post``
    what each chunk added, then that the load ended. Before reading on after the first
    rows, wait (at most :data:`FIRST_FRAME_WAIT`) until they are ``painted``."""
    waiting = steps is None
    if steps is None:
        if prepare is not None:
            prepare()
        steps = _steps(store, paths, cancelled)
    else:
        painted.wait(FIRST_FRAME_WAIT)
    with contextlib.closing(steps):  # closing it stops a helper process too
        for step in steps:
            post(chunk_message(step, store))
            if waiting and step.rows:
                waiting = False
                painted.wait(FIRST_FRAME_WAIT)
    post(IndexLoadFinished(cancelled=cancelled(), store=store))


def split_columns(store: RecordingStore, cancelled: Callable[[], bool]) -> None:
    """In a thread worker, once loaded: the split search columns that make searches quick
    (a hotline shared by a third of the rows is one value); searches work without them
    meanwhile. Then the loaded index is settled out of full garbage collections."""
    if store.split_columns(cancelled=cancelled):
        settle_memory()
