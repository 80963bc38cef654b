"""Copy the URL (OSC 52 to the terminal), download with progress, play with a local player."""

from __future__ import annotations

import sys
from pathlib import Path

from ui_support import AppFactory, select_first_recording, wait_for

from ccfs_tui.ui.clipboard import osc52_sequence
from ccfs_tui.ui.player import PLAYERS, find_player


async def get_token(pilot) -> None:
    app = pilot.app
    await select_first_recording(pilot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.main_screen.live_token_for_selection() is not None)
    await pilot.pause()


def capture_writes(app) -> list[str]:
    written: list[str] = []
    original = app._driver.write

    def write(data: str) -> None:
        written.append(data)
        original(data)

    app._driver.write = write
    return written


def notes(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def test_c_copies_the_playback_url_with_osc52(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await get_token(pilot)
        written = capture_writes(app)
        token = app.main_screen.live_token_for_selection()
        await pilot.press("c")
        url = app.session.playback_url(token)
        assert app.clipboard == url
        assert url.endswith(f"st={token.token}") and "/playVoice?t=" in url
        assert osc52_sequence(url) in written
        assert "copied" in notes(app).lower()
        assert token.token not in notes(app)


async def test_copy_inside_tmux_uses_passthrough(make_app: AppFactory) -> None:
    app = make_app(environ={"TMUX": "/tmp/tmux-1000/default,1,0"})
    async with app.run_test(size=(80, 24)) as pilot:
        await get_token(pilot)
        written = capture_writes(app)
        await pilot.press("c")
        assert osc52_sequence(app.clipboard, tmux=True) in written
        assert "tmux" in notes(app)


async def test_d_downloads_with_progress(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await get_token(pilot)
        name = app.main_screen.selected_recording().play_file_name
        await pilot.press("d")
        await wait_for(pilot, lambda: name in app.session.downloads)
        path = app.session.downloads[name]
        assert path.exists() and path.parent == tmp_path / "downloads"
        assert path.read_bytes()[:4] == b"RIFF"
        bar = app.main_screen.detail.query_one("#download-bar")
        assert bar.display and bar.percentage == 1.0
        assert str(path) in str(app.main_screen.detail.query_one("#download-note").render())
        assert not list(path.parent.glob(".*.part"))


async def test_p_without_a_player_says_where_the_file_is(make_app: AppFactory) -> None:
    app = make_app(player_finder=lambda: None)
    async with app.run_test(size=(80, 24)) as pilot:
        await get_token(pilot)
        name = app.main_screen.selected_recording().play_file_name
        await pilot.press("p")
        await wait_for(pilot, lambda: name in app.session.downloads)
        await wait_for(pilot, lambda: "No audio player" in notes(app))
        assert str(app.session.downloads[name]) in notes(app)


async def test_p_runs_the_player_without_blocking(make_app: AppFactory, tmp_path: Path) -> None:
    marker = tmp_path / "played.txt"
    script = f"import sys, pathlib; pathlib.Path({str(marker)!r}).write_text(sys.argv[1])"
    app = make_app(player_finder=lambda: [sys.executable, "-c", script])
    async with app.run_test(size=(80, 24)) as pilot:
        await get_token(pilot)
        name = app.main_screen.selected_recording().play_file_name
        await pilot.press("p")
        await wait_for(pilot, marker.exists)
        assert marker.read_text() == str(app.session.downloads[name])
        assert "Playing" in notes(app)


def test_find_player_prefers_mpv_then_ffplay_then_aplay() -> None:
    installed = {"ffplay": "/usr/bin/ffplay", "aplay": "/usr/bin/aplay"}
    command = find_player(installed.get)
    assert command is not None and command[0] == "/usr/bin/ffplay"
    assert "-nodisp" in command
    assert find_player(lambda _name: None) is None
    assert [name for name, _ in PLAYERS] == ["mpv", "ffplay", "aplay"]


async def test_a_broken_download_leaves_no_file_and_says_so(
    make_app: AppFactory, emu, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await get_token(pilot)
        emu.faults.set(drop_mid_body=True, endpoints=frozenset({"playVoice"}))
        await pilot.press("d")
        await wait_for(pilot, lambda: "Download failed" in note_text(app))
        assert not app.session.downloads
        folder = tmp_path / "downloads"
        assert not folder.exists() or not list(folder.iterdir())
        assert "Error" in [n.title for n in app._notifications]


def note_text(app) -> str:
    return str(app.main_screen.detail.query_one("#download-note").render())
