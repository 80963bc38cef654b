"""requestPlayVoice from the UI against the real emulator: success and every error flow."""

from __future__ import annotations

from pathlib import Path

from ui_support import (
    SK,
    AppFactory,
    make_profile,
    select_first_recording,
    start_emulator,
    wait_for,
)

from ccfs_tui.core.clock import FakeClock
from ccfs_tui.core.outcomes import Failure, Requesting
from ccfs_tui.core.secret import Secret
from ccfs_tui.ui.screens.tokens import TokensScreen


def playback_text(app) -> str:
    return str(app.main_screen.detail.query_one("#playback").render())


def request_text(app) -> str:
    return str(app.main_screen.detail.query_one("#request").render())


async def request_and_wait(pilot) -> None:
    app = pilot.app
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: not app.main_screen.jobs.request_running() and not app.main_screen.jobs.busy(),
    )
    await pilot.pause()


async def test_enter_requests_a_token_shown_masked(make_app: AppFactory, emu) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select_first_recording(pilot)
        rec = app.main_screen.selected_recording()
        # the preview of the signed request: method, URL, shortened signature, body; no SK
        await wait_for(pilot, lambda: "Authorization" in request_text(app))
        preview = request_text(app)
        assert "POST" in preview and "/CCFS/resource/ccfs/requestPlayVoice" in preview
        assert rec.play_file_name in preview and "\\" not in preview
        assert SK not in preview
        await request_and_wait(pilot)
        token = app.session.tokens.latest_for(rec.play_file_name)
        assert token is not None
        text = playback_text(app)
        assert "resultCode 0" in text
        assert token.masked in text and token.token not in text
        assert "30:00" in text
        seen = [r for r in emu.requests_seen if r.endpoint == "requestPlayVoice"]
        assert seen, "the request reached the emulator"
        assert SK not in app.export_screenshot()
        await pilot.press("v")
        assert token.token in playback_text(app)
        await pilot.press("v")
        assert token.token not in playback_text(app)


async def test_wrong_sk_shows_the_401_sentence(make_app: AppFactory) -> None:
    app = make_app(secret=Secret("not-the-right-sk"))
    async with app.run_test(size=(80, 24)) as pilot:
        await select_first_recording(pilot)
        await request_and_wait(pilot)
        outcome = app.session.outcomes[app.main_screen.selected_recording().play_file_name]
        assert isinstance(outcome, Failure) and outcome.kind == "auth"
        text = playback_text(app)
        assert "401" in text
        assert "clock" in text  # the hint: check AK/SK and the clock
        assert "not-the-right-sk" not in text


async def test_timeout_is_reported(make_app: AppFactory, emu) -> None:
    emu.faults.latency = 3
    app = make_app(profile_changes={"read_timeout": 0.3})
    async with app.run_test(size=(80, 24)) as pilot:
        await select_first_recording(pilot)
        await request_and_wait(pilot)
        outcome = app.session.outcomes[app.main_screen.selected_recording().play_file_name]
        assert isinstance(outcome, Failure) and outcome.kind == "timeout"
        assert "did not answer" in playback_text(app)


async def test_flow_control_is_reported(make_app: AppFactory, emu) -> None:
    emu.faults.result_code = "0300008"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select_first_recording(pilot)
        await request_and_wait(pilot)
        outcome = app.session.outcomes[app.main_screen.selected_recording().play_file_name]
        assert isinstance(outcome, Failure) and outcome.kind == "flow-control"
        text = playback_text(app)
        assert "0300008" in text and "retry" in text.lower()


async def test_unknown_result_code_shows_the_server_text(make_app: AppFactory, emu) -> None:
    emu.faults.result_code = "0399999"
    emu.faults.result_desc = "file does not exist"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select_first_recording(pilot)
        await request_and_wait(pilot)
        text = playback_text(app)
        assert "0399999" in text and "file does not exist" in text


async def test_tls_failure_without_the_ca_bundle(
    make_app: AppFactory, sample, clock: FakeClock, tmp_path: Path
) -> None:
    server = start_emulator(sample[1], clock, tls=True, cert_dir=tmp_path / "tls")
    try:
        app = make_app(profile=make_profile(server.base_url, tmp_path))
        async with app.run_test(size=(80, 24)) as pilot:
            await select_first_recording(pilot)
            await request_and_wait(pilot)
            outcome = app.session.outcomes[app.main_screen.selected_recording().play_file_name]
            assert isinstance(outcome, Failure) and outcome.kind == "tls"
            assert "ca_bundle" in playback_text(app)
        # and with the bundle it works, over TLS
        app = make_app(profile=make_profile(server.base_url, tmp_path, ca_bundle=server.ca_bundle))
        async with app.run_test(size=(80, 24)) as pilot:
            await select_first_recording(pilot)
            await request_and_wait(pilot)
            assert app.main_screen.live_token_for_selection() is not None
    finally:
        server.stop()


async def test_insecure_shows_a_persistent_red_warning(make_app: AppFactory) -> None:
    app = make_app(insecure=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        banner = app.main_screen.query_one("#banner")
        assert banner.display and banner.has_class("-danger")
        assert "TLS verification is OFF" in str(banner.render())


async def test_escape_cancels_a_hanging_request_and_keys_still_work(
    make_app: AppFactory, emu
) -> None:
    emu.faults.latency = 8
    app = make_app(profile_changes={"read_timeout": 20})
    async with app.run_test(size=(80, 24)) as pilot:
        await select_first_recording(pilot)
        name = app.main_screen.selected_recording().play_file_name
        await pilot.press("enter")
        await wait_for(pilot, app.main_screen.jobs.request_running)
        assert isinstance(app.session.outcomes[name], Requesting)
        assert "Requesting" in playback_text(app)
        # the UI keeps answering while the request hangs
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TokensScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main_screen
        await pilot.press("down", "up")
        assert app.main_screen.jobs.request_running()
        assert app.main_screen.check_action("cancel", ()) is True
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.main_screen.jobs.request_running())
        await pilot.pause()
        assert name not in app.session.outcomes
        assert app.session.tokens.all() == []
        assert "Requesting" not in playback_text(app)


async def test_secret_prompt_when_the_profile_asks_for_it(make_app: AppFactory) -> None:
    app = make_app(secret=None, profile_changes={"secret_prompt": True})
    async with app.run_test(size=(80, 24)) as pilot:
        await select_first_recording(pilot)
        await pilot.press("enter")
        from ccfs_tui.ui.screens.secret_prompt import SecretPromptScreen

        await wait_for(pilot, lambda: isinstance(app.screen, SecretPromptScreen))
        await pilot.press(*SK, "enter")
        await wait_for(pilot, lambda: app.main_screen.live_token_for_selection() is not None)
        assert app.session.client is not None
