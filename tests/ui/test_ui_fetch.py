"""The "Fetch index" screen (``f``) against the emulator on loopback: the windows go through
their states, the saved zip joins the open index without a restart (the cursor stays),
Escape cancels and leaves nothing on disk, a configuration error or a bad time is one line;
an SVG snapshot at 80x24."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from ui_support import AppFactory, loaded, select_first_recording, wait_for

from ccfs_tui.core.bill_window import split_range
from ccfs_tui.core.fetch_index import WindowProgress
from ccfs_tui.emulator import Emulator
from ccfs_tui.ui.screens.fetch import FetchScreen

DAY_ONE = "2026-10-01"
DAY_TWO = "2026-10-02"


@pytest.fixture
def day_one_index(sample_index: Path, tmp_path: Path) -> Path:
    """The sample's calls of its first day only (the emulator knows all three days)."""
    lines = sample_index.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "open" / "day1_record.csv"
    path.parent.mkdir()
    path.write_text(
        "".join([lines[0], *(line for line in lines[1:] if f",{DAY_ONE} " in line)]),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def fast_callbacks(emu: Emulator) -> Emulator:
    emu.callbacks.first_delay = 0.0
    emu.callbacks.retry_interval = 0.1
    return emu


def fetch_profile(tmp_path: Path, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"index_dir": tmp_path / "fetched", "callback_listen": "127.0.0.1:0"}
    values.update(changes)
    return values


def day_count(path: Path, day: str) -> int:
    return sum(f",{day} " in line for line in path.read_text(encoding="utf-8").splitlines())


async def open_fetch(pilot: Any, begin: str, end: str) -> FetchScreen:
    await pilot.press("f")
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, FetchScreen))
    screen = app.screen
    screen.query_one("#fetch-from").value = begin
    screen.query_one("#fetch-to").value = end
    screen.query_one("#fetch-from").focus()
    await pilot.pause()
    return screen


def shown_text(screen: FetchScreen, widget_id: str) -> str:
    return str(screen.query_one(widget_id).render())


async def test_fetched_rows_join_the_tree_without_a_restart(
    make_app: AppFactory,
    fast_callbacks: Emulator,
    day_one_index: Path,
    sample_index: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    states: list[str] = []
    report = FetchScreen._report

    def spy(self: FetchScreen, progress: WindowProgress) -> None:
        states.append(progress.state)
        report(self, progress)

    monkeypatch.setattr(FetchScreen, "_report", spy)
    app = make_app(index_paths=[day_one_index], profile_changes=fetch_profile(tmp_path))
    first = day_count(sample_index, DAY_ONE)
    second = day_count(sample_index, DAY_TWO)
    async with app.run_test(size=(120, 40)) as pilot:
        await select_first_recording(pilot)
        kept = app.main_screen.selected_row
        assert len(app.store) == first and app.store.days() == [DAY_ONE]
        screen = await open_fetch(pilot, DAY_TWO, DAY_TWO)
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.store) == first + second, timeout=20)
        await wait_for(pilot, lambda: "✓ opened" in shown_text(screen, "#fetch-states"))
        assert "1/1 10-02 00:00:00–10-02 23:59:59" in shown_text(screen, "#fetch-states")
        assert "Done: 1 zip(s)" in shown_text(screen, "#fetch-hint")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
        await wait_for(pilot, lambda: not app.main_screen.browser.index_loading)
        await pilot.pause(0.5)  # the tree's throttle timer
        tree = app.main_screen.browser.tree_widget
        assert app.store.days() == [DAY_ONE, DAY_TWO]
        vdn = tree.root.children[0].data.path[0]
        assert DAY_TWO in [day for day, _n in app.store.children(None, (vdn,))]
        assert app.main_screen.selected_row == kept  # the cursor stayed on its recording
        browser = app.main_screen.browser
        await wait_for(pilot, lambda: browser.call_legs is not None)  # the zip's _call_ file
        assert browser.call_legs.rows == second and browser.problems == []
    assert states[0] == "queried" and states[-1] == "saved"
    assert "downloading" in states
    (saved,) = (tmp_path / "fetched").iterdir()
    assert saved.suffix == ".zip"


