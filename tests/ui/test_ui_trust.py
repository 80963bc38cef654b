"""Trust in the TUI: hanging requests, faults, bad index files, TLS warning, where tokens go.

Every test drives the real app with Pilot against the real emulator on loopback.
"""

from __future__ import annotations

import re
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable
from ui_support import (
    AK,
    SK,
    AppFactory,
    loaded,
    make_profile,
    select_first_recording,
    start_emulator,
    wait_for,
)

from ccfs_tui.cli import main as cli_main
from ccfs_tui.core.cdr import cdr_sources, read_cdrs
from ccfs_tui.core.clock import FakeClock
from ccfs_tui.core.config import load_config
from ccfs_tui.core.outcomes import Failure
from ccfs_tui.core.secret import Secret
from ccfs_tui.ui.screens.audit import AuditScreen
from ccfs_tui.ui.screens.help import HelpScreen
from ccfs_tui.ui.screens.problems import ProblemsScreen
from ccfs_tui.ui.screens.tokens import TokensScreen

BROKEN_CORPUS = Path(__file__).resolve().parents[1] / "data" / "index" / "broken"


def playback_text(app) -> str:
    return str(app.main_screen.detail.query_one("#playback").render())


def notes(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def download_panel(app) -> tuple[bool, bool, str]:
    detail = app.main_screen.detail
    bar = detail.query_one("#download-bar")
    note = detail.query_one("#download-note")
    return bar.display, note.display, str(note.render())


async def request_and_wait(pilot, key: str = "enter") -> None:
    app = pilot.app
    await pilot.press(key)
    await wait_for(
        pilot,
        lambda: not app.main_screen.jobs.request_running() and not app.main_screen.jobs.busy(),
    )
    await pilot.pause()


# --------------------------------------------------------------------------- responsiveness


async def test_keys_are_handled_while_twenty_requests_hang(make_app: AppFactory, emu) -> None:
    """The app sends one token request at a time from the keyboard (a new Enter/r replaces
    the request in flight), so the 20 hanging requests are made two ways: the user presses
    ``r`` on 20 recordings in a row (each one hangs at the server until replaced), then 20
    requests run at once on the app's own client, as app workers, and hang together. While
    they hang, every key below must do its job."""
    emu.faults.set(latency=120, endpoints={"requestPlayVoice"})
    app = make_app(profile_changes={"read_timeout": 300.0})
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        await wait_for(pilot, lambda: app.session.client is not None)
        tree = app.main_screen.browser.tree_widget

        # 1. r on 20 recordings, one after the other: each replaces the one in flight
        pressed: list[str] = []
        for _ in range(20):
            rec = app.main_screen.selected_recording()
            pressed.append(rec.play_file_name)
            await pilot.press("r")
            await wait_for(pilot, app.main_screen.jobs.request_running)
            await pilot.press("down")
            await wait_for(
                pilot, lambda rec=rec: app.main_screen.selected_recording() not in (None, rec)
            )
        assert len(set(pressed)) == 20
        running = [w for w in app.workers if w.group == "request" and w.is_running]
        assert len(running) == 1
        assert [name for name in pressed if app.session.requesting(name)] == [pressed[-1]]

        # 2. 20 more at once on the app's client: all in flight together
        client = app.session.client
        names = [app.store.recording(i).play_file_name for i in range(100, 120)]
        bulk = [
            app.run_worker(client.request_play_token(n), group="bulk", exit_on_error=False)
            for n in names
        ]
        await wait_for(pilot, lambda: all(w.is_running for w in bulk))
        await wait_for(pilot, lambda: emu.open_connections >= 21)

        # 3. while all of that hangs, every key does its job
        start = app.main_screen.selected_row
        await pilot.press("down")
        await wait_for(pilot, lambda: app.main_screen.selected_row != start)
        await pilot.press("up")
        await wait_for(pilot, lambda: app.main_screen.selected_row == start)

        target = app.store.recording(2500)
        await pilot.press("slash", *target.call_id)
        box = app.main_screen.browser.filter_input
        assert box.value == target.call_id
        await wait_for(pilot, lambda: app.main_screen.browser.applied_query == target.call_id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main_screen.selected_row == 2500)
        assert tree.has_focus

        for key, screen_type in (
            ("t", TokensScreen),
            ("question_mark", HelpScreen),
            ("a", AuditScreen),
        ):
            await pilot.press(key)
            await wait_for(
                pilot, lambda screen_type=screen_type: isinstance(app.screen, screen_type)
            )
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.main_screen)

        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)

        assert all(w.is_running for w in bulk) and app.main_screen.jobs.request_running()
        assert "Requesting" in str(app.main_screen.token_bar.render())

        # 4. Esc cancels the user's request; nothing was issued, nothing is left running
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.main_screen.jobs.request_running())
        for worker in bulk:
            worker.cancel()
        await wait_for(pilot, lambda: not any(w.is_running for w in bulk))
        assert app.session.tokens.all() == []
        assert app.screen is app.main_screen and app.return_code is None


