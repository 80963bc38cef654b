"""SVG snapshots of issue 15's narrow screens: Chinese tenant names (two cells a character)
at an odd width (79x24) on the main and tokens screens, the help at 80x24, and the stacked
layout at 60x20. Deterministic (FakeClock, seeded index, fixed tokens), never a secret.

Update with ``pytest tests/ui/test_ui_newcomer_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from scenes import SCENE_FIRST_DAY, SCENE_NOW, SCENE_SK, TOKENS, _settle, _settle_layout

from ccfs_tui.core.clock import FakeClock
from ccfs_tui.core.config import Profile
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.session import Session
from ccfs_tui.core.tokens import Token, TokenStore
from ccfs_tui.emulator.sample_index import generate_recordings, write_index
from ccfs_tui.ui.app import CcfsApp

TENANT = "华东客服中心"
PROFILE = "华东租户"
ROWS = 3_000


@pytest.fixture(scope="module")
def tenant_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 rows whose recordings live in a Chinese tenant's folder."""
    path = tmp_path_factory.mktemp("tenant") / "tenant_record.csv"
    rows = generate_recordings(ROWS, seed=7, start=SCENE_FIRST_DAY, days=7, app_id="cc-support")
    write_index(
        path,
        (
            replace(r, original_file_name=f"Y:\\{TENANT}\\录音{r.original_file_name[2:]}")
            for r in rows
        ),
    )
    return path


def tenant_app(index: Path, tmp_path: Path) -> CcfsApp:
    clock = FakeClock(SCENE_NOW)
    profile = Profile(
        name=PROFILE,
        base_url="https://10.22.26.181:28443",
        app_id="cc-support",
        secret_env="SCENE_NO_SUCH_VARIABLE",
        download_dir=tmp_path,
    )
    session = Session(
        profile=profile, secret=Secret(SCENE_SK), tokens=TokenStore(None, clock), clock=clock
    )
    return CcfsApp(session, index_paths=[index], tick=False, player_finder=lambda: None, environ={})


def _token(app: CcfsApp, value: str, file_name: str, age: timedelta) -> Token:
    profile = app.session.profile
    assert profile is not None
    return Token.issued(value, file_name, app.session.clock() - age, profile.name, profile.base_url)


async def _on_a_recording(pilot: Any) -> None:
    app: CcfsApp = pilot.app
    await _settle(pilot, lambda: app.main_screen.is_mounted and len(app.store) == ROWS)
    await _settle(pilot, lambda: not app.main_screen.browser.index_loading)
    await _settle(pilot, lambda: app.session.client is not None)
    store = app.store
    vdn = store.children(None, ())[0][0]
    day = store.children(None, (vdn,))[-2][0]
    agent = store.children(None, (vdn, day))[1][0]
    row_id = int(store.leaves(None, (vdn, day, agent))[2])
    browser = app.main_screen.browser
    browser.reveal(row_id)
    browser.tree_widget.focus()
    await _settle(pilot, lambda: app.main_screen.selected_row == row_id)
    rec = app.main_screen.selected_recording()
    assert rec is not None
    app.session.tokens.add(_token(app, TOKENS[0], rec.play_file_name, timedelta(minutes=26)))
    app.main_screen.show_cursor()
    app.tick()
    app.clear_notifications()
    await _settle_layout(pilot, browser.tree_widget)


async def _tokens(pilot: Any) -> None:
    await _on_a_recording(pilot)
    app: CcfsApp = pilot.app
    names = [app.store.recording(i).play_file_name for i in (1_500, 1_501)]
    for value, name, age in zip(
        TOKENS[1:3], names, (timedelta(minutes=29, seconds=31), timedelta(hours=1)), strict=True
    ):
        app.session.tokens.add(_token(app, value, name, age))
    app.main_screen.action_tokens()
    await pilot.pause(0.1)
    app.tick()
    app.clear_notifications()
    await pilot.pause(0.1)


async def _help(pilot: Any) -> None:
    await _on_a_recording(pilot)
    app: CcfsApp = pilot.app
    app.main_screen.action_help()
    await pilot.pause(0.2)


def test_main_screen_with_chinese_names_at_79x24(snap_compare, tenant_index, tmp_path) -> None:
    app = tenant_app(tenant_index, tmp_path)
    assert snap_compare(app, terminal_size=(79, 24), run_before=_on_a_recording)


def test_tokens_screen_with_chinese_names_at_79x24(snap_compare, tenant_index, tmp_path) -> None:
    app = tenant_app(tenant_index, tmp_path)
    assert snap_compare(app, terminal_size=(79, 24), run_before=_tokens)


def test_help_at_80x24(snap_compare, tenant_index, tmp_path) -> None:
    app = tenant_app(tenant_index, tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_help)


def test_stacked_main_screen_at_60x20(snap_compare, tenant_index, tmp_path) -> None:
    app = tenant_app(tenant_index, tmp_path)
    assert snap_compare(app, terminal_size=(60, 20), run_before=_on_a_recording)


def test_these_snapshots_hold_no_secret() -> None:
    folder = Path(__file__).parent / "__snapshots__" / "test_ui_newcomer_snapshots"
    for svg in folder.glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        assert SCENE_SK not in text and not any(token in text for token in TOKENS)
