"""Command palette, profile switching, help, and the narrow (stacked) layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from ui_support import AK, SK, AppFactory, select_first_recording, start_emulator, wait_for

from ccfs_tui.core.config import load_config
from ccfs_tui.core.secret import Secret
from ccfs_tui.ui.commands import app_commands
from ccfs_tui.ui.screens.help import HelpScreen
from ccfs_tui.ui.screens.tokens import TokensScreen


async def test_palette_lists_every_action_and_runs_one(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        names = [command.title for command in app_commands(app)]
        for wanted in (
            "Request",
            "Renew",
            "Copy URL",
            "Download",
            "Play",
            "Reveal",
            "Filter",
            "Tokens",
            "Skipped",
            "Audit",
            "Cancel",
            "Help",
            "Quit",
            "Reload index",
        ):
            assert wanted in names
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
            await wait_for(pilot, lambda: app.client is not None)
            first_client = app.client
            assert "first" in app.sub_title and emu.base_url in app.sub_title
            names = [command.title for command in app_commands(app)]
            assert "Switch profile: second" in names
            assert "Switch profile: first" not in names
            app.switch_profile("second")
            await wait_for(pilot, lambda: app.client is not None)
            assert app.client is not first_client
            assert app.client.profile.name == "second"
            assert other.base_url in app.sub_title
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.live_token_for_selection() is not None)
            token = app.live_token_for_selection()
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
