"""Keys and pastes sent as one burst, with no pause between them (Pilot's ``press`` waits for
the app to go idle after every key, which hid every bug here): nothing is lost, reordered or
sent to the wrong widget, and every action acts on the recording under the cursor when its
key is handled."""

from __future__ import annotations

import threading
from typing import Any

from textual import events
from ui_support import AppFactory, loaded, wait_for

from ccfs_tui.core.index import read_recordings
from ccfs_tui.core.recording import Recording
from ccfs_tui.ui.app import CcfsApp


def burst(app: CcfsApp, *keys: str) -> None:
    """Post every key at once, as a terminal delivers a fast burst (no wait in between).
    A key of one character is typed as that character; other names as named keys."""
    names = {"/": "slash", " ": "space", "-": "minus", ":": "colon"}
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(names.get(key, key), key))
        else:
            app.post_message(events.Key(key, "\r" if key == "enter" else None))


def type_text(app: CcfsApp, text: str) -> None:
    """``text`` typed as one burst, character by character."""
    burst(app, *text)


def paste(app: CcfsApp, text: str) -> None:
    """A bracketed paste, right behind whatever was posted before it."""
    app.post_message(events.Paste(text))


async def settled(pilot: Any, app: CcfsApp) -> None:
    """Every key posted has been let through and handled."""
    await wait_for(
        pilot, lambda: app.input_gate.waiting == 0 and not app.main_screen.jobs.request_running()
    )
    await pilot.pause()


def filter_value(app: CcfsApp) -> str:
    return app.main_screen.browser.filter_input.value


def detail_call_id(app: CcfsApp) -> str | None:
    rec = app.main_screen.detail.recording
    return rec.call_id if rec is not None else None


def two_recordings(app: CcfsApp) -> tuple[int, Recording, int, Recording]:
    """Two recordings of different days and agents (so a filter on one hides the other)."""
    first = 5
    rec_a = app.store.recording(first)
    for row in range(len(app.store) - 1, 0, -1):
        rec_b = app.store.recording(row)
        if rec_b.agent_id != rec_a.agent_id and rec_b.call_begin.date() != rec_a.call_begin.date():
            return first, rec_a, row, rec_b
    raise AssertionError("the sample has one agent only")


async def put_cursor_on(pilot: Any, app: CcfsApp, row_id: int) -> None:
    browser = app.main_screen.browser
    browser.reveal(row_id)
    browser.screen.set_focus(browser.tree_widget)
    await wait_for(
        pilot, lambda: app.main_screen.selected_row == row_id and detail_call_id(app) is not None
    )
    await pilot.pause()


async def test_backspace_and_editing_keys_stay_in_order(make_app: AppFactory) -> None:
    """'10011', two Backspaces, '23' in one burst reads '10023', every time (it read '10011'
    in 23 of 30 runs in a real terminal: textual#6605 made worse by the app)."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        for _ in range(15):
            burst(app, "/", "1", "0", "0", "1", "1", "backspace", "backspace", "2", "3")
            await settled(pilot, app)
            assert filter_value(app) == "10023"
            burst(app, "escape")
            await settled(pilot, app)
            burst(app, "/", "a", "b", "c", "home", "ctrl+k", "1", "2", "end", "backspace", "9")
            await settled(pilot, app)
            assert filter_value(app) == "19"
            burst(app, "escape")
            await settled(pilot, app)


async def test_slash_id_enter_r_requests_the_filtered_recording(make_app: AppFactory) -> None:
    """The cursor was on A; '/', B's call id, Enter, r in one burst: the token is B's, the
    detail pane shows B (it stayed on A, and r requested A, 5 of 5 times)."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        row_a, rec_a, row_b, rec_b = two_recordings(app)
        await put_cursor_on(pilot, app, row_a)
        assert detail_call_id(app) == rec_a.call_id
        burst(app, "/", *rec_b.call_id, "enter", "r")
        await settled(pilot, app)
        await wait_for(
            pilot, lambda: app.session.tokens.latest_for(rec_b.play_file_name) is not None
        )
        assert app.session.tokens.latest_for(rec_a.play_file_name) is None
        assert app.main_screen.selected_row == row_b
        assert detail_call_id(app) == rec_b.call_id


