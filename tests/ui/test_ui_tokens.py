"""The countdown (FakeClock), renewing, the tokens screen, persistence across restarts."""

from __future__ import annotations

from pathlib import Path

from ui_support import AppFactory, select_first_recording, wait_for

from ccfs_tui.core.clock import FakeClock
from ccfs_tui.core.tokens import TokenStore
from ccfs_tui.ui.screens.tokens import TokensScreen


def bar_text(app) -> str:
    return str(app.main_screen.token_bar.render())


async def get_token(pilot) -> None:
    app = pilot.app
    await select_first_recording(pilot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.main_screen.live_token_for_selection() is not None)
    await pilot.pause()


async def test_countdown_warning_alarm_expired_renewed(
    make_app: AppFactory, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await get_token(pilot)
        bar = app.main_screen.token_bar
        app.tick()
        assert "30:00" in bar_text(app) and "1 live" in bar_text(app)
        clock.advance(1)
        app.tick()
        assert "29:59" in bar_text(app)
        assert "29:59" in str(app.main_screen.detail.query_one("#playback").render())
        clock.advance(seconds=0.4)  # ticks are recomputed from the expiry, not counted
        app.tick()
        assert "29:59" in bar_text(app)
        clock.advance(minutes=25)
        app.tick()
        assert "04:59" in bar_text(app)  # 4:58.6 rounds up, never early
        assert bar.has_class("-warning") and not bar.has_class("-alarm")
        clock.advance(minutes=4)
        app.tick()
        assert "00:59" in bar_text(app)
        assert bar.has_class("-alarm")
        clock.advance(seconds=60)
        app.tick()
        await pilot.pause()
        assert "expired" in bar_text(app) and "0 live" in bar_text(app)
        assert bar.has_class("-expired")
        screen = app.main_screen
        assert screen.check_action("renew_token", ()) is True
        assert screen.check_action("copy_url", ()) is False
        old = app.session.tokens.all()[0]
        await pilot.press("n")
        await wait_for(pilot, lambda: app.main_screen.live_token_for_selection() is not None)
        app.tick()
        new = app.main_screen.live_token_for_selection()
        assert new.token != old.token and new.file_name == old.file_name
        assert "30:00" in bar_text(app) and "1 live" in bar_text(app)


async def test_one_timer_drives_every_countdown(make_app: AppFactory) -> None:
    app = make_app(tick=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        timers = [t for t in app._timers if getattr(t, "_callback", None) == app.tick]
        assert len(timers) == 1


async def test_tokens_screen_lists_and_acts(make_app: AppFactory, clock: FakeClock) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await get_token(pilot)
        await pilot.press("down", "enter")  # a second recording, a second token
        await wait_for(pilot, lambda: len(app.session.tokens.all()) == 2)
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TokensScreen)
        table = screen.query_one("DataTable")
        assert table.row_count == 2
        first = app.session.tokens.all()[0]
        row = [str(cell) for cell in table.get_row_at(0)]
        # the file comes first after the time left (its distinguishing end is what tells
        # two tokens apart); at 120 columns the whole name and the expiry's year fit
        assert row[0] == "30:00" and first.file_name == row[1] and row[2] == first.masked
        assert row[3] == f"{first.expires_at:%Y-%m-%d %H:%M:%S}"
        clock.advance(61)
        app.tick()
        assert str(table.get_row_at(0)[0]) == "28:59"
        await pilot.press("c")
        assert app.clipboard.endswith(first.token)
        await pilot.press("x")
        await pilot.pause()
        assert table.row_count == 1 and len(app.session.tokens.all()) == 1
        await pilot.press("escape")
        assert app.screen is app.main_screen


async def test_tokens_survive_a_restart(make_app: AppFactory, tmp_path: Path, clock) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await get_token(pilot)
        token = app.main_screen.live_token_for_selection()
    store = TokenStore(tmp_path / "tokens.json", clock)
    store.load()
    assert [t.token for t in store.all()] == [token.token]
    again = make_app(tokens=store)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        again.tick()
        assert token.masked in bar_text(again) and "30:00" in bar_text(again)
    assert (tmp_path / "tokens.json").stat().st_mode & 0o077 == 0
