"""Command palette, profile switching, help, and the narrow (stacked) layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from ui_support import (
    AK,
    SK,
    AppFactory,
    loaded,
    select_first_recording,
    start_emulator,
    wait_for,
)

from ccfs_tui.core.config import load_config
from ccfs_tui.core.secret import Secret
from ccfs_tui.ui.commands import app_commands
from ccfs_tui.ui.screens.help import HelpScreen
from ccfs_tui.ui.screens.tokens import TokensScreen


def palette_titles(app) -> list[str]:
    return [command.title for command in app_commands(app.main_screen)]


async def test_palette_lists_the_actions_that_can_act_now_and_runs_one(
    make_app: AppFactory,
) -> None:
    """Every action is listed when it can act (Skipped and Cancel: see test_ui_browse)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        names = palette_titles(app)
        for wanted in ("Filter", "Tokens", "Audit", "Help", "Quit", "Reload index"):
            assert wanted in names
        # nothing selected, no token, nothing skipped or running: nothing for these to act on
        for absent in ("Request", "Renew", "Copy URL", "Download", "Play", "Reveal", "Cancel"):
            assert absent not in names
        assert "Skipped" not in names
        await select_first_recording(pilot)
        names = palette_titles(app)
        assert "Request" in names and "Copy URL" not in names and "Renew" not in names
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main_screen.live_token_for_selection() is not None)
        names = palette_titles(app)
        for wanted in ("Renew", "Copy URL", "Download", "Play", "Reveal"):
            assert wanted in names
        assert "Request" not in names
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Tokens")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TokensScreen))


async def test_switch_profile_recreates_the_client(
    make_app: AppFactory,
    emu,
    sample,
    clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = start_emulator(sample[1], clock)
    try:
        config_file = tmp_path / "config.toml"
        config_file.write_text(
            f"""
default_profile = "first"
[profiles.first]
base_url = "{emu.base_url}"
app_id = "{AK}"
secret_env = "UI_TEST_SK"
download_dir = "{tmp_path / "dl"}"
flow_control_retries = 0
[profiles.second]
base_url = "{other.base_url}"
app_id = "{AK}"
secret_env = "UI_TEST_SK"
download_dir = "{tmp_path / "dl"}"
""",
            encoding="utf-8",
        )
        monkeypatch.setenv("UI_TEST_SK", SK)
        config = load_config(config_file, env={})
        app = make_app(config=config, profile=config.profile("first"), secret=Secret(SK))
        async with app.run_test(size=(80, 24)) as pilot:
            await select_first_recording(pilot)
            await wait_for(pilot, lambda: app.session.client is not None)
            first_client = app.session.client
            assert "first" in app.sub_title and emu.base_url in app.sub_title
            names = [command.title for command in app_commands(app.main_screen)]
            assert "Switch profile: second" in names
            assert "Switch profile: first" not in names
            app.main_screen.switch_profile("second")
            await wait_for(pilot, lambda: app.session.client is not None)
            assert app.session.client is not first_client
            assert app.session.client.profile.name == "second"
            assert other.base_url in app.sub_title
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.main_screen.live_token_for_selection() is not None)
            token = app.main_screen.live_token_for_selection()
            assert token.profile == "second" and token.base_url == other.base_url
            assert any(r.endpoint == "requestPlayVoice" for r in other.requests_seen)
    finally:
        other.stop()


async def test_help_opens_with_question_mark_and_f1(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in ("question_mark", "f1"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is app.main_screen


@pytest.mark.parametrize(("width", "stacked"), [(60, True), (80, False), (120, False)])
async def test_narrow_terminals_stack_the_panes(
    make_app: AppFactory, width: int, stacked: bool
) -> None:
    app = make_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        screen = app.main_screen
        assert screen.has_class("-narrow") is stacked
        browser, detail = screen.browser, screen.detail
        if stacked:
            assert browser.region.y < detail.region.y and browser.region.x == detail.region.x
        else:
            assert browser.region.x < detail.region.x and browser.region.y == detail.region.y


async def test_q_quits(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0