async def test_second_enter_of_a_burst_requests_the_match(make_app: AppFactory) -> None:
    """'/', a call id, Enter, Enter: the second Enter lands on the match and requests it
    (it used to be swallowed by the filter)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        _, _, _, rec_b = two_recordings(app)
        burst(app, "/", *rec_b.call_id, "enter", "enter")
        await settled(pilot, app)
        await wait_for(
            pilot, lambda: app.session.tokens.latest_for(rec_b.play_file_name) is not None
        )
        assert app.main_screen.browser.tree_widget.has_focus


async def test_a_line_feed_typed_ahead_is_enter(make_app: AppFactory) -> None:
    """Enter typed before the terminal is in raw mode arrives as ctrl+j (the tty's ICRNL):
    it submits the filter all the same."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        _, _, row_b, rec_b = two_recordings(app)
        burst(app, "/", *rec_b.call_id)
        app.post_message(events.Key("ctrl+j", "\n"))
        await settled(pilot, app)
        assert app.main_screen.selected_row == row_b


async def test_paste_with_and_without_newline(make_app: AppFactory) -> None:
    """A call id pasted with its line end jumps to it, and r then requests it; pasted
    without one it waits for Enter. Either way the text is there once."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        row_a, rec_a, row_b, rec_b = two_recordings(app)
        await put_cursor_on(pilot, app, row_a)
        burst(app, "/")
        paste(app, rec_b.call_id + "\n")
        burst(app, "r")
        await settled(pilot, app)
        assert filter_value(app) == rec_b.call_id
        await wait_for(
            pilot, lambda: app.session.tokens.latest_for(rec_b.play_file_name) is not None
        )
        assert app.session.tokens.latest_for(rec_a.play_file_name) is None

        burst(app, "escape", "escape")
        await settled(pilot, app)
        await put_cursor_on(pilot, app, row_b)
        burst(app, "/")
        paste(app, rec_a.call_id)
        await settled(pilot, app)
        assert filter_value(app) == rec_a.call_id
        assert app.main_screen.browser.filter_input.has_focus  # no newline: no jump
        burst(app, "enter", "r")
        await settled(pilot, app)
        await wait_for(
            pilot, lambda: app.session.tokens.latest_for(rec_a.play_file_name) is not None
        )
        assert app.main_screen.selected_row == row_a


async def test_paste_on_the_tree_opens_the_filter(make_app: AppFactory) -> None:
    """Pasting a call id with the tree focused filters on it (and its newline jumps)."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        _, _, row_b, rec_b = two_recordings(app)
        paste(app, "\n  " + rec_b.call_id + "  \nsecond line")
        await settled(pilot, app)
        assert filter_value(app) == rec_b.call_id
        assert app.main_screen.selected_row == row_b


async def test_keys_typed_during_the_load_wait_for_the_match(
    make_app: AppFactory, sample_index: Any
) -> None:
    """'/', a call id, Enter, r typed while the index is still being prepared: nothing is
    lost, the keys after Enter wait until the match is read, and r requests it."""
    gate = threading.Event()
    app = make_app(prepare_index=lambda: gate.wait(10))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        rec = read_recordings(sample_index)[0][-1]  # the last row: read last
        burst(app, "/", *rec.call_id, "enter", "r")
        # typed while nothing is loaded: all of the id lands; Enter's r waits for the match
        await wait_for(pilot, lambda: app.input_gate.waiting == 1)
        assert filter_value(app) == rec.call_id
        assert app.main_screen.browser.index_loading and len(app.store) == 0
        gate.set()
        await loaded(pilot)
        await settled(pilot, app)
        await wait_for(pilot, lambda: app.session.tokens.latest_for(rec.play_file_name) is not None)
        assert detail_call_id(app) == rec.call_id


async def test_escape_ends_the_wait_for_a_match(make_app: AppFactory) -> None:
    """Enter on a query nothing matches while loading holds the keys; Escape ends that."""
    gate = threading.Event()
    app = make_app(prepare_index=lambda: gate.wait(10))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        burst(app, "/", "z", "z", "z", "enter", "escape")
        box = app.main_screen.browser.filter_input
        # Escape got through although nothing was loaded to answer Enter, and closed the filter
        await wait_for(pilot, lambda: app.input_gate.waiting == 0 and not box.display)
        assert app.main_screen.browser.index_loading and len(app.store) == 0
        gate.set()
        await loaded(pilot)


async def test_keys_after_a_screen_opens_go_to_that_screen(make_app: AppFactory) -> None:
    """'t' (or '?', 'a'), Escape, '/', text, all in one burst: each screen opens, takes its
    Escape, and the text lands in the filter of the main screen."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        for key in ("t", "question_mark", "a"):
            burst(app, "escape")
            await settled(pilot, app)
            char = "?" if key == "question_mark" else key
            app.post_message(events.Key(key, char))
            burst(app, "escape", "/", "1", "2", "3")
            await settled(pilot, app)
            assert app.screen is app.main_screen, key
            assert filter_value(app) == "123", key


async def test_the_group_under_the_cursor_shows_its_count_once_loaded(
    make_app: AppFactory,
) -> None:
    """At launch the cursor is on the first group while rows still arrive: the detail pane's
    count grows with the load (it stayed at the first chunk's count)."""
    gate = threading.Event()
    app = make_app(prepare_index=lambda: gate.wait(10))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        gate.set()
        await loaded(pilot)
        detail = app.main_screen.detail
        await wait_for(pilot, lambda: app.main_screen.browser.cursor()[1] is not None)
        _, group, n = app.main_screen.browser.cursor()
        assert group is not None and n > 0
        await wait_for(pilot, lambda: f"{n:,} recordings" in detail.group_text)
