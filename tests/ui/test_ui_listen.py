"""``l`` in the TUI: the app's one listening server serves the recording to a browser, the
pane shows its URL as an OSC 8 link and the ``ssh -L`` line, the URL is copied (OSC 52);
``p`` plays on this machine (a second ``p`` stops it); the app's exit stops both."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import stat
import sys
from pathlib import Path

import httpx
import pytest
from ui_support import AppFactory, select_first_recording, wait_for

from ccfs_tui.core.audio.wav import PCM16_HEADER_SIZE, wav_info
from ccfs_tui.core.paths import app_paths
from ccfs_tui.ui.clipboard import osc52_sequence

SSH_ENV = {"SSH_CONNECTION": "10.9.8.7 51515 10.22.26.5 22", "USER": "alice"}
OSC8 = re.compile(r"\x1b\]8;[^;]*;([^\x1b\x07]*)(?:\x1b\\|\x07)")


def capture_writes(app) -> list[str]:
    """Everything the app writes to the terminal from now on."""
    written: list[str] = []
    original = app._driver.write

    def write(data: str) -> None:
        written.append(data)
        original(data)

    app._driver.write = write
    return written


def terminal_output(app) -> str:
    """What the terminal gets for a full redraw of the screen (escape sequences and all;
    a headless app writes nothing, so it is rendered here as the driver would get it)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return update.render_segments(app.console)


