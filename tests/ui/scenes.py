"""Deterministic screens for the SVG snapshots and for ``screenshots/*.svg``.

Fixed seed data, a FakeClock, a fixed SK and fixed tokens; no network (the signed preview
is computed locally), so the same pixels come out every run. Used by
``test_ui_snapshots.py`` and by ``make_screenshots.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ccfs_tui.core.clock import FakeClock
from ccfs_tui.core.config import Profile
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.session import Session
from ccfs_tui.core.tokens import Token, TokenStore
from ccfs_tui.emulator.sample_index import generate_recordings, write_index
from ccfs_tui.ui.app import CcfsApp

SCENE_SK = "scene-sk-never-shown-7f3a9c"
SCENE_NOW = datetime(2026, 10, 3, 14, 12, 0, tzinfo=UTC)
SCENE_ROWS = 20_000
SCENE_FIRST_DAY = date(2026, 9, 27)
SCENE_DAY = "2026-10-02"
TOKENS = (
    "DC45A1B2C3D4E5F60718293A4B5C6F90",
    "7E21C0FFEE4B9D2A55AA33CC77EE1B42",
    "A9F03B7C1D2E4F5061728394A5B6C7D8",
    "51C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6",
)

Scene = tuple[CcfsApp, Callable[[Any], Awaitable[None]]]


def write_scene_index(folder: Path) -> Path:
    """The 20,000-row sample index of the screenshots (seed 7, 7 days)."""
    path = folder / "scene_record.csv"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        write_index(
            path,
            generate_recordings(
                SCENE_ROWS, seed=7, start=SCENE_FIRST_DAY, days=7, app_id="cc-support"
            ),
        )
    return path


def scene_profile(download_dir: Path) -> Profile:
    """A profile that looks real; nothing is ever sent to it."""
    return Profile(
        name="prod",
        base_url="https://10.22.26.181:28443",
        app_id="cc-support",
        secret_env="SCENE_NO_SUCH_VARIABLE",
        download_dir=download_dir,
    )


def scene_app(index: Path, download_dir: Path) -> tuple[CcfsApp, FakeClock]:
    """The app of every scene."""
    clock = FakeClock(SCENE_NOW)
    session = Session(
        profile=scene_profile(download_dir),
        secret=Secret(SCENE_SK),
        tokens=TokenStore(None, clock),
        clock=clock,
    )
    app = CcfsApp(session, index_paths=[index], tick=False, player_finder=lambda: None, environ={})
    return app, clock


async def _settle(pilot: Any, condition: Callable[[], object], timeout: float = 20) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("scene did not settle")
        await pilot.pause(0.05)


def _token(app: CcfsApp, value: str, file_name: str, age: timedelta) -> Token:
    profile = app.session.profile
    return Token.issued(value, file_name, app.session.clock() - age, profile.name, profile.base_url)


def scene_row(app: CcfsApp) -> int:
    """The recording shown: the 4th call of the 2nd agent of the first VDN on SCENE_DAY."""
    store = app.store
    vdn = store.children(None, ())[0][0]
    agent = store.children(None, (vdn, SCENE_DAY))[1][0]
    return int(store.leaves(None, (vdn, SCENE_DAY, agent))[3])


def _loaded(app: CcfsApp) -> bool:
    screen = app.main_screen  # the scene may start before the screen is up
    return screen.is_mounted and not screen.browser.index_loading and len(app.store) == SCENE_ROWS


async def _main_ready(pilot: Any) -> None:
    app: CcfsApp = pilot.app
    await _settle(pilot, lambda: _loaded(app))
    await _settle(pilot, lambda: app.session.client is not None)
    row_id = scene_row(app)
    browser = app.main_screen.browser
    browser.reveal(row_id)
    browser.tree_widget.focus()
    await _settle(pilot, lambda: app.main_screen.selected_row == row_id)
    rec = app.main_screen.selected_recording()
    app.session.tokens.add(
        _token(app, TOKENS[0], rec.play_file_name, timedelta(minutes=2, seconds=47))
    )
    app.main_screen.show_cursor()
    app.tick()
    app.clear_notifications()
    await _settle_layout(pilot, browser.tree_widget)


async def _settle_layout(pilot: Any, tree: Any) -> None:
    """Wait until the tree's scrollbar reflects every line (the virtual size is laid out
    after the lines are built; under load a screenshot could otherwise catch the old one)."""
    await _settle(pilot, lambda: tree.virtual_size.height == len(tree._tree_lines))
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.1)
    await _settle_screen(pilot)


async def _settle_screen(pilot: Any, timeout: float = 10) -> None:
    """Wait until two screenshots 0.1 s apart are the same (a scroll or a pane laid out
    once more after a refresh would otherwise land in the snapshot on a loaded machine:
    the stacked 60x20 snapshot failed once in CI and never here)."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    before = pilot.app.export_screenshot()
    while loop.time() < deadline:
        await pilot.pause(0.1)
        now = pilot.app.export_screenshot()
        if now == before:
            return
        before = now
    raise AssertionError("the screen kept changing")


def main_scene(index: Path, download_dir: Path) -> Scene:
    """Main screen: a recording selected, its live token counting down."""
    app, _clock = scene_app(index, download_dir)
    return app, _main_ready


async def _tokens_ready(pilot: Any) -> None:
    await _main_ready(pilot)
    app: CcfsApp = pilot.app
    store = app.store
    others = [store.recording(i).play_file_name for i in (15_007, 400, 9_000)]
    ages = (
        timedelta(minutes=26, seconds=12),
        timedelta(minutes=29, seconds=31),
        timedelta(hours=1),
    )
    for value, name, age in zip(TOKENS[1:], others, ages, strict=True):
        app.session.tokens.add(_token(app, value, name, age))
    app.main_screen.action_tokens()
    await pilot.pause(0.1)
    table = app.screen.query_one("DataTable")
    table.move_cursor(row=table.row_count - 1)  # the live token: every action in the footer
    app.tick()
    app.clear_notifications()
    await pilot.pause(0.1)


def tokens_scene(index: Path, download_dir: Path) -> Scene:
    """The tokens screen: live, warning, alarm-level and expired tokens."""
    app, _clock = scene_app(index, download_dir)
    return app, _tokens_ready