# --------------------------------------------------------------------------- faults


@pytest.mark.parametrize(
    ("fault", "kind", "shown"),
    [
        ({"status": 503}, "server", "HTTP 503"),
        ({"status": 500}, "server", "HTTP 500"),
        ({"non_json": True}, "bad-reply", "not JSON"),
        ({"drop": True}, "connect", "dropped the connection"),
    ],
    ids=["503", "500", "non-json", "drop"],
)
async def test_request_faults_are_explained_and_the_next_try_works(
    make_app: AppFactory, emu, fault: dict, kind: str, shown: str
) -> None:
    emu.faults.set(times=1, endpoints={"requestPlayVoice"}, **fault)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        await request_and_wait(pilot)
        outcome = app.session.outcomes[app.main_screen.selected_recording().play_file_name]
        assert isinstance(outcome, Failure) and outcome.kind == kind
        assert shown in playback_text(app) and shown in notes(app)
        assert outcome.hint and outcome.hint in playback_text(app)
        await request_and_wait(pilot, "r")  # the fault was for one request only
        assert app.main_screen.live_token_for_selection() is not None
        assert "resultCode 0" in playback_text(app)


async def test_refused_connection_is_explained(make_app: AppFactory, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = make_app(profile=make_profile(f"http://127.0.0.1:{port}", tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        await request_and_wait(pilot)
        outcome = app.session.outcomes[app.main_screen.selected_recording().play_file_name]
        assert isinstance(outcome, Failure) and outcome.kind == "connect"
        assert f"127.0.0.1:{port} refused the connection" in playback_text(app)


async def test_401_from_clock_skew_shows_the_local_utc_time(
    make_app: AppFactory, clock: FakeClock
) -> None:
    skewed = FakeClock(clock() + timedelta(hours=2))  # this machine is 2 h ahead of CC-FS
    app = make_app(clock=skewed)
    async with app.run_test(size=(120, 40)) as pilot:
        await select_first_recording(pilot)
        await request_and_wait(pilot)
        outcome = app.session.outcomes[app.main_screen.selected_recording().play_file_name]
        assert isinstance(outcome, Failure) and outcome.kind == "auth"
        local = skewed().strftime("%Y-%m-%d %H:%M:%S")
        assert f"local UTC time is {local}Z" in playback_text(app).replace("\n", " ")


async def test_json_error_under_octet_stream_fails_the_download_and_leaves_no_file(
    make_app: AppFactory, emu, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        await request_and_wait(pilot)
        emu.faults.set(json_error_as_audio=True, times=1, endpoints={"playVoice"})
        await pilot.press("d")
        await wait_for(pilot, lambda: "Download failed" in download_panel(app)[2])
        assert "resultCode" in download_panel(app)[2]
        assert not app.session.downloads
        folder = tmp_path / "downloads"
        assert not folder.exists() or not list(folder.iterdir())
        await pilot.press("d")  # the next try works
        name = app.main_screen.selected_recording().play_file_name
        await wait_for(pilot, lambda: name in app.session.downloads)
        assert app.session.downloads[name].read_bytes()[:4] == b"RIFF"


# --------------------------------------------------------------------------- detail pane


async def test_download_panel_shows_only_with_its_own_recording(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        await request_and_wait(pilot)
        first = app.main_screen.selected_recording().play_file_name
        await pilot.press("d")
        await wait_for(pilot, lambda: first in app.session.downloads)
        await wait_for(pilot, lambda: "Saved" in download_panel(app)[2])
        assert download_panel(app)[:2] == (True, True)
        await pilot.press("down")
        await wait_for(pilot, lambda: app.main_screen.selected_recording().play_file_name != first)
        await pilot.pause()
        assert download_panel(app)[:2] == (False, False)  # another recording: nothing shown
        await pilot.press("up")
        await wait_for(pilot, lambda: app.main_screen.selected_recording().play_file_name == first)
        await pilot.pause()
        bar_shown, note_shown, note = download_panel(app)
        assert bar_shown and note_shown and str(app.session.downloads[first]) in note


# --------------------------------------------------------------------------- TLS and tokens


async def test_insecure_warning_stays_across_screens_and_profiles(
    make_app: AppFactory, emu, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCFS_SECRET_KEY", SK)  # the SK of the profile switched to
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[profiles.first]\nbase_url = "{emu.base_url}"\napp_id = "{AK}"\n'
        f'[profiles.second]\nbase_url = "{emu.base_url}"\napp_id = "{AK}"\n',
        encoding="utf-8",
    )
    config = load_config(config_file, env={})
    app = make_app(
        config=config, profile=config.profile("first").with_overrides(verify=False), insecure=True
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        banner = app.main_screen.query_one("#banner")

        def warned() -> bool:
            return bool(banner.display and banner.has_class("-danger")) and (
                "TLS verification is OFF" in str(banner.render())
            )

        assert warned()
        for key in ("t", "question_mark", "a"):
            await pilot.press(key)
            await pilot.pause()
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.main_screen)
            assert warned()
        app.main_screen.switch_profile("second")
        await pilot.pause()
        assert (
            app.session.profile.name == "second"
            and app.session.profile.verify is False
            and warned()
        )
        await select_first_recording(pilot)
        await request_and_wait(pilot)
        assert app.main_screen.live_token_for_selection() is not None and warned()


async def test_a_profile_with_verify_false_is_warned_about_too(
    make_app: AppFactory, emu, tmp_path: Path
) -> None:
    app = make_app(profile_changes={"verify": False})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        banner = app.main_screen.query_one("#banner")
        assert banner.display and banner.has_class("-danger")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not app.main_screen.query_one("#banner").display


async def test_after_a_profile_switch_old_tokens_go_only_to_their_own_server(
    make_app: AppFactory,
    emu,
    sample,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CCFS_SECRET_KEY", SK)
    other = start_emulator(sample[1], clock)
    try:
        config_file = tmp_path / "config.toml"
        config_file.write_text(
            f'[profiles.first]\nbase_url = "{emu.base_url}"\napp_id = "{AK}"\n'
            f'download_dir = "{tmp_path / "dl"}"\n'
            f'[profiles.second]\nbase_url = "{other.base_url}"\napp_id = "{AK}"\n'
            f'download_dir = "{tmp_path / "dl"}"\n',
            encoding="utf-8",
        )
        config = load_config(config_file, env={})
        app = make_app(config=config, profile=config.profile("first"), secret=Secret(SK))
        async with app.run_test(size=(120, 30)) as pilot:
            await select_first_recording(pilot)
            await request_and_wait(pilot)
            token = app.main_screen.live_token_for_selection()
            assert token.base_url == emu.base_url
            app.main_screen.switch_profile("second")
            await wait_for(
                pilot,
                lambda: (
                    app.session.client is not None and app.session.client.profile.name == "second"
                ),
            )
            await pilot.press("t")
            await wait_for(pilot, lambda: isinstance(app.screen, TokensScreen))
            table = app.screen.query_one(DataTable)
            assert table.row_count == 1 and app.screen.selected_token() == token
            # download: the current client (profile second) refuses another server's token
            await pilot.press("d")
            await wait_for(pilot, lambda: "issued by" in notes(app))
            assert emu.base_url in notes(app)
            # copy: the URL points at the server that issued it, never at profile second
            await pilot.press("c")
            assert app.clipboard.startswith(f"{emu.base_url}/CCFS/resource/ccfs/playVoice?")
            assert token.token in app.clipboard
        assert not [r for r in other.requests_seen if r.endpoint == "playVoice"]
        assert not [r for r in emu.requests_seen if r.endpoint == "playVoice"]
        assert not (tmp_path / "dl").exists() or not list((tmp_path / "dl").iterdir())
    finally:
        other.stop()


# --------------------------------------------------------------------------- bad index input


async def test_broken_corpus_the_ui_lists_what_the_cli_prints(
    make_app: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli_main(["index", str(BROKEN_CORPUS)])
    out, err = capsys.readouterr()
    cli_problems = err.splitlines()
    cli_rows = int(out.split()[0])
    assert code == 0 and cli_rows > 0 and len(cli_problems) >= 10
    # the corpus's CDR (_call_) lines are read too: their problems come after the index's
    numbered = re.compile(r":\d+: ")  # FILE:LINE: reason; a whole file is FILE: reason
    whole_files = {line.split(": ")[0] for line in cli_problems if not numbered.search(line)}
    cdr_problems = [
        str(p)
        for p in read_cdrs(cdr_sources([BROKEN_CORPUS])).problems
        if p.line or str(p.source) not in whole_files  # a broken zip: said once
    ]
    assert cdr_problems
    app = make_app(index_paths=[BROKEN_CORPUS])
    async with app.run_test(size=(120, 40)) as pilot:
        browser = app.main_screen.browser
        await wait_for(pilot, lambda: not browser.index_loading and browser.call_legs is not None)
        await pilot.pause()
        assert len(app.store) == cli_rows  # the good lines load
        assert [str(p) for p in browser.problems] == cli_problems + cdr_problems
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen))
        log_lines = [str(line) for line in app.screen.query_one("Log").lines]
        shown_problems: list[str] = []  # a reason that did not fit follows on its own line
        for line in log_lines:
            if line.startswith("  "):
                shown_problems[-1] += " " + line.strip()
            else:
                shown_problems.append(line)
        expected = cli_problems + cdr_problems
        assert len(shown_problems) == len(expected)
        for seen, problem in zip(shown_problems, expected, strict=True):
            # the path may be cut from its start (…), a reason longer than the screen is
            # cut at its end (…)
            whole = problem
            head, _, reason = seen.lstrip("…").partition(": ")
            assert whole.split(": ")[0].endswith(head), (seen, problem)
            assert whole.endswith(reason) or reason.endswith("…"), (seen, problem)
            assert whole.partition(": ")[2].startswith(reason.rstrip("…")), (seen, problem)
