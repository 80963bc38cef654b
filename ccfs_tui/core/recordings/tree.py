"""The tree's groups: VDN -> day -> agent, with the rows of any selection counted in each.

``children(ids, ())`` gives VDNs, ``(vdn,)`` days, ``(vdn, day)`` agents, each with a count
of the rows in ``ids`` (None: every row); ``leaves`` gives a group's row ids by call_begin.
An empty VDN or agent id shows as :data:`NO_VDN` / :data:`NO_AGENT`, and paths accept those
labels. Counts come from the group keys (:mod:`.group_keys`), never from the rows' text.
"""

from __future__ import annotations

import functools
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence

from ccfs_tui.core.index import natural_key
from ccfs_tui.core.recordings.blocks import Snapshot
from ccfs_tui.core.recordings.group_keys import GroupCodes
from ccfs_tui.core.recordings.selection import Selection

NO_VDN = "(no VDN)"
NO_AGENT = "(no agent)"
_FEW_ROWS = 4096  # leaves() of a filter this narrow sorts its rows, not their whole group


class GroupTree:
    """The tree of one store: group counts per selection and ordered group rows, cached."""

    def __init__(self, codes: GroupCodes) -> None:
        self._codes = codes
        self._ordered: dict[int, tuple[int, list[int]]] = {}
        self._counts: OrderedDict[int, TreeCounts] = OrderedDict()

    def children(
        self, snapshot: Snapshot, ids: Sequence[int] | None, path: tuple[str, ...]
    ) -> list[tuple[str, int]]:
        """Groups under ``path`` with their row counts among ``ids`` (None: all rows)."""
        if len(path) > 2:
            raise ValueError(f"children() takes a path of 0-2 keys, not {len(path)}")
        view = self._counts_of(snapshot, ids)
        key = tuple(_unlabel(v, NO_VDN) if i == 0 else v for i, v in enumerate(path))
        cached = view.sorted.get(key)
        if cached is None and not key and isinstance(ids, Selection) and not view.counted:
            vdns = ids.vdn_counts()
            if vdns is not None:
                names = self._codes.ids("vdn")
                cached = [(names[code] or NO_VDN, n) for code, n in vdns.items()]
                cached.sort(key=lambda item: natural_key(item[0]))
                view.sorted[key] = cached
        if cached is None:
            counts = view.levels(self._codes.names_of)[len(key)].get(key, {})
            empty = (NO_VDN, "", NO_AGENT)[len(key)]
            cached = [(name or empty, n) for name, n in counts.items()]
            if len(key) == 1:
                cached.sort()
            else:
                cached.sort(key=lambda item: natural_key(item[0]))
            view.sorted[key] = cached
        return list(cached)

    def leaves(
        self, snapshot: Snapshot, ids: Sequence[int] | None, path: tuple[str, ...]
    ) -> list[int]:
        """Row ids of one (vdn, day, agent) group among ``ids`` (None: all), by call_begin."""
        if len(path) != 3:
            raise ValueError(f"leaves() takes a (vdn, day, agent) path, not {path!r}")
        wanted = (_unlabel(path[0], NO_VDN), path[1], _unlabel(path[2], NO_AGENT))
        view = self._counts_of(snapshot, ids)
        key = view.key_of(wanted, self._codes.names_of)
        if key is None:
            return []
        inside = view.counts[key]
        if ids is not None and len(ids) <= _FEW_ROWS and inside < snapshot.key_counts()[key]:
            # A few rows (a narrow filter): sort just them, not their whole group.
            mine = (r for r in ids if 0 <= r < snapshot.rows and snapshot.key_of(r) == key)
            return sorted(mine, key=lambda r: (snapshot.begin_text(r), r))
        rows = self._ordered_rows(snapshot, key)
        if inside == len(rows):
            return list(rows)
        if isinstance(ids, range):
            return [r for r in rows if r in ids]
        if isinstance(ids, Selection):
            return [r for r in rows if r in ids]
        chosen = view.membership(snapshot.rows)
        return [r for r in rows if r < len(chosen) and chosen[r]]

    def _ordered_rows(self, snapshot: Snapshot, key: int) -> list[int]:
        """Every row of group ``key`` by call_begin (ties in load order), cached."""
        total = snapshot.key_counts()[key]
        cached = self._ordered.get(key)
        if cached is not None and cached[0] == total:
            return cached[1]
        rows = snapshot.rows_of(key)
        begins = [snapshot.begin_text(row) for row in rows]
        order = sorted(range(len(rows)), key=begins.__getitem__)
        ordered = [rows[i] for i in order]
        self._ordered[key] = (len(ordered), ordered)
        return ordered

    def _counts_of(self, snapshot: Snapshot, ids: Sequence[int] | None) -> TreeCounts:
        """Group counts of ``ids`` as a tree, cached per ids object (None: every row)."""
        rows = snapshot.rows
        whole = ids is None or (
            isinstance(ids, range) and ids.step == 1 and ids.start <= 0 and ids.stop >= rows
        )
        key = -1 if whole else id(ids)
        size = rows if whole else len(ids)  # type: ignore[arg-type]
        view = self._counts.get(key)
        if view is not None and view.ids is (None if whole else ids) and view.size == size:
            self._counts.move_to_end(key)
            return view
        counts: Callable[[], Counter[int]]
        if whole:
            counts = snapshot.key_counts
        elif isinstance(ids, Selection):
            counts = ids.counts
        else:
            assert ids is not None
            counts = functools.partial(_count_rows, ids, snapshot)
        view = TreeCounts(None if whole else ids, size, counts)
        self._counts[key] = view
        while len(self._counts) > 4:
            self._counts.popitem(last=False)
        return view


