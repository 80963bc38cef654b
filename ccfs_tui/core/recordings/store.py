"""RecordingStore: the recording model the UI reads (index -> model -> widgets).

Append-only, no object per row: rows live in immutable blocks (:mod:`.blocks`) published
as one snapshot; a Recording is built from a row's text only when asked for. Queries are
answered by :mod:`.search` (syntax in :mod:`.query`), the tree by :mod:`.tree`.

Threads. One writer (the loader thread) appends while others read: a block is never changed
once made, and the list of blocks, the row count and the key counts are published together
as one immutable snapshot. Caches are shared under a lock. Background work on the store
(the loader, the column split) gives way to searches and keys (:meth:`yield_to_searches`).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from ccfs_tui.core.index import (
    NCOLS,
    TEXT_COMMA,
    TEXT_NEWLINE,
    RowBatch,
    parse_time,
    recording_from_row,
)
from ccfs_tui.core.recording import COLUMNS, Recording
from ccfs_tui.core.recordings.blocks import PreparedRows, Snapshot, prepare_rows
from ccfs_tui.core.recordings.columns import SPLIT_KINDS, SplitColumn
from ccfs_tui.core.recordings.group_keys import CodeMap, GroupCodes, day_text
from ccfs_tui.core.recordings.query import parse_query
from ccfs_tui.core.recordings.search import Searcher
from ccfs_tui.core.recordings.selection import Selection
from ccfs_tui.core.recordings.tree import GroupTree

SEARCH_QUIET = 0.3
"""Seconds after a search for a new query during which the loader and the column split wait
(:meth:`RecordingStore.yield_to_searches`): the answer is drawn and the next keys are handled
without them taking the GIL."""
TYPING_QUIET = 0.1
"""Seconds after a key during which the loader and the column split wait
(:meth:`RecordingStore.typing`)."""
QUIET_MAX_WAIT = 0.5
"""The longest such wait of the column split before one more step of it."""

_BEGIN = COLUMNS.index("call_begin")
_BAD_TEXT = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f{TEXT_COMMA}{TEXT_NEWLINE}]")


class RecordingStore:
    """Every loaded recording, by row id (0..len-1 in load order)."""

    def __init__(self) -> None:
        self._snapshot = Snapshot()
        self._lock = threading.Lock()
        self._codes = GroupCodes()
        self._search = Searcher(self._codes)
        self._tree = GroupTree(self._codes)
        self._searching = 0  # searches running now (any thread)
        self._last_query = ""
        self._quiet_until = 0.0  # monotonic: background work waits till then (a new query)
        self._typing_until = 0.0  # monotonic: ... and till then (keys being handled)

    # ------------------------------------------------------------------ loading
    def extend_rows(self, rows: Iterable[Sequence[str]]) -> None:
        """Append validated 18-field rows as ids ``len(self)`` on.

        A ``RowBatch`` from the index reader is taken as validated (and is fastest); other
        rows are checked first: ValueError, and nothing added, for a wrong field count, a bad
        call_begin/call_end or a control character. One thread at a time may append; any
        thread may read meanwhile.
        """
        batch = rows if isinstance(rows, RowBatch) else _checked(rows)
        if len(batch):
            self._snapshot = self._snapshot.appended(prepare_rows(self._codes, batch))

    def code_map(self) -> CodeMap:
        """A map from the VDN and agent codes of rows prepared in another process (the load
        helper numbers them on its own) to this store's, for :meth:`extend_prepared`."""
        return CodeMap(self._codes)

    def extend_prepared(self, rows: PreparedRows) -> None:
        """Append rows prepared elsewhere, their group keys already in this store's codes
        (see :meth:`code_map`), as ids ``len(self)`` on. The writer's rule is the same as
        for :meth:`extend_rows`."""
        if rows.count:
            self._snapshot = self._snapshot.appended(rows)

    # ------------------------------------------------------------------ rows
    def __len__(self) -> int:
        return self._snapshot.rows

    def all_ids(self) -> Sequence[int]:
        """Every row id, in load order."""
        return range(self._snapshot.rows)

    def recording(self, row_id: int) -> Recording:
        """The recording of ``row_id`` (built now; IndexError when there is none)."""
        snapshot = self._snapshot
        if not 0 <= row_id < snapshot.rows:
            raise IndexError(f"no row {row_id} (the store holds {snapshot.rows})")
        block = snapshot.block_of(row_id)
        line = block.line(row_id - block.start).decode("utf-8")
        values = line.split(",")
        if TEXT_COMMA in line or TEXT_NEWLINE in line:
            values = [v.replace(TEXT_COMMA, ",").replace(TEXT_NEWLINE, "\n") for v in values]
        return recording_from_row(values)

    def days(self) -> list[str]:
        """Every call_begin day (``YYYY-MM-DD``), in order."""
        return [day_text(bcd) for bcd in sorted(self._search.day_set(self._snapshot))]

    # ------------------------------------------------------------------ filtering
    def filter(self, query: str, ids: Sequence[int] | None = None) -> Sequence[int]:
        """Ascending ids (of ``ids``, default all) of the rows matching ``query`` (syntax:
        :mod:`ccfs_tui.core.recordings.query`).

        For the whole store the answer is a :class:`Selection` (a sequence).
        """
        rows = self._snapshot.rows
        whole = ids is None or (
            isinstance(ids, range) and ids.step == 1 and ids.start <= 0 and ids.stop >= rows
        )
        if not parse_query(query):
            if whole:
                return range(rows)
            if isinstance(ids, range) and ids.step == 1:
                return range(max(ids.start, 0), min(ids.stop, rows))
            return sorted({i for i in ids or () if 0 <= i < rows})
        selection = self.select(query)
        assert selection is not None
        if whole:
            return selection
        if isinstance(ids, range) and ids.step == 1:
            return selection.ids_between(max(ids.start, 0), min(ids.stop, rows))
        return sorted({i for i in ids or () if i in selection})

    def select(self, query: str, cancelled: Callable[[], bool] | None = None) -> Selection | None:
        """The rows matching ``query``, searched block by block; None when ``cancelled()``
        turns true between two blocks. The counts of the tree's top level are made here
        too; the full group counts when first needed (:meth:`Selection.counts`).

        Background work on the store waits meanwhile, and for :data:`SEARCH_QUIET` seconds
        after a query that differs from the last one (see :meth:`yield_to_searches`)."""
        with self._lock:
            self._searching += 1
        try:
            return self._search.select(self._snapshot, query, cancelled)
        finally:
            with self._lock:
                self._searching -= 1
                if query != self._last_query:
                    self._last_query = query
                    self._quiet_until = time.monotonic() + SEARCH_QUIET

    # ------------------------------------------------------------------ background work
    def typing(self) -> None:
        """The user typed a key: background work on the store (loader, column split) waits
        :data:`TYPING_QUIET` seconds from now (see :meth:`yield_to_searches`): handling a
        burst of keys takes several turns of the event loop, each of which would otherwise
        wait for the GIL."""
        self._typing_until = time.monotonic() + TYPING_QUIET

    def yield_to_searches(
        self,
        cancelled: Callable[[], bool] = lambda: False,
        longest: float | None = None,
        after: bool = True,
    ) -> None:
        """Called by background work on the store (the loader, the column split) between two
        steps: waits while a search runs, or for :data:`SEARCH_QUIET` seconds after a new
        query (not with ``after`` false), at most ``longest`` seconds (default
        :data:`QUIET_MAX_WAIT`): the work goes on, a step at a time, under a user who keeps
        typing.

        Why: such work holds the GIL almost all the time, and a filter answer needs many
        hand-offs of it (terminal input thread, event loop, filter thread, screen writer),
        each waiting up to the 5 ms switch interval. Measured in tmux at 1M rows: queries
        typed right after the load (while the columns are split) p50 391 / p95 994 ms, with
        this wait 315 / 650 ms (see :data:`loading.LOAD_MAX_WAIT` for the load)."""
        deadline = time.monotonic() + (QUIET_MAX_WAIT if longest is None else longest)
        while not cancelled():
            now = time.monotonic()
            waiting = self._searching or now < self._typing_until
            if now >= deadline or not (waiting or (after and now < self._quiet_until)):
                return
            time.sleep(0.005)

    def split_columns(self, cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Split the search columns of every block not split yet, and find its row offsets
        (in the background, once loaded: see :class:`columns.SplitColumn`). Searches use the
        splits from then on; until then they scan the columns. False when ``cancelled()``
        stopped it. Each step gives way to searches (:meth:`yield_to_searches`)."""
        for block in self._snapshot.blocks:
            self.yield_to_searches(cancelled)
            block.line(0)  # its row offsets: a recording or a narrow group at once
            for position, kind in enumerate(SPLIT_KINDS):
                if cancelled():
                    return False
                if position not in block.splits:
                    self.yield_to_searches(cancelled)
                    made = SplitColumn.of(block.columns[position], block.rows, kind)
                    block.splits = {**block.splits, position: made}
        return True

    # ------------------------------------------------------------------ tree
    def children(self, ids: Sequence[int] | None, path: tuple[str, ...]) -> list[tuple[str, int]]:
        """Groups under ``path`` with their row counts among ``ids`` (None: all rows): VDNs
        for ``()``, days for ``(vdn,)``, agents for ``(vdn, day)`` (see :mod:`.tree`)."""
        return self._tree.children(self._snapshot, ids, path)

    def leaves(self, ids: Sequence[int] | None, path: tuple[str, ...]) -> list[int]:
        """Row ids of one (vdn, day, agent) group among ``ids`` (None: all), by call_begin."""
        return self._tree.leaves(self._snapshot, ids, path)


def _checked(rows: Iterable[Sequence[str]]) -> RowBatch:
    """Rows from elsewhere than the reader: 18 fields, real times, no control characters."""
    batch = RowBatch.from_rows(rows)
    fields = batch.fields
    for index, value in enumerate(fields):
        if _BAD_TEXT.search(value):
            raise ValueError(f"row {index // NCOLS}: control character in {COLUMNS[index % NCOLS]}")
    for column in (_BEGIN, _BEGIN + 1):
        for row, value in enumerate(fields[column::NCOLS]):
            if parse_time(value) is None:
                raise ValueError(f"row {row}: {COLUMNS[column]} is not a time: {value!r}")
    return batch
