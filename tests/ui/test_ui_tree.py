"""The lazy tree: counts refresh as chunks arrive, the cursor stays put, big agents page."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from ui_support import AppFactory, loaded

from ccfs_tui.core.recordings import RecordingStore
from ccfs_tui.ui import index_loading
from ccfs_tui.ui.widgets import tree as tree_module
from ccfs_tui.ui.widgets.tree import Group, Leaf, More, RecordingTree


def rows_of(path: Path) -> list[tuple[str, ...]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [tuple(row) for row in csv.reader(handle)]
    return rows[1:]  # header


class TreeApp(App[None]):
    def __init__(self, store: RecordingStore) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield RecordingTree(self.store)


def labels(node) -> list[str]:
    return [str(child.label) for child in node.children]


async def test_sync_adds_new_groups_and_keeps_the_cursor(sample_index: Path) -> None:
    rows = rows_of(sample_index)
    store = RecordingStore()
    store.extend_rows(rows[:1000])
    app = TreeApp(store)
    async with app.run_test(size=(80, 40)) as pilot:
        tree = app.query_one(RecordingTree)
        tree.rebuild()
        vdn = tree.root.children[0]
        tree.populate(vdn)
        vdn.expand()
        day = vdn.children[0]
        tree.populate(day)
        day.expand()
        await pilot.pause()
        agent = day.children[-1]
        tree.move_cursor(agent)
        await pilot.pause()
        before = tree.cursor_node
        store.extend_rows(rows[1000:])
        tree.sync()
        await pilot.pause()
        assert tree.cursor_node is before
        total = sum(n for _, n in store.children(None, ()))
        shown = sum(int(str(c.label).split()[-1].replace(",", "")) for c in tree.root.children)
        assert shown == total == len(rows)
        expected = [key for key, _ in store.children(None, vdn.data.path)]
        assert [c.data.path[-1] for c in vdn.children] == expected
        expected_agents = [key for key, _ in store.children(None, day.data.path)]
        assert [c.data.path[-1] for c in day.children] == expected_agents


async def test_a_big_agent_is_paged(sample_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tree_module, "LEAF_PAGE", 5)
    rows = rows_of(sample_index)
    store = RecordingStore()
    store.extend_rows(rows)
    app = TreeApp(store)
    async with app.run_test(size=(80, 40)) as pilot:
        tree = app.query_one(RecordingTree)
        tree.rebuild()
        vdn = store.children(None, ())[0][0]
        day = store.children(None, (vdn,))[0][0]
        agent, n = max(store.children(None, (vdn, day)), key=lambda item: item[1])
        assert n > 10
        path = (vdn, day, agent)
        leaves = store.leaves(None, path)
        node = tree.find_leaf(leaves[0])
        agent_node = node.parent
        kids = list(agent_node.children)
        assert len(kids) == 6 and isinstance(kids[-1].data, More)
        assert str(kids[-1].label) == f"… {n - 5} more"
        tree.show_more(kids[-1])
        assert len(agent_node.children) == (11 if n > 10 else n)
        last = tree.find_leaf(leaves[-1])  # pages on until it is shown
        await pilot.pause()
        assert last is not None and last.data == Leaf(leaves[-1])
        assert not any(isinstance(c.data, More) for c in agent_node.children)
        assert [c.data.row_id for c in agent_node.children] == list(leaves)


async def test_chunks_refresh_the_counts_while_loading(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_loading, "LOAD_CHUNK", 400)
    monkeypatch.setattr(index_loading, "FIRST_CHUNK", 200)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        # the first chunk is read before the first frame: rows show at once
        assert len(app.store) == 200
        assert app.main_screen.browser.tree_widget.root.children
        await loaded(pilot)
        await pilot.pause(0.5)
        tree = app.main_screen.browser.tree_widget
        shown = sum(int(str(c.label).split()[-1].replace(",", "")) for c in tree.root.children)
        assert shown == len(app.store)
        assert all(isinstance(c.data, Group) for c in tree.root.children)
        assert "3,000 recordings" in str(app.main_screen.browser.query_one("#summary").render())
