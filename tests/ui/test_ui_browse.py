"""Loading, the lazy tree, the filter, Enter-to-first-match, skipped lines, cancelling a load."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual import events
from ui_support import SAMPLE_ROWS, AppFactory, loaded, select_first_recording, wait_for

from ccfs_tui.ui.commands import app_commands
from ccfs_tui.ui.screens.problems import ProblemsScreen
from ccfs_tui.ui.widgets.tree import Group, Leaf


def summary_text(app) -> str:
    return str(app.main_screen.browser.query_one("#summary").render())


async def test_index_loads_into_a_lazy_tree(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        tree = app.main_screen.browser.tree_widget
        assert len(app.store) == SAMPLE_ROWS
        top = list(tree.root.children)
        assert top and all(isinstance(n.data, Group) and len(n.data.path) == 1 for n in top)
        assert sum(n for _, n in app.store.children(None, ())) == SAMPLE_ROWS
        # lazy: nothing below the VDNs until one is expanded
        assert all(not n.children for n in top)
        assert "3,000 recordings" in summary_text(app)
        # the first line is highlighted at launch: Enter opens it at once
        assert tree.cursor_node is top[0]
        await pilot.press("enter")
        await pilot.pause()
        assert top[0].is_expanded and top[0].children
        assert isinstance(top[0].children[0].data, Group)


async def test_filter_narrows_and_enter_selects_first_match(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        rec = app.store.recording(123)
        await pilot.press("slash")
        assert app.focused is app.main_screen.browser.filter_input
        await pilot.press(*rec.call_id)
        await wait_for(pilot, lambda: app.main_screen.browser.tree_widget.ids is not None)
        tree = app.main_screen.browser.tree_widget
        assert 123 in tree.ids
        assert len(tree.ids) < 5
        assert f"{len(tree.ids)} of 3,000" in summary_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main_screen.selected_row is not None)
        assert app.focused is tree
        assert isinstance(tree.cursor_node.data, Leaf)
        assert app.main_screen.selected_recording().call_id == rec.call_id
        detail = str(app.main_screen.detail.query_one("#fields").render())
        assert rec.call_id in detail and rec.caller_no in detail


async def test_filter_by_day_and_clearing(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        day = "2026-10-02"
        expected = sum(
            1 for i in app.store.all_ids() if f"{app.store.recording(i).call_begin:%F}" == day
        )
        await pilot.press("slash", *day)
        await wait_for(pilot, lambda: app.main_screen.browser.tree_widget.ids is not None)
        assert len(app.main_screen.browser.tree_widget.ids) == expected
        assert f"{expected:,} of 3,000" in summary_text(app)
        await pilot.press("escape")  # closes and clears the filter
        await wait_for(pilot, lambda: app.main_screen.browser.tree_widget.ids is None)
        assert "3,000 recordings" in summary_text(app)
        assert app.focused is app.main_screen.browser.tree_widget


async def test_stale_filter_is_ignored(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        rec = app.store.recording(5)
        app.main_screen.browser.run_filter("2026-10-01")
        app.main_screen.browser.run_filter(rec.call_id)  # the newer query wins
        await wait_for(pilot, lambda: app.main_screen.browser.applied_query == rec.call_id)
        await pilot.pause(0.2)
        assert app.main_screen.browser.applied_query == rec.call_id
        assert 5 in app.main_screen.browser.tree_widget.ids


async def test_skipped_lines_are_counted_and_listed(
    make_app: AppFactory, sample_index: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken_record.csv"
    lines = sample_index.read_text(encoding="utf-8").splitlines()
    broken.write_text(
        "\n".join([*lines[:11], "only,three,fields", *lines[11:21], "x" * 10]) + "\n",
        encoding="utf-8",
    )
    app = make_app(index_paths=[broken])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        assert len(app.main_screen.browser.problems) == 2
        assert "2 skipped" in summary_text(app)
        assert "Skipped" in [c.title for c in app_commands(app.main_screen)]
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        log_lines = list(app.screen.query_one("Log").lines)
        assert any(line.startswith(f"{broken}:12:") or ":12:" in line for line in log_lines)
        await pilot.press("escape")
        assert not isinstance(app.screen, ProblemsScreen)


async def test_escape_cancels_the_index_load(make_app: AppFactory) -> None:
    gate = threading.Event()
    app = make_app(prepare_index=lambda: gate.wait(10))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.main_screen.browser.index_loading
        assert "loading" in summary_text(app)
        assert "Cancel" in [c.title for c in app_commands(app.main_screen)]
        await pilot.press("escape")
        gate.set()
        await wait_for(pilot, lambda: not app.main_screen.browser.index_loading)
        await pilot.pause(0.2)
        assert len(app.store) == 0
        assert "cancelled" in summary_text(app)


async def test_no_index_says_how_to_give_one(make_app: AppFactory) -> None:
    """The left pane says there is none; the (wider) detail pane says how to open one,
    instead of "Pick a recording"."""
    app = make_app(index_paths=[])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "No index loaded" in summary_text(app)
        text = str(app.main_screen.detail.query_one("#playback").render())
        assert "ccfs-tui PATH" in text and "index_path" in text
        assert "Pick a recording" not in text


async def test_keys_of_the_footer_follow_the_state(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        screen = app.main_screen
        assert screen.check_action("request_token", ()) is False
        assert screen.check_action("copy_url", ()) is False
        await select_first_recording(pilot)
        assert screen.check_action("request_token", ()) is True
        assert screen.check_action("copy_url", ()) is False


async def test_a_slash_inside_the_filter_is_text(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        rec = app.store.recording(7)
        await pilot.press("slash", *rec.play_file_name[:12])
        box = app.main_screen.browser.filter_input
        assert box.value == rec.play_file_name[:12]
        await wait_for(pilot, lambda: app.main_screen.browser.tree_widget.ids is not None)
        assert 7 in app.main_screen.browser.tree_widget.ids


async def test_rows_show_and_filter_while_the_index_loads(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first chunk is on the first frame, nothing covers the tree while the rest loads,
    and a filter typed meanwhile follows the rows that keep coming."""
    from ccfs_tui.core import recordings
    from ccfs_tui.ui import index_loading

    monkeypatch.setattr(index_loading, "FIRST_CHUNK", 100)
    monkeypatch.setattr(index_loading, "LOAD_CHUNK", 100)
    gate = threading.Event()
    load_index = recordings.load_index

    def slow_load(*args: Any, **kwargs: Any) -> Any:
        for n, step in enumerate(load_index(*args, **kwargs)):
            if n == 3:
                gate.wait(10)  # the rest waits for the test
            yield step

    monkeypatch.setattr(recordings, "load_index", slow_load)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(app.store) >= 300)
        screen = app.main_screen
        assert app.main_screen.browser.index_loading and not screen.query("LoadingIndicator")
        assert screen.browser.tree_widget.root.children
        assert "loading" in summary_text(app)
        day = "2026-10-01"
        await pilot.press("slash", *day)
        await wait_for(pilot, lambda: screen.browser.applied_query == day)
        early = len(screen.browser.tree_widget.ids)
        assert 0 < early < 1000
        gate.set()
        await loaded(pilot)
        await pilot.pause(0.6)  # the tree follows on its refresh timer
        expected = len(app.store.filter(day))
        assert len(screen.browser.tree_widget.ids) == expected > early
        assert f"{expected:,} of 3,000" in summary_text(app)


async def test_a_key_after_a_pause_searches_at_once_a_burst_searches_once(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        runs: list[str] = []
        run_filter = app.main_screen.browser.run_filter

        def counting(query: str) -> None:
            runs.append(query)
            run_filter(query)

        app.main_screen.browser.run_filter = counting  # type: ignore[method-assign]
        browser = app.main_screen.browser
        await pilot.press("slash", "1")
        assert runs == ["1"]  # no debounce wait for a key after a pause
        for key in ("7", "0", "0"):  # a burst (a paste, tmux send-keys, key repeat)
            app.post_message(events.Key(key, key))
        await wait_for(pilot, lambda: browser.applied_query == "1700")
        assert runs == ["1", "1700"]  # one search, at the burst's last key
