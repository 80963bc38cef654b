"""``run_tui`` / ``run_demo`` (what the CLI calls) and the demo environment end to end."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from ui_support import SK, wait_for

from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.session import Session
from ccfs_tui.demo import DEMO_APP_ID, start_demo
from ccfs_tui.ui import launch
from ccfs_tui.ui.app import CcfsApp
from ccfs_tui.ui.formatting import home_short


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[CcfsApp]:
    """Replace ``App.run`` so launchers build the app without taking over the terminal."""
    apps: list[CcfsApp] = []

    def fake_run(self: CcfsApp, *args: Any, **kwargs: Any) -> None:
        apps.append(self)

    monkeypatch.setattr(CcfsApp, "run", fake_run)
    return apps


def test_run_tui_opens_the_given_index(captured: list[CcfsApp], sample_index: Path) -> None:
    assert launch.run_tui([sample_index]) == 0
    (app,) = captured
    assert app.index_paths == [sample_index]
    assert app.session.tokens.path == app_paths().token_store


def test_run_tui_missing_path_is_an_error(captured: list[CcfsApp], tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        launch.run_tui([tmp_path / "nope.csv"])
    assert not captured


def test_run_tui_without_paths_uses_the_profile_index_path(
    captured: list[CcfsApp], sample_index: Path
) -> None:
    config = app_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[profiles.main]\nbase_url = "https://10.0.0.1:28443"\napp_id = "ak"\n'
        f'index_path = "{sample_index.parent}"\n',
        encoding="utf-8",
    )
    launch.run_tui([], insecure=True)
    (app,) = captured
    assert app.index_paths == [sample_index.parent]
    assert app.session.tls_off and app.session.profile.verify is False


def test_run_tui_without_anything_explains_how_to_start(captured: list[CcfsApp]) -> None:
    launch.run_tui([])
    (app,) = captured
    assert app.index_paths == []
    text = app.main_screen.empty_text()
    # the config file on a line of its own (never cut mid-word), the home folder as ~
    assert "ccfs-tui PATH" in text
    assert f"\n  {home_short(app_paths().config_file)}\n" in text


def test_run_demo_builds_an_app_on_the_emulator(
    captured: list[CcfsApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ccfs_tui.demo as demo_module

    monkeypatch.setattr(demo_module, "DEMO_RECORDINGS", 300)
    started = time.monotonic()
    assert launch.run_demo() == 0
    assert time.monotonic() - started < 5
    (app,) = captured
    assert app.demo and app.session.profile.name == "demo"
    assert app.session.tokens.path == app_paths().demo_token_store


async def test_demo_end_to_end_over_tls(tmp_path: Path) -> None:
    demo = start_demo(recordings=600, days=3)
    try:
        assert demo.profile.base_url.startswith("https://127.0.0.1:")
        assert demo.profile.ca_bundle is not None and demo.profile.ca_bundle.exists()
        assert demo.profile.app_id == DEMO_APP_ID
        session = Session(profile=demo.profile, secret=demo.secret, tokens=demo.token_store())
        app = CcfsApp(
            session,
            index_paths=[demo.index_path],
            demo=True,
            prepare_index=demo.prepare_index,
            tick=False,
            player_finder=lambda: None,
            environ={},
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(
                pilot, lambda: not app.main_screen.browser.index_loading and len(app.store) == 600
            )
            assert demo.index_path.exists()
            await pilot.press("slash", "enter")
            await wait_for(pilot, lambda: app.main_screen.selected_row is not None)
            await pilot.press("enter")
            await wait_for(
                pilot, lambda: app.main_screen.live_token_for_selection() is not None, 15
            )
            token = app.main_screen.live_token_for_selection()
            assert token.base_url == demo.profile.base_url
            await pilot.press("d")
            name = token.file_name
            await wait_for(pilot, lambda: name in app.session.downloads, 15)
            assert app.session.downloads[name].exists()
            assert "demo" in app.title
        assert demo.token_store_path == app_paths().demo_token_store
        assert demo.token_store_path.exists()
        assert SK not in demo.token_store_path.read_text()
    finally:
        demo.stop()