class TreeCounts:
    """The rows of one selection (ids) per group key, and per tree level and path."""

    __slots__ = ("_counts", "_keys", "_levels", "_make", "_membership", "ids", "size", "sorted")

    def __init__(
        self, ids: Sequence[int] | None, size: int, counts: Callable[[], Counter[int]]
    ) -> None:
        self.ids = ids
        self.size = size
        self._make = counts
        self._counts: Counter[int] | None = None
        self.sorted: dict[tuple[str, ...], list[tuple[str, int]]] = {}
        self._levels: tuple[dict[tuple[str, ...], dict[str, int]], ...] | None = None
        self._keys: dict[tuple[str, str, str], int] | None = None
        self._membership: bytearray | None = None

    @property
    def counted(self) -> bool:
        """The group counts are made."""
        return self._counts is not None

    @property
    def counts(self) -> Counter[int]:
        """Rows per group key (made on first use)."""
        if self._counts is None:
            self._counts = self._make()
        return self._counts

    def levels(
        self, name: Callable[[int], tuple[str, str, str]]
    ) -> tuple[dict[tuple[str, ...], dict[str, int]], ...]:
        """Per level (VDN, day, agent): parent path -> child name -> rows."""
        if self._levels is None:
            levels: tuple[dict[tuple[str, ...], dict[str, int]], ...] = ({}, {}, {})
            for key, count in self.counts.items():
                if not count:
                    continue
                vdn, day, agent = name(key)
                for level, parent, child in (
                    (0, (), vdn),
                    (1, (vdn,), day),
                    (2, (vdn, day), agent),
                ):
                    below = levels[level].setdefault(parent, {})
                    below[child] = below.get(child, 0) + count
            self._levels = levels
        return self._levels

    def key_of(
        self, path: tuple[str, str, str], name: Callable[[int], tuple[str, str, str]]
    ) -> int | None:
        """The group key of a (vdn, day, agent) path that has rows here."""
        if self._keys is None:
            self._keys = {name(key): key for key, count in self.counts.items() if count}
        return self._keys.get(path)

    def membership(self, rows: int) -> bytearray:
        """1 at each row id in the selection."""
        if self._membership is None or len(self._membership) != rows:
            chosen = bytearray(rows)
            for row in self.ids or ():
                if 0 <= row < rows:
                    chosen[row] = 1
            self._membership = chosen
        return self._membership


def _count_rows(ids: Iterable[int], snapshot: Snapshot) -> Counter[int]:
    counts: Counter[int] = Counter()
    for row in ids:
        if 0 <= row < snapshot.rows:
            block = snapshot.block_of(row)
            counts[block.keys[row - block.start]] += 1
    return counts


def _unlabel(value: str, label: str) -> str:
    return "" if value == label else value
