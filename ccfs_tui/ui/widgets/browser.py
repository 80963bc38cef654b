"""The left pane: filter input, counts, load progress and the recording tree.

The browser owns its view of the store, as Textual's ``examples/dictionary.py`` and
Toolong's ``LogLines`` own theirs: it loads the index files (``ui/index_loading.py``) and
runs its filter (the query, the search worker, the check that drops a stale answer). The
store is only ever searched in its workers, never on the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.markup import escape as escape_markup
from textual.message import Message
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import Input, ProgressBar, Static, Tree
from textual.worker import Worker, WorkerState, get_current_worker

from ccfs_tui.core.cdr import CdrLeg, CdrTable, cdr_sources, read_cdrs
from ccfs_tui.core.index import IndexProblem
from ccfs_tui.core.outcomes import failure_of
from ccfs_tui.core.recording import Recording
from ccfs_tui.core.recordings import RecordingStore
from ccfs_tui.ui.drawing import Release, hold_drawing
from ccfs_tui.ui.failures import notify_error
from ccfs_tui.ui.formatting import count, shown, shown_lines
from ccfs_tui.ui.index_loading import (
    Steps,
    chunk_message,
    read_first_chunk,
    read_rest,
    split_columns,
)
from ccfs_tui.ui.input_gate import gate_of
from ccfs_tui.ui.messages import FilterApplied, IndexChunkLoaded, IndexLoadFinished
from ccfs_tui.ui.widgets.filter_input import FilterInput
from ccfs_tui.ui.widgets.tree import Group, Leaf, More, NodeData, RecordingTree

FILTER_DELAY = 0.03
"""A key with more keys typed behind it (a burst, a paste, key repeat: the input gate holds
them) does not search; the last one does, at once. Seconds after which a key of a burst
searches anyway if the rest never reaches the filter. A search still running when a newer
one starts is cancelled."""
ANSWER_DRAW_WAIT = 0.1
"""Seconds a search may keep the screen from drawing what was typed, waiting to draw it
with the answer (most answer in 5-30 ms at 1M rows)."""

PLACEHOLDER = "call id, number, agent:ID, YYYY-MM-DD"
"""The filter's placeholder until the index is read (then with its own day and agent)."""

TREE_REFRESH = 0.4
"""Seconds between two tree refreshes while the index loads (throttle): a refresh costs the
number of groups and populated nodes, not the number of rows."""

Cursor = tuple[int | None, tuple[str, ...] | None, int]
"""What the tree cursor is on: a recording's row id, or a group's path and its count."""