async def test_escape_cancels_the_fetch_and_leaves_nothing(
    make_app: AppFactory, emu: Emulator, day_one_index: Path, tmp_path: Path
) -> None:
    emu.callbacks.never_send = True
    app = make_app(index_paths=[day_one_index], profile_changes=fetch_profile(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        rows = len(app.store)
        screen = await open_fetch(pilot, DAY_TWO, DAY_TWO)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: "waiting for the callback" in shown_text(screen, "#fetch-states")
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
        await pilot.pause(0.3)
        assert len(app.store) == rows
    fetched = tmp_path / "fetched"
    assert not fetched.exists() or list(fetched.iterdir()) == []


async def test_no_callback_url_is_the_one_line_fix(
    make_app: AppFactory, day_one_index: Path, tmp_path: Path
) -> None:
    app = make_app(
        index_paths=[day_one_index],
        profile_changes=fetch_profile(tmp_path, callback_listen="", callback_url=""),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        screen = await open_fetch(pilot, DAY_TWO, DAY_TWO)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.query_one("#fetch-error").display)
        error = shown_text(screen, "#fetch-error")
        assert "no callback_url" in error and "Set callback_url" in error
        assert "\n" not in error.strip()
        assert "stopped" in shown_text(screen, "#fetch-states")


async def test_a_range_that_ends_before_it_begins_is_one_line_and_sends_nothing(
    make_app: AppFactory, emu: Emulator, day_one_index: Path, tmp_path: Path
) -> None:
    app = make_app(index_paths=[day_one_index], profile_changes=fetch_profile(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        before = len(emu.requests_seen)
        screen = await open_fetch(pilot, DAY_TWO, DAY_ONE)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert "ends (2026-10-01 23:59:59) before it begins" in shown_text(screen, "#fetch-error")
        screen.query_one("#fetch-to").value = "yesterday"
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert "is not a time: write YYYY-MM-DD" in shown_text(screen, "#fetch-error")
        assert len(emu.requests_seen) == before


def test_fetch_screen_snapshot(snap_compare: Any, day_one_index: Path, tmp_path: Path) -> None:
    """The screen at 80x24 with three windows: opened, waiting 1:05, still to do."""
    from ccfs_tui.core.clock import FakeClock
    from ccfs_tui.core.config import Profile
    from ccfs_tui.core.session import Session
    from ccfs_tui.core.tokens import TokenStore
    from ccfs_tui.ui.app import CcfsApp

    clock = FakeClock(datetime.fromisoformat("2026-10-03T08:00:00+00:00"))
    profile = Profile(
        name="prod",
        base_url="https://10.22.26.181:28443",
        app_id="cc-support",
        secret_env="SNAPSHOT_NO_SUCH_VAR",
        index_dir=tmp_path / "fetched",
    )
    session = Session(profile=profile, tokens=TokenStore(None, clock), clock=clock)
    app = CcfsApp(session, tick=False, player_finder=lambda: None, environ={})
    windows = split_range(datetime(2026, 9, 25), datetime(2026, 10, 3, 8, 0))

    async def run_before(pilot: Any) -> None:
        await wait_for(pilot, lambda: app.main_screen.is_mounted)
        screen = FetchScreen(session, lambda _paths: None, now=datetime(2026, 10, 3, 8, 0))
        await app.push_screen(screen)
        screen.query_one("#fetch-from").value = "2026-09-25"
        screen.windows = windows
        saved = tmp_path / "fetched" / "20261003_x.zip"
        for progress in (
            WindowProgress(1, 3, windows[0], "saved", "a" * 32, path=saved),
            WindowProgress(2, 3, windows[1], "waiting", "b" * 32, waited=65.4),
        ):
            screen.post_message(FetchScreen.WindowChanged(progress))
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def test_the_sk_is_asked_for_then_the_fetch_runs(
    make_app: AppFactory, fast_callbacks: Emulator, day_one_index: Path, tmp_path: Path
) -> None:
    from ui_support import SK

    from ccfs_tui.ui.screens.secret_prompt import SecretPromptScreen

    app = make_app(
        index_paths=[day_one_index],
        secret=None,
        profile_changes=fetch_profile(tmp_path, secret_prompt=True),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        rows = len(app.store)
        await open_fetch(pilot, DAY_TWO, DAY_TWO)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SecretPromptScreen))
        await pilot.press(*SK, "enter")
        await wait_for(pilot, lambda: len(app.store) > rows, timeout=20)
        assert isinstance(app.screen, FetchScreen)