def notes(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def get(url: str) -> httpx.Response:
    """A browser's GET, off the event loop (the server runs in its own thread)."""
    return await asyncio.to_thread(httpx.get, url, timeout=10)


def refused(url: str) -> bool:
    try:
        httpx.get(url, timeout=5)
    except httpx.ConnectError:
        return True
    return False


async def listen_to_selection(pilot) -> str:
    """Press l on the first recording; the URL the pane shows once it is served."""
    app = pilot.app
    await select_first_recording(pilot)
    await pilot.press("l")
    detail = app.main_screen.detail
    await wait_for(pilot, lambda: detail.listen_url != "", timeout=20)
    await pilot.pause()
    return detail.listen_url


async def test_l_serves_the_recording_shows_the_link_and_the_ssh_line_and_copies_the_url(
    make_app: AppFactory,
) -> None:
    app = make_app(environ=SSH_ENV)
    async with app.run_test(size=(100, 30)) as pilot:
        written = capture_writes(app)
        url = await listen_to_selection(pilot)
        rec = app.main_screen.selected_recording()
        # no token was live: l requested one (then downloaded with it)
        assert app.session.live_token(rec.play_file_name) is not None
        server = app.main_screen.listen_jobs.server
        assert server is not None and server.loopback
        assert url.startswith(f"http://127.0.0.1:{server.port}/")

        # the URL is on the clipboard, by OSC 52, said once
        assert app.clipboard == url
        assert osc52_sequence(url) in written
        assert notes(app).count("Listening URL") == 1
        assert "ssh -L" in notes(app)

        # the pane: the URL as an OSC 8 hyperlink, and the ssh line to paste on the laptop
        links = OSC8.findall(terminal_output(app))
        assert url in links
        ssh = f"ssh -L {server.port}:127.0.0.1:{server.port} alice@10.22.26.5"
        assert app.main_screen.detail.ssh_line == ssh
        pane = str(app.main_screen.detail.query_one("#listen").render())
        assert ssh in pane

        # what the browser gets: the page, the audio (16-bit PCM of the A-law), the file
        page = await get(url)
        assert page.status_code == 200 and "<audio" in page.text
        assert rec.call_id in page.text
        path = app.session.downloaded(rec.play_file_name)
        assert path is not None
        original = await get(url + "download")
        assert original.status_code == 200 and original.content == path.read_bytes()
        audio = await get(url + "audio.wav")
        info = wav_info(path)
        assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
        assert len(audio.content) == PCM16_HEADER_SIZE + 2 * info.frames * info.channels

        # downloaded into a private folder of the cache dir
        folder = app.main_screen.listen_jobs.folder
        assert folder is not None and path.parent == folder
        assert folder.parent == app_paths().cache_dir
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        # anything but a registered token is a 404
        assert (await get(f"http://127.0.0.1:{server.port}/")).status_code == 404
    # the app exited: the server is stopped, the folder is gone
    assert refused(url)
    assert not folder.exists()


async def test_l_again_copies_the_same_url_without_downloading_again(
    make_app: AppFactory, emu
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:  # l works where the footer hides it
        url = await listen_to_selection(pilot)
        downloads = sum(r.endpoint == "playVoice" for r in emu.requests_seen)
        app.copy_to_clipboard("something else")
        app.clear_notifications()
        await pilot.press("l")
        await pilot.pause()
        assert app.clipboard == url
        assert sum(r.endpoint == "playVoice" for r in emu.requests_seen) == downloads
        assert "Listening URL" in notes(app)
        # outside SSH the line has placeholders to fill in
        assert "USER@JUMP_HOST" in app.main_screen.detail.ssh_line


async def test_l_serves_a_recording_already_downloaded_without_a_new_request(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        await pilot.press("enter")
        screen = app.main_screen
        await wait_for(pilot, lambda: screen.live_token_for_selection() is not None)
        name = screen.selected_recording().play_file_name
        await pilot.press("d")
        await wait_for(pilot, lambda: name in app.session.downloads)
        path = app.session.downloads[name]
        await pilot.press("l")
        await wait_for(pilot, lambda: screen.detail.listen_url != "")
        page = await get(screen.detail.listen_url + "download")
        assert page.content == path.read_bytes()
        assert screen.listen_jobs.folder is None  # nothing downloaded for it


async def test_l_on_a_busy_port_says_so_once_and_sends_nothing(make_app: AppFactory) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        app = make_app(profile_changes={"listen_port": port})
        async with app.run_test(size=(100, 30)) as pilot:
            await select_first_recording(pilot)
            rec = app.main_screen.selected_recording()
            await pilot.press("l")
            await wait_for(pilot, lambda: "Cannot listen" in notes(app))
            await pilot.pause(0.2)
            assert app.session.token_for(rec.play_file_name) is None  # no token spent
            assert app.main_screen.listen_jobs.server is None
            assert app.main_screen.detail.listen_url == ""


def player_script(tmp_path: Path) -> list[str]:
    """A "player" that writes its environment and pid next to the file, then plays on."""
    script = (
        "import os, sys, time, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "(p.parent / 'env.txt').write_text('\\n'.join(os.environ))\n"
        "(p.parent / 'pid.txt').write_text(str(os.getpid()))\n"
        "time.sleep(300)\n"
    )
    return [sys.executable, "-c", script]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_p_says_where_it_plays_and_a_second_p_stops_the_player(
    make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCFS_SECRET_KEY", "sk-in-the-environment")
    app = make_app(player_finder=lambda: player_script(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        await pilot.press("enter")
        screen = app.main_screen
        await wait_for(pilot, lambda: screen.live_token_for_selection() is not None)
        await pilot.press("p")
        folder = tmp_path / "downloads"
        await wait_for(pilot, lambda: (folder / "pid.txt").exists())
        await wait_for(pilot, lambda: (folder / "env.txt").exists())
        pid = int((folder / "pid.txt").read_text())
        assert screen.jobs.player.playing and alive(pid)
        assert "on this machine" in notes(app) and "SSH" not in notes(app)
        # the player's environment holds no SK
        names = (folder / "env.txt").read_text().split("\n")
        assert "PATH" in names and "CCFS_SECRET_KEY" not in names
        await pilot.press("p")
        assert not screen.jobs.player.playing
        await wait_for(pilot, lambda: not alive(pid))
        assert "stopped" in notes(app)


async def test_over_ssh_p_offers_l(make_app: AppFactory, tmp_path: Path) -> None:
    app = make_app(player_finder=lambda: player_script(tmp_path), environ=SSH_ENV)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        await pilot.press("enter")
        screen = app.main_screen
        await wait_for(pilot, lambda: screen.live_token_for_selection() is not None)
        await pilot.press("p")
        await wait_for(pilot, lambda: "Playing" in notes(app))
        assert "not on yours (SSH): press l to hear it in your browser" in notes(app)


async def test_the_app_exit_stops_the_player_and_the_server(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(player_finder=lambda: player_script(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        url = await listen_to_selection(pilot)
        await pilot.press("p")  # the file is on disk: it plays at once
        pid_file = app.main_screen.listen_jobs.folder / "pid.txt"
        await wait_for(pilot, pid_file.exists)
        pid = int(pid_file.read_text())
        assert alive(pid)
        assert (await get(url)).status_code == 200
    deadline = asyncio.get_running_loop().time() + 10
    while alive(pid) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    assert not alive(pid)
    assert refused(url)


async def test_l_asks_for_the_sk_when_needed_then_serves(make_app: AppFactory) -> None:
    from ui_support import SK

    from ccfs_tui.ui.screens.secret_prompt import SecretPromptScreen

    app = make_app(secret=None, profile_changes={"secret_prompt": True})
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, SecretPromptScreen))
        await pilot.press(*SK, "enter")
        detail = app.main_screen.detail
        await wait_for(pilot, lambda: detail.listen_url != "", timeout=20)
        assert (await get(detail.listen_url)).status_code == 200
        assert SK not in notes(app) and SK not in detail.listen_url
