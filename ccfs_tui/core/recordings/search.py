"""Answering a query: per block, a 0/1 mask per term, ANDed, with caches per term and block.

A text term looks for its bytes in each search column (:mod:`.byte_search`); a split column
(:class:`columns.SplitColumn`) is searched in its shared parts, whose rows follow from their
codes by one ``translate``, and in its rest (a needle with ``/`` searches whole file
names). Agent, VDN and day terms test the group keys' bytes and never read text; their
counts come from the per-block key counts. Masks are cached per term and block (bounded):
typing one more character skips the blocks where the shorter term had no hit, and rows
added later are searched once.
"""

from __future__ import annotations

import sys
import threading
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence

from ccfs_tui.core.recordings.blocks import Block, Snapshot
from ccfs_tui.core.recordings.byte_search import MatchedRows, column_hits
from ccfs_tui.core.recordings.columns import SEARCH_COLUMNS
from ccfs_tui.core.recordings.group_keys import GroupCodes, day_text, rows_with_field_in
from ccfs_tui.core.recordings.query import Term, name_matches, parse_query
from ccfs_tui.core.recordings.selection import Selection, and_masks

_CACHE_BYTES = 32 << 20


class Searcher:
    """The searches of one store, and what they keep between queries (any thread)."""

    def __init__(self, codes: GroupCodes) -> None:
        self._codes = codes
        self._lock = threading.Lock()
        self._masks: OrderedDict[tuple[Term, int], tuple[Block, bytes | None]] = OrderedDict()
        self._mask_bytes = 0
        self._recent: list[Term] = []
        self._wanted: dict[Term, tuple[int, set[int]]] = {}  # group term -> codes / days
        self._day_codes: tuple[int, set[int]] = (0, set())

    def forget(self) -> None:
        """Drop the cached masks (the next searches scan the columns again)."""
        with self._lock:
            self._masks.clear()
            self._mask_bytes = 0

    def day_set(self, snapshot: Snapshot) -> set[int]:
        """Every call_begin day, as BCD."""
        counts = snapshot.key_counts()
        known = self._day_codes
        if known[0] != len(counts):
            known = self._day_codes = (len(counts), {key & 0xFFFFFFFF for key in counts})
        return known[1]

    def select(
        self, snapshot: Snapshot, query: str, cancelled: Callable[[], bool] | None = None
    ) -> Selection | None:
        """The rows of ``snapshot`` matching ``query``, block by block; None when
        ``cancelled()`` turns true between two blocks."""
        terms = parse_query(query)
        parts: list[tuple[Block, bytes]] = []
        for block in snapshot.blocks:  # (two threads were tried: no quicker, memory-bound)
            if cancelled is not None and cancelled():
                return None
            mask: bytes | None = block.ones()
            for term in terms:
                found = self._term_mask(term, block, snapshot)
                if found is None or mask is None:
                    mask = None
                    break
                mask = found if mask is block.ones() else and_masks(mask, found)
            if mask is not None:
                parts.append((block, mask))
        counts = None
        if terms and all(term.kind != "text" for term in terms) and not self._codes.wide:
            counts = self._group_counts(terms, snapshot)
        selection = Selection(query, snapshot.rows, parts, counts)
        if selection.vdn_counts() is None:  # the tree's top level needs one or the other
            selection.counts()
        return selection

    def _term_mask(self, term: Term, block: Block, snapshot: Snapshot) -> bytes | None:
        """1/0 per row of ``block``: does ``term`` match (cached per term and block)?"""
        key = (term, id(block))
        with self._lock:
            cached = self._masks.get(key)
            if cached is not None and cached[0] is block:
                self._masks.move_to_end(key)
                return cached[1]
            weaker = [
                hit[1]
                for t in self._recent
                if t.covers(term)
                and (hit := self._masks.get((t, id(block)))) is not None
                and hit[0] is block
            ]
        if any(mask is None for mask in weaker):
            self._remember(term, block, None)  # a shorter term had no hit here
            return None
        # A column scan costs about the same on any rows (memmem when hits are few), so a
        # shorter term's hits only matter where it had none.
        if term.kind == "text":
            mask = self._text_mask(term, block, snapshot)
        else:
            mask = self._group_mask(term, block, snapshot)
        self._remember(term, block, mask)
        return mask

    def _text_mask(self, term: Term, block: Block, snapshot: Snapshot) -> bytes | None:
        needle = term.needle()
        splits = block.splits
        positions: Sequence[int] = range(len(block.columns))
        if term.column is not None:
            positions = (SEARCH_COLUMNS.index(term.column),)
        matched = MatchedRows(block.rows)
        for position in positions:
            split = splits.get(position)
            if split is None or not split.search(matched, needle, term.prefix):
                column = block.columns[position]
                matched.add(column_hits(column, block.rows, needle, term.prefix))
        if term.column is None and self._wanted_codes(term, snapshot):
            matched.add(self._group_mask(term, block, snapshot))
        return matched.mask()

    def _group_mask(self, term: Term, block: Block, snapshot: Snapshot) -> bytes | None:
        """Rows of ``block`` whose VDN, agent or day matches: tests on key bytes."""
        wanted = self._wanted_codes(term, snapshot)
        if not wanted:
            return None
        kind = "agent" if term.kind == "text" else term.kind
        if kind != "day" and self._codes.wide:
            names = self._codes.ids(kind)
            matched = {names[code] for code in wanted}
            position = 0 if kind == "vdn" else 2
            name_of = self._codes.names_of
            chosen = {k for k in block.counts if name_of(k)[position] in matched}
            mask = bytes(map(chosen.__contains__, block.keys))
            return mask if 1 in mask else None
        offset, width = {"day": (0, 4), "agent": (4, 2), "vdn": (6, 2)}[kind]
        shift = 8 * offset
        limit = (1 << 8 * width) - 1
        present = {(key >> shift) & limit for key in block.counts}
        if not present & wanted:
            return None
        if present <= wanted:
            return block.ones()
        keys = block.keys
        if sys.byteorder == "big":
            keys = array("Q", keys)
            keys.byteswap()
        hit = rows_with_field_in(keys.tobytes(), offset, width, present & wanted, {})
        return hit.to_bytes(block.rows, "little") if hit else None

    def _group_counts(self, terms: list[Term], snapshot: Snapshot) -> Counter[int]:
        """Rows per group key of a query of group terms only: straight from the key counts."""
        tests = []
        for term in terms:
            offset = {"day": 0, "agent": 4, "vdn": 6}[term.kind]
            limit = 0xFFFFFFFF if term.kind == "day" else 0xFFFF
            tests.append((8 * offset, limit, self._wanted_codes(term, snapshot)))
        counts: Counter[int] = Counter()
        for key, n in snapshot.key_counts().items():
            if all((key >> shift) & limit in wanted for shift, limit, wanted in tests):
                counts[key] = n
        return counts

    def _wanted_codes(self, term: Term, snapshot: Snapshot) -> set[int]:
        """VDN / agent codes, or BCD days, that a group term matches (cached per term); for
        a plain text term, the agent codes whose id holds it."""
        if term.kind == "day":
            seen = self.day_set(snapshot)
            with self._lock:
                known = self._wanted.get(term)
            if known is None or known[0] != len(seen):
                days = {bcd for bcd in seen if name_matches(day_text(bcd), term)}
                known = (len(seen), days)
        else:
            names = self._codes.ids("agent" if term.kind == "text" else term.kind)
            size = len(names)
            with self._lock:
                known = self._wanted.get(term)
            if known is None or known[0] != size:
                codes = {code for code in range(size) if name_matches(names[code], term)}
                known = (size, codes)
        with self._lock:
            self._wanted[term] = known
            while len(self._wanted) > 64:
                del self._wanted[next(iter(self._wanted))]
        return known[1]

    def _remember(self, term: Term, block: Block, mask: bytes | None) -> None:
        key = (term, id(block))
        with self._lock:
            old = self._masks.pop(key, None)
            if old is not None and old[1] is not None:
                self._mask_bytes -= len(old[1])
            self._masks[key] = (block, mask)
            if mask is not None:
                self._mask_bytes += len(mask)
            while self._mask_bytes > _CACHE_BYTES and self._masks:
                _, (_, dropped) = self._masks.popitem(last=False)
                if dropped is not None:
                    self._mask_bytes -= len(dropped)
            if term.kind == "text" and term not in self._recent:
                self._recent = [term, *self._recent[:15]]
