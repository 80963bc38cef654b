"""The left pane: filter input, counts, load progress and the recording tree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.markup import escape as escape_markup
from textual.message import Message
from textual.widgets import Input, ProgressBar, Static, Tree

from ccfs_tui.ui.formatting import count, shown, shown_lines
from ccfs_tui.ui.input_gate import gate_of
from ccfs_tui.ui.widgets.tree import Group, Leaf, More, NodeData, RecordingTree

FILTER_DELAY = 0.03
"""A key with more keys typed behind it (a burst, a paste, key repeat: the input gate holds
them) does not search; the last one does, at once. Seconds after which a key of a burst
searches anyway if the rest never reaches the filter. A search still running when a newer
one starts is cancelled."""


class FilterInput(Input):
    """The ``/`` filter; Escape closes it.

    Opening it selects its old text (what is typed next replaces it) at the moment ``/`` is
    handled, not when its Focus event comes round: Input's own select-on-focus, run later,
    would select the first characters typed after ``/`` and the next one would replace them.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close filter")]

    class Closed(Message):
        """Escape was pressed in the filter."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(select_on_focus=False, **kwargs)

    def action_close(self) -> None:
        """Close the filter."""
        self.post_message(self.Closed())

    def paste_text(self, text: str) -> None:
        """A paste: its first line that is not blank, trimmed; a newline after it submits
        (a call id copied with its line end jumps to the recording, as Enter would)."""
        lines = text.splitlines(keepends=True)
        index = next((i for i, line in enumerate(lines) if line.strip()), None)
        if index is None:
            return
        line = lines[index]
        words = "".join(ch if ch.isprintable() else " " for ch in line).strip()
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(words)
        else:
            self.replace(words, *selection)
        if line.endswith(("\n", "\r")):
            self.post_message(self.Submitted(self, self.value))

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Input's own handler would insert the text a second time
        self.paste_text(event.text)


class RecordingBrowser(Vertical):
    """Browse and filter the recordings of the store."""

    class Highlighted(Message):
        """The cursor moved to a recording (``row_id``) or a group (``group``)."""

        def __init__(self, row_id: int | None, group: tuple[str, ...] | None, n: int) -> None:
            super().__init__()
            self.row_id = row_id
            self.group = group
            self.count = n

    class Chosen(Message):
        """Enter on a recording."""

        def __init__(self, row_id: int) -> None:
            super().__init__()
            self.row_id = row_id

    class FilterChanged(Message):
        """The filter text changed (debounced); the app runs it on the store."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    def __init__(self, store: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.store = store
        self.query_text = ""
        self.applied_query = ""
        self.total = 0
        self.problem_count = 0
        self.index_loading = False
        """The index is still loading (not Widget.loading: that would cover the browser)."""
        self.load_note = ""
        self.empty_text = ""
        self._debounce: Any = None
        self._reveal_on_apply = False

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder="call id, number, agent, file, 2026-10-03", id="filter")
        yield Static(id="summary")
        yield ProgressBar(id="load-progress", show_eta=False, total=100)
        yield RecordingTree(self.store, id="tree")

    def on_mount(self) -> None:
        self.border_title = "Recordings"
        self.query_one("#filter").display = False
        self.query_one("#load-progress").display = False
        self.update_summary()

    @property
    def tree_widget(self) -> RecordingTree:
        """The tree widget."""
        return self.query_one(RecordingTree)

    @property
    def filter_input(self) -> FilterInput:
        """The filter input."""
        return self.query_one(FilterInput)

    # ------------------------------------------------------------------ summary
    def matches(self) -> int:
        """How many recordings the current view shows."""
        ids = self.tree_widget.ids
        return self.total if ids is None else len(ids)

    def update_summary(self) -> None:
        """Redraw the counts line."""
        summary = self.query_one("#summary", Static)
        if self.empty_text and not self.total and not self.index_loading:
            summary.update(Content(shown_lines(self.empty_text)))
            return
        parts = []
        if self.tree_widget.ids is not None:
            parts.append(f"[b]{count(len(self.tree_widget.ids))}[/] of {count(self.total)}")
        else:
            parts.append(f"[b]{count(self.total)}[/] recordings")
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
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        gate = gate_of(self)
        if gate is not None and gate.waiting:
            # more of a burst or paste is typed already: one search, at its end (the timer
            # only serves if the rest of it never reaches the filter)
            self._debounce = self.set_timer(FILTER_DELAY, self._emit_filter)
        else:
            self._emit_filter()  # the last key typed so far: search now

    def _emit_filter(self) -> None:
        self._debounce = None
        self.post_message(self.FilterChanged(self.query_text))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if self.query_text.strip() != self.applied_query.strip():
            self._reveal_on_apply = True
            # the keys typed after Enter are for the tree at its first match: they wait
            if (gate := gate_of(self)) is not None:
                gate.hold("filter")
            self.post_message(self.FilterChanged(self.query_text))
        else:
            self.reveal_first()

    def apply_filter(self, query: str, ids: Sequence[int] | None) -> None:
        """Show the store's answer to ``query`` (stale answers are dropped by the caller)."""
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
        keys typed after Enter go on. While the index loads and nothing matches yet, wait
        for the rows still to come (the owner calls this again as they arrive)."""
        if not self._reveal_on_apply:
            return
        node = self.tree_widget.first_leaf()
        if node is None and self.index_loading:
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
        """Focus the tree on ``node`` (a bell when there is none)."""
        tree = self.tree_widget
        self.screen.set_focus(tree)
        if node is None:
            self.app.bell()
            return
        tree.jump_to(node)

    def reveal(self, row_id: int) -> None:
        """Expand down to ``row_id`` and put the cursor on it."""
        tree = self.tree_widget
        node = tree.find_leaf(row_id)
        if node is not None:
            tree.jump_to(node)

    # ------------------------------------------------------------------ the cursor
    def cursor(self) -> tuple[int | None, tuple[str, ...] | None, int]:
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