class RecordingBrowser(Vertical):
    """Browse and filter the recordings of the store (loaded here, in the background)."""

    index_loading: var[bool] = var(False, bindings=True, init=False)
    """The index is still loading (not ``Widget.loading``: that would cover the browser)."""
    problem_count: var[int] = var(0, bindings=True, init=False)
    """Index lines skipped so far."""

    @dataclass
    class Highlighted(Message):
        """The cursor moved to a recording (``row_id``) or a group (``group``)."""

        row_id: int | None
        group: tuple[str, ...] | None
        count: int

    @dataclass
    class Chosen(Message):
        """Enter on a recording."""

        row_id: int

    @dataclass
    class LegsLoaded(Message):
        """CDR files of the loaded paths were read (``table``: their legs and problems)."""

        table: CdrTable
        store: RecordingStore

    def __init__(
        self,
        store: RecordingStore,
        index_paths: Sequence[Path] = (),
        *,
        prepare_index: Callable[[], None] | None = None,
        empty_text: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.store = store
        self.index_paths = list(index_paths)
        self.problems: list[Any] = []
        """Index lines that were skipped (``file:line: reason``)."""
        self.query_text = ""
        """What the filter holds now."""
        self.applied_query = ""
        """The query whose answer the tree shows."""
        self.load_note = ""
        self.empty_text = empty_text
        """What to do when there is no index (shown instead of the counts)."""
        self.first_rows_painted = threading.Event()
        """Set once the first rows are on screen: the loader waits for it."""
        self._prepare_index = prepare_index
        self._load_stop = threading.Event()
        self._first_chunk = True
        self._tree_dirty = False
        self._progress = (0, 1)
        self._debounce: Timer | None = None
        self._reveal_on_apply = False
        self._drawing_held: tuple[Release, Timer] | None = None
        """While a search runs: the hold on the app's drawing and the timer that ends it."""
        self._generation = 0
        """Of the newest search started: an answer of an older one is stale."""
        self._answered = 0
        """Of the newest search answered (or failed)."""
        self._recording: tuple[Any, int, Recording] | None = None
        self.call_legs: CdrTable | None = None
        """The CDR legs of the loaded paths' ``_call_`` files (None: none read so far)."""
        self._loading_paths: list[Path] = []
        """The paths the running (or last) load reads."""
        self._pending: list[Path] = []
        """Paths added while a load ran: read when it ends."""

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder=PLACEHOLDER, id="filter")
        yield Static(id="summary")
        yield ProgressBar(id="load-progress", show_eta=False, total=100)
        yield RecordingTree(self.store, id="tree")

    def on_mount(self) -> None:
        self.border_title = "Recordings"
        self.query_one("#filter").display = False
        self.query_one("#load-progress").display = False
        self.update_summary()
        self.set_interval(TREE_REFRESH, self._flush_tree)

    def on_unmount(self) -> None:
        self._load_stop.set()  # the loader thread stops between two chunks
        self._release_drawing()  # the app goes on drawing without this pane

    @property
    def tree_widget(self) -> RecordingTree:
        """The tree widget."""
        return self.query_one(RecordingTree)

    @property
    def filter_input(self) -> FilterInput:
        """The filter input."""
        return self.query_one(FilterInput)

    # ------------------------------------------------------------------ summary
    @property
    def total(self) -> int:
        """Recordings in the store."""
        return len(self.store)

    def matches(self) -> int:
        """How many recordings the current view shows."""
        ids = self.tree_widget.ids
        return self.total if ids is None else len(ids)

    def update_summary(self) -> None:
        """Redraw the counts line."""
        summary = self.query_one("#summary", Static)
        total = self.total
        if not self.index_paths and self.empty_text and not total:
            summary.update(Content(shown_lines(self.empty_text)))
            return
        parts = []
        ids = self.tree_widget.ids
        if ids is not None and not ids and self.applied_query.strip():
            # say what matched nothing, and the way back
            query = escape_markup(shown(self.applied_query.strip(), 40))
            parts.append(f"[b]0[/] of {count(total)}: nothing matches “{query}” · Esc clears")
        elif ids is not None:
            parts.append(f"[b]{count(len(ids))}[/] of {count(total)}")
        else:
            parts.append(f"[b]{count(total)}[/] recordings")
        if self.index_loading:
            parts.append("loading…")
        elif self.load_note:  # may hold a server's or a file's text: never markup
            parts.append(escape_markup(shown(self.load_note)))
        if self.problem_count:
            parts.append(f"[$warning]⚠ {count(self.problem_count)} skipped[/]")
        summary.update(" · ".join(parts))

    def set_progress(self, done: int, total: int) -> None:
        """Show the load progress (bytes)."""
        bar = self.query_one("#load-progress", ProgressBar)
        if bar.display != self.index_loading:
            bar.display = self.index_loading
        if (bar.total, bar.progress) != (max(total, 1), done):
            bar.update(total=max(total, 1), progress=done)

    # ------------------------------------------------------------------ loading
    def start_loading(self) -> None:
        """Load the index files in the background; the first chunk is read now, so that
        the first frame shows rows (with a ``prepare_index`` hook, which may wait, all of
        it is read in the worker)."""
        if not self.index_paths:
            self.load_note = ""
            self.update_summary()
            return
        self._load_paths(list(self.index_paths))

    def _load_paths(self, paths: list[Path]) -> None:
        """Load ``paths`` into the store (appending after what it holds)."""
        self._loading_paths = paths
        self.index_loading = True
        self._first_chunk = not self.total  # rows already shown: the new ones are synced in
        if self._first_chunk:
            self.first_rows_painted.clear()
        self._load_stop = stop = threading.Event()
        self.set_progress(0, 1)
        self.update_summary()
        store, steps = self.store, None
        prepare, self._prepare_index = self._prepare_index, None
        if prepare is None:
            steps, first = read_first_chunk(store, paths, stop.is_set)
            if first is not None:
                self.on_index_chunk_loaded(chunk_message(first, store))
        self._load_rest(store, paths, steps, stop, prepare)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load_rest(
        self,
        store: RecordingStore,
        paths: list[Path],
        steps: Steps | None,
        stop: threading.Event,
        prepare: Callable[[], None] | None,
    ) -> None:
        worker = get_current_worker()
        read_rest(
            store,
            paths,
            steps,
            post=self.post_message,
            cancelled=lambda: stop.is_set() or worker.is_cancelled,
            painted=self.first_rows_painted,
            prepare=prepare,
        )

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def _split_columns(self, store: RecordingStore) -> None:
        worker = get_current_worker()
        split_columns(store, lambda: worker.is_cancelled)

    def on_index_chunk_loaded(self, message: IndexChunkLoaded) -> None:
        """The loader added rows to the store: counts now, the tree on the throttle timer."""
        message.stop()
        if message.store is not self.store:
            return  # from the loader of a store that a reload replaced
        self.problems.extend(message.problems)
        self.problem_count = len(self.problems)
        self._progress = (message.bytes_done, message.bytes_total)
        if self._first_chunk and self.total:
            self._first_chunk = False
            self._show_first_rows()
            self.update_summary()
            self.set_progress(*self._progress)
            self.call_after_refresh(self.first_rows_painted.set)
        else:
            self._tree_dirty = True  # drawn on the throttle timer: a frame costs the loader

    def _show_first_rows(self) -> None:
        tree = self.tree_widget
        tree.rebuild()
        tree.highlight_first()  # Enter works at once
        self.update_placeholder()

    def sample_terms(self) -> list[tuple[str, str]]:
        """Filter terms that find something in the index loaded, with what they find (the
        help's Filter tab, the filter's placeholder): its newest day, that day's month, an
        agent and a VDN (their text comes from the index: shown)."""
        store = self.store
        vdns = store.children(None, ())
        if not vdns:
            return []
        vdn = vdns[0][0]
        days = store.children(None, (vdn,))
        terms: list[tuple[str, str]] = []
        if days:
            day = days[-1][0]
            terms += [(shown(day), "a day of this index"), (shown(day[:7]), "its month")]
            agents = store.children(None, (vdn, day))
            if agents:
                terms.append((f"agent:{shown(agents[0][0])}", "one of its agents"))
        terms.append((f"vdn:{shown(vdn)}", "one of its VDNs"))
        return terms

    def update_placeholder(self) -> None:
        """The filter's placeholder with a day and an agent of the index loaded (never a
        day that is not in it)."""
        terms = [term for term, _meaning in self.sample_terms()]
        agent = next((term for term in terms if term.startswith("agent:")), "agent:ID")
        day = next((term for term in terms if len(term) == 10), "YYYY-MM-DD")
        self.filter_input.placeholder = f"call id, number, {agent}, {day}"

    def on_index_load_finished(self, message: IndexLoadFinished) -> None:
        """The loader stopped: final refresh and a note."""
        message.stop()
        if message.store is self.store:
            self._finish_loading("load cancelled" if message.cancelled else message.error or "")

    def _finish_loading(self, note: str) -> None:
        self.first_rows_painted.set()
        if self.index_loading and self.total:
            self.call_after_refresh(self._split_columns, self.store)  # once the tree is drawn
        if self.index_loading:
            self._read_legs(self.store, self._loading_paths)
        self.index_loading = False
        self.load_note = note
        self.set_progress(1, 1)
        if self._first_chunk:
            self._first_chunk = False
            self._show_first_rows()
        self._tree_dirty = True
        self._flush_tree()
        self.update_summary()
        self.update_placeholder()  # the newest day is known now
        if self._pending:
            pending, self._pending = self._pending, []
            self._load_paths(pending)

    def add_paths(self, paths: Sequence[Path]) -> None:
        """Load ``paths`` too (e.g. the zips a fetch saved), into the same store: their rows
        are appended and synced into the tree, which keeps its cursor and filter; no
        restart. A path already open is not read twice; while a load runs, they are read
        when it ends."""
        new = [Path(p) for p in paths if Path(p) not in self.index_paths]
        if not new:
            return
        self.index_paths.extend(new)
        if self.index_loading:
            self._pending.extend(new)
        else:
            self._load_paths(new)

    @work(thread=True, group="legs", exit_on_error=False)
    def _read_legs(self, store: RecordingStore, paths: list[Path]) -> None:
        """Read the CDR (``_call_``) files among ``paths`` (after their index rows)."""
        sources = cdr_sources(paths)
        if not sources:
            return
        table = read_cdrs(sources)
        if table.rows or table.problems:
            self.post_message(self.LegsLoaded(table, store))

    def on_recording_browser_legs_loaded(self, message: RecordingBrowser.LegsLoaded) -> None:
        """Keep the legs; their skipped lines join the index problems (the message goes on
        to the screen, which shows the legs of the recording on screen)."""
        if message.store is not self.store:
            message.stop()
            return  # read for a store that a reload replaced
        if self.call_legs is None:
            self.call_legs = CdrTable()
        self.call_legs.extend(message.table)
        # a broken zip is said once: the index reader already named the whole file
        whole = {p.source for p in self.problems if isinstance(p, IndexProblem) and not p.line}
        known = {str(problem) for problem in self.problems}
        self.problems.extend(
            p
            for p in message.table.problems
            if str(p) not in known and not (not p.line and p.source in whole)
        )
        self.problem_count = len(self.problems)
        self.update_summary()

    def legs_of(self, call_id: str) -> list[CdrLeg] | None:
        """The CDR legs of ``call_id`` (None: no CDR file was read)."""
        return None if self.call_legs is None else self.call_legs.legs_of(call_id)

    def cancel_loading(self) -> bool:
        """Stop the index load, keeping what was read (False: nothing was loading)."""
        if not self.index_loading:
            return False
        self._load_stop.set()
        self.workers.cancel_group(self, "load")
        self._finish_loading("load cancelled")
        return True

    def reload(self) -> None:
        """Read the index files again from scratch, into a new store."""
        if not self.index_paths:
            self.notify("No index files to reload.", severity="warning")
            return
        self._load_stop.set()
        self.workers.cancel_group(self, "load")
        self.workers.cancel_group(self, "index")
        self.workers.cancel_group(self, "legs")
        self.store = RecordingStore()
        self.call_legs = None
        self._pending = []
        self.problems = []
        self.problem_count = 0
        self._generation += 1  # an answer about the old store is stale
        self._answered = self._generation
        tree = self.tree_widget
        tree.store = self.store
        tree.ids = None
        tree.rebuild()
        self.start_loading()

    def _flush_tree(self) -> None:
        """The throttle timer: show the rows added since the last refresh."""
        if not self._tree_dirty:
            return
        if self.index_loading:
            self.set_progress(*self._progress)
        if self.tree_widget.ids is not None and self.applied_query.strip():
            if self._searching():
                return  # its answer comes first (and says whether rows are missing)
            self._tree_dirty = False
            self._catch_up(self.applied_query)  # the new rows are searched in the worker
            return
        self._tree_dirty = False
        self._refresh_rows()

    def _refresh_rows(self) -> None:
        tree = self.tree_widget
        tree.sync()
        self.update_summary()
        self.reveal_when_found()  # Enter typed before the match was read
        if self.selected_row is None:
            self.announce_cursor()  # on a group: its count grew with the load

    # ------------------------------------------------------------------ filter
    def open_filter(self) -> None:
        """Show and focus the filter, its old text selected (typing replaces it)."""
        box = self.filter_input
        box.display = True
        # focus now, not after the queued keys: "/138" typed or pasted fast goes to the box
        self.screen.set_focus(box)
        box.select_all()

    @on(events.Paste)
    def _paste_on_tree(self, event: events.Paste) -> None:
        """A call id pasted on the tree opens the filter with it (a newline after it jumps)."""
        event.stop()
        self.open_filter()
        self.filter_input.paste_text(event.text)

    @on(FilterInput.Closed)
    def close_filter(self) -> None:
        """Clear and hide the filter; back to the tree."""
        box = self.filter_input
        if box.value:
            box.value = ""
        box.display = False
        self.screen.set_focus(self.tree_widget)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value
        self._stop_debounce()
        gate = gate_of(self)
        if gate is not None and gate.waiting:
            # more of a burst or paste is typed already: one search, at its end (the timer
            # only serves if the rest of it never reaches the filter)
            self._debounce = self.set_timer(FILTER_DELAY, self._search_typed)
        else:
            self._search_typed()  # the last key typed so far: search now

    def _stop_debounce(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None

    def _search_typed(self) -> None:
        self._debounce = None
        self.run_filter(self.query_text)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._stop_debounce()
        if self.query_text.strip() != self.applied_query.strip():
            self._reveal_on_apply = True
            # the keys typed after Enter are for the tree at its first match: they wait
            if (gate := gate_of(self)) is not None:
                gate.hold("filter")
            self.run_filter(self.query_text)
        else:
            self.reveal_first()

    def run_filter(self, query: str) -> None:
        """Search the store for ``query`` in a worker: a newer search cancels this one, and
        an answer that is not the newest's is dropped."""
        self._generation += 1
        self._hold_drawing()
        self._search(query, self._generation, False)

    def _hold_drawing(self) -> None:
        """The search about to run answers in a few ms: draw the typed text and its answer
        in one frame (a frame drawn meanwhile takes the GIL from the search; see
        ui/drawing.py), waiting :data:`ANSWER_DRAW_WAIT` seconds at most."""
        if self._drawing_held is None:
            release = hold_drawing(self.app)
            self._drawing_held = (release, self.set_timer(ANSWER_DRAW_WAIT, self._release_drawing))

    def _release_drawing(self) -> None:
        held, self._drawing_held = self._drawing_held, None
        if held is not None:
            release, timer = held
            timer.stop()
            release()

    def _catch_up(self, query: str) -> None:
        """Search ``query`` again for the rows added since its answer (the blocks searched
        before are cached in the store)."""
        self._generation += 1
        self._search(query, self._generation, True)

    def _searching(self) -> bool:
        return self._answered != self._generation

    @work(thread=True, exclusive=True, group="filter", exit_on_error=False)
    def _search(self, query: str, generation: int, catch_up: bool) -> None:
        """Run ``query`` on the whole store, block by block; a newer search cancels this one
        between two blocks (its answer would be dropped anyway)."""
        store = self.store
        if not query.strip():
            self.post_message(FilterApplied(query, None, generation))
            return
        worker = get_current_worker()
        found = store.select(query, cancelled=lambda: worker.is_cancelled)
        if found is not None and not worker.is_cancelled:
            self.post_message(FilterApplied(query, found, generation, found.rows, catch_up))

    def on_filter_applied(self, message: FilterApplied) -> None:
        """Show the answer of the newest search only."""
        message.stop()
        if message.generation != self._generation:
            return  # a newer search runs: its answer releases the input
        self.call_later(self._release_drawing)
        self._answered = message.generation
        ids = message.ids
        if ids is not None and message.searched_rows < self.total:  # rows came meanwhile
            if self.index_loading:
                self._tree_dirty = True  # the throttle timer searches them
            else:
                self._catch_up(message.query)  # before showing: Enter's reveal waits for it
        if message.catch_up:
            self.tree_widget.ids = ids
            self._refresh_rows()
        else:
            self.apply_filter(message.query, ids)

    def apply_filter(self, query: str, ids: Sequence[int] | None) -> None:
        """Show the store's answer to ``query`` (a new query: the tree is built again)."""
        self.applied_query = query
        tree = self.tree_widget
        kept = tree.highlighted_row()
        tree.ids = ids
        tree.rebuild()
        if ids is not None and 0 < len(ids) <= 20:
            for node in list(tree.root.children):
                self._expand_all(node)
        self.update_summary()
        if self._reveal_on_apply:
            self.reveal_when_found()
        elif kept is not None and (ids is None or kept in ids):
            self.reveal(kept)
        self.announce_cursor()

    def reveal_when_found(self) -> None:
        """Enter was pressed in the filter: put the cursor on the first match and let the
        keys typed after Enter go on. While rows are still to come (the index loads, or a
        search of the rows added since runs) and nothing matches yet, wait for them (this
        is called again as they arrive)."""
        if not self._reveal_on_apply:
            return
        node = self.tree_widget.first_leaf()
        if node is None and (self.index_loading or self._searching()):
            return
        self._reveal_on_apply = False
        self._reveal_node(node)
        self.release_input()

    def release_input(self) -> None:
        """The answer of Enter in the filter is shown (or will never come): keys go on."""
        if (gate := gate_of(self)) is not None:
            gate.release("filter")

    def _expand_all(self, node: Any) -> None:
        self.tree_widget.populate(node)
        node.expand()
        for child in node.children:
            if isinstance(child.data, Group):
                self._expand_all(child)

    def reveal_first(self) -> None:
        """Focus the tree with its cursor on the first match (expanding down to it), now:
        the next key acts on that recording."""
        self._reveal_node(self.tree_widget.first_leaf())

    def _reveal_node(self, node: Any) -> None:
        """Focus the tree on ``node``; when there is none, a bell, and the filter keeps the
        focus (if open): Esc clears it, the summary says nothing matched."""
        tree = self.tree_widget
        if node is None:
            self.app.bell()
            if not self.filter_input.display:
                self.screen.set_focus(tree)
            return
        self.screen.set_focus(tree)
        tree.jump_to(node)

    def go_to_row(self, row_id: int) -> None:
        """Focus the tree with its cursor on ``row_id`` (the filter is cleared first if it
        hides that row)."""
        tree = self.tree_widget
        if tree.ids is not None and row_id not in tree.ids:
            self._stop_debounce()
            self._reveal_on_apply = False
            self.query_text = ""
            box = self.filter_input
            box.value = ""  # its change searches "" again: the same answer, the row kept
            box.display = False
            self._generation += 1  # the answer of a search of the old query is stale
            self._answered = self._generation
            self.apply_filter("", None)
        self.screen.set_focus(tree)
        self.reveal(row_id)

    def reveal(self, row_id: int) -> None:
        """Expand down to ``row_id`` and put the cursor on it."""
        tree = self.tree_widget
        node = tree.find_leaf(row_id)
        if node is not None:
            tree.jump_to(node)

    # ------------------------------------------------------------------ failures
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A search, the load or the column split failed: say so (once)."""
        event.stop()
        worker = event.worker
        if event.state != WorkerState.ERROR or worker.error is None:
            return
        if worker.group == "filter":
            self._answered = self._generation
            self.release_input()  # no answer will come for that Enter
            self._release_drawing()
        notify_error(self, worker.error)
        if worker.group == "load":
            self._finish_loading(f"load failed: {failure_of(worker.error).message}")

    # ------------------------------------------------------------------ the cursor
    @property
    def selected_row(self) -> int | None:
        """The row id of the recording under the tree cursor now (None on a group or on
        nothing): every action reads it when its key is handled, never an earlier copy."""
        return self.tree_widget.highlighted_row()

    def selected_recording(self) -> Recording | None:
        """The recording under the tree cursor now: the one accessor (its row is parsed
        once, not again at every look)."""
        row_id = self.selected_row
        if row_id is None:
            return None
        cached = self._recording
        if cached is not None and cached[0] is self.store and cached[1] == row_id:
            return cached[2]
        recording: Recording = self.store.recording(row_id)
        self._recording = (self.store, row_id, recording)
        return recording

    def cursor(self) -> Cursor:
        """What the tree cursor is on now: a recording's row id, or a group's path and how
        many recordings it holds (``(None, None, 0)`` on nothing)."""
        node = self.tree_widget.cursor_node
        data = node.data if node is not None else None
        if isinstance(data, Leaf):
            return data.row_id, None, 1
        if isinstance(data, Group):
            return None, data.path, self._group_count(data)
        return None, None, 0

    def announce_cursor(self) -> None:
        """Tell the screen the cursor may show something else (the tree was rebuilt)."""
        self.post_message(self.Highlighted(*self.cursor()))

    # ------------------------------------------------------------------ tree events
    @on(Tree.NodeHighlighted, "#tree")
    def _highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        event.stop()
        self.announce_cursor()  # what the cursor is on now, not when the event was posted

    def _group_count(self, data: Group) -> int:
        parent, key = data.path[:-1], data.path[-1]
        return next(
            (n for k, n in self.store.children(self.tree_widget.ids, parent) if k == key), 0
        )

    @on(Tree.NodeSelected, "#tree")
    def _selected(self, event: Tree.NodeSelected[NodeData]) -> None:
        event.stop()
        data = event.node.data
        if isinstance(data, Leaf):
            self.post_message(self.Chosen(data.row_id))
        elif isinstance(data, More):
            node = event.node
            parent = node.parent
            index = len(parent.children) - 1 if parent is not None else 0
            self.tree_widget.show_more(node)
            if parent is not None and index < len(parent.children):
                self.call_after_refresh(self.tree_widget.move_cursor, parent.children[index])
