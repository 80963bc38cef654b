"""The lazy VDN -> day -> agent -> recording tree, drawn from the store (never a node per row)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ccfs_tui.ui.actions import TREE, bindings_for
from ccfs_tui.ui.formatting import count, leaf_label, shown

LEVEL_NAMES = ("VDN", "", "Agent")
"""Label prefixes of the group levels (the day needs none)."""

LEAF_PAGE = 200
"""Recordings shown under one agent before a "… N more" node."""


@dataclass(frozen=True, slots=True)
class Group:
    """A VDN, day or agent node: the path of keys from the top."""

    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Leaf:
    """One recording (its row id in the store)."""

    row_id: int


@dataclass(frozen=True, slots=True)
class More:
    """The "… N more" node under an agent; selecting it shows the next page."""

    path: tuple[str, ...]
    shown: int


NodeData = Group | Leaf | More


def group_name(path: tuple[str, ...]) -> str:
    """``VDN 12``, ``2026-10-03`` or ``Agent 1001``: the last key of ``path``, named (the
    keys come from the index: shown, see :func:`~ccfs_tui.ui.formatting.shown`)."""
    prefix = LEVEL_NAMES[len(path) - 1]
    return f"{prefix} {shown(path[-1])}" if prefix else shown(path[-1])


def group_label(path: tuple[str, ...], n: int) -> Text:
    """``VDN 12  4,321`` with the count dimmed (a ``Text``: never parsed as markup)."""
    return Text.assemble(group_name(path), ("  " + count(n), "dim"))


class RecordingTree(Tree[NodeData]):
    """Shows ``store`` restricted to ``ids`` (None: every row), populated as nodes expand."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for(TREE))
    """j/k, g/G, h and the arrows (from the action table, ui/actions.py; l is listen)."""

    def __init__(self, store: Any, **kwargs: Any) -> None:
        super().__init__("Recordings", **kwargs)
        self.store = store
        self.ids: Sequence[int] | None = None
        self.show_root = False
        self.guide_depth = 2
        self.auto_expand = False  # groups toggle in action_select_cursor, synchronously
        self._populated: set[int] = set()

    # ----------------------------------------------------------------- building
    def rebuild(self) -> None:
        """Drop every node and show the top level again (all collapsed)."""
        self.clear()
        self._populated = set()
        self.populate(self.root)
        self.root.expand()

    def populate(self, node: TreeNode[NodeData]) -> None:
        """Add the children of ``node`` if it has none yet."""
        if node.id in self._populated:
            return
        self._populated.add(node.id)
        path = node.data.path if isinstance(node.data, Group) else ()
        if len(path) < 3:
            for key, n in self.store.children(self.ids, path):
                node.add(group_label((*path, key), n), Group((*path, key)))
        else:
            self._add_leaves(node, path, 0)

    def _add_leaves(self, node: TreeNode[NodeData], path: tuple[str, ...], start: int) -> None:
        leaves = self.store.leaves(self.ids, path)
        page = leaves[start : start + LEAF_PAGE]
        for row_id in page:
            # a Text, not a str: Tree parses a str label as markup
            node.add_leaf(Text(leaf_label(self.store.recording(row_id))), Leaf(row_id))
        left = len(leaves) - start - len(page)
        if left > 0:
            node.add_leaf(Text(f"… {count(left)} more", "italic"), More(path, start + len(page)))

    def show_more(self, node: TreeNode[NodeData]) -> None:
        """Replace a "… N more" node with the next page of recordings."""
        data = node.data
        parent = node.parent
        if not isinstance(data, More) or parent is None:
            return
        node.remove()
        self._add_leaves(parent, data.path, data.shown)

    def _toggle_node(self, node: TreeNode[NodeData]) -> None:
        # Populate in the same step as the expansion, so keys typed fast (a paste, tmux
        # send-keys) already see the children.
        if not node.is_expanded and node.allow_expand:
            self.populate(node)
        super()._toggle_node(node)

    def action_select_cursor(self) -> None:
        """Enter / click: toggle a group at once (before the next key), then say so."""
        node = self.cursor_node
        if node is None:
            return
        if isinstance(node.data, Group):
            self._toggle_node(node)
        self.post_message(Tree.NodeSelected(node))

    def highlight_first(self) -> None:
        """Put the cursor on the first line if it is on none (Enter works at once)."""
        if self.cursor_line < 0 and self.root.children:
            self.cursor_line = 0

    def action_cursor_first(self) -> None:
        """``g``: the first line."""
        self.action_scroll_home()

    def action_cursor_last(self) -> None:
        """``G``: the last line."""
        self.action_scroll_end()

    def action_collapse(self) -> None:
        """``h`` / Left: close the open group under the cursor, else go to its group."""
        node = self.cursor_node
        if node is None:
            return
        if isinstance(node.data, Group) and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            _ = self.last_line  # the line table, so the group knows its line
            self.move_cursor(node.parent)

    def action_expand(self) -> None:
        """``l`` / Right: open the group under the cursor; on an open one, go to its first line."""
        node = self.cursor_node
        if node is None or not isinstance(node.data, Group):
            return
        if not node.is_expanded:
            self._toggle_node(node)
        elif node.children:
            _ = self.last_line
            self.move_cursor(node.children[0])

    # ----------------------------------------------------------------- width
    def _label_room(self, node: TreeNode[NodeData]) -> int:
        """Cells left for ``node``'s label: the pane's width less the guides of its depth
        and its expand icon (never a horizontal scrollbar)."""
        depth = 0
        parent = node.parent
        while parent is not None and parent is not self.root:
            depth += 1
            parent = parent.parent
        icon = 2 if node.allow_expand else 0
        # the vertical scrollbar's cells are kept free, whether it shows yet or not
        width = self.content_region.width - self.styles.scrollbar_size_vertical
        return max(width - depth * self.guide_depth - icon, 1)

    def render_label(self, node: TreeNode[NodeData], base_style: Style, style: Style) -> Text:
        """The label cut to the pane's width by terminal cells: a recording's line keeps its
        time and the ends of its numbers (see ``fit.leaf_text``), a group its start."""
        text = super().render_label(node, base_style, style)
        room = self._label_room(node) + (2 if node.allow_expand else 0)
        if text.cell_len <= room:
            return text
        data = node.data
        if isinstance(data, Leaf):
            fitted = Text(leaf_label(self.store.recording(data.row_id), room))
            fitted.stylize(style)
            return Text.assemble(("", base_style), fitted)
        text.truncate(room, overflow="ellipsis")
        return text

    def get_label_width(self, node: TreeNode[NodeData]) -> int:
        """At most the room of the label (no recording is read to measure it)."""
        icon = 2 if node.allow_expand else 0
        label = node.label
        width = label.cell_len if isinstance(label, Text) else Text(label).cell_len
        return min(width, self._label_room(node)) + icon

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        """Populate lazily (nodes expanded from code)."""
        self.populate(event.node)

    # ----------------------------------------------------------------- refreshing
    def sync(self) -> None:
        """Bring counts and populated nodes up to date after rows were added.

        Keeps the cursor on the node it was on, even when nodes are inserted above it.
        """
        cursor = self.cursor_node
        self._sync(self.root, ())
        if cursor is not None and cursor.tree is self and self._is_attached(cursor):
            _ = self.last_line  # rebuild the line table so the node knows its line
            if cursor.line >= 0 and cursor.line != self.cursor_line:
                self.move_cursor(cursor)

    def _is_attached(self, node: TreeNode[NodeData]) -> bool:
        try:
            return self.get_node_by_id(node.id) is node
        except Exception:
            return False

    def _sync(self, node: TreeNode[NodeData], path: tuple[str, ...]) -> None:
        if node is not self.root and node.id not in self._populated:
            return
        if len(path) == 3:
            self._sync_leaves(node, path)
            return
        wanted = self.store.children(self.ids, path)
        existing: dict[str, TreeNode[NodeData]] = {
            child.data.path[-1]: child for child in node.children if isinstance(child.data, Group)
        }
        for index, (key, n) in enumerate(wanted):
            child = existing.pop(key, None)
            label = group_label((*path, key), n)
            if child is None:
                before = index if index < len(node.children) else None
                child = node.add(label, Group((*path, key)), before=before)
            elif child.label != label:
                child.set_label(label)
            self._sync(child, (*path, key))
        for child in existing.values():
            child.remove()

    def _sync_leaves(self, node: TreeNode[NodeData], path: tuple[str, ...]) -> None:
        leaves = self.store.leaves(self.ids, path)
        shown = [child.data.row_id for child in node.children if isinstance(child.data, Leaf)]
        more = any(isinstance(child.data, More) for child in node.children)
        if not more and shown == list(leaves[: len(shown)]) and len(shown) == len(leaves):
            return
        keep = max(len(shown), LEAF_PAGE)
        node.remove_children()
        self._add_leaves(node, path, 0)
        if keep > LEAF_PAGE:
            while True:
                tail = node.children[-1] if node.children else None
                if tail is None or not isinstance(tail.data, More) or tail.data.shown >= keep:
                    break
                self.show_more(tail)

    # ----------------------------------------------------------------- finding
    def first_leaf(self) -> TreeNode[NodeData] | None:
        """Expand down to the first recording and return its node (None if empty)."""
        node = self.root
        for _level in range(4):
            self.populate(node)
            if not node.children:
                return None
            if node is not self.root:
                node.expand()
            node = node.children[0]
            if isinstance(node.data, Leaf):
                return node
        return None

    def find_leaf(self, row_id: int) -> TreeNode[NodeData] | None:
        """Expand down to recording ``row_id`` (if it is in the current view)."""
        rec = self.store.recording(row_id)
        keys = (rec.vdn_id, f"{rec.call_begin:%Y-%m-%d}", rec.agent_id)
        node = self.root
        for depth in range(3):
            self.populate(node)
            match = next(
                (
                    child
                    for child in node.children
                    if isinstance(child.data, Group) and child.data.path[depth] == keys[depth]
                ),
                None,
            )
            if match is None:
                return None
            node = match
            node.expand()
        self.populate(node)
        while True:
            for child in node.children:
                if isinstance(child.data, Leaf) and child.data.row_id == row_id:
                    return child
            tail = node.children[-1] if node.children else None
            if tail is None or not isinstance(tail.data, More):
                return None
            self.show_more(tail)

    def jump_to(self, node: TreeNode[NodeData]) -> None:
        """Put the cursor on ``node`` with the node centred (its groups stay in view).

        Centred again after the next refresh: lines just added by expanding groups only
        count in the virtual size once laid out, so a first scroll may stop short.
        """
        _ = self.last_line  # build the line table so the node knows its line
        self._centre_on(node)
        self.call_after_refresh(self._centre_on, node)

    def _centre_on(self, node: TreeNode[NodeData]) -> None:
        if node.tree is not self or node.line < 0:
            return
        self.center_scroll = True
        try:
            self.move_cursor(node)
        finally:
            self.center_scroll = False

    def highlighted_row(self) -> int | None:
        """Row id under the cursor, if the cursor is on a recording."""
        node = self.cursor_node
        return node.data.row_id if node is not None and isinstance(node.data, Leaf) else None
