""" "Go to call id" (``:``) against the emulator on loopback: a call in the index is jumped
to (the keys typed after Enter act on it, a filter that hides it is cleared); one that is
not is fetched by downloadRecord and shown without an index row, ``d`` saves it and ``p``
plays it, ``l`` serves it to a browser (one URL per recording); a call of several
recordings; 0300012 is one line."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from ui_support import (
    AK,
    SAMPLE_FIRST_DAY,
    AppFactory,
    loaded,
    make_profile,
    select_first_recording,
    start_emulator,
    wait_for,
)

from ccfs_tui.core.clock import FakeClock
from ccfs_tui.core.index import read_recordings
from ccfs_tui.core.recording import Recording
from ccfs_tui.emulator import Emulator
from ccfs_tui.emulator.sample_index import write_sample
from ccfs_tui.ui.screens.goto_call import GotoCallScreen
from ccfs_tui.ui.widgets import call_jobs


@pytest.fixture
def calls(tmp_path: Path, clock: FakeClock) -> Iterator[tuple[Emulator, list[Recording], Path]]:
    """An emulator whose 600 calls include calls in 2-3 parts; the index of day one only."""
    full = tmp_path / "all" / "full_record.csv"
    full.parent.mkdir()
    catalogue = write_sample(
        full, 600, app_id=AK, seed=5, start=SAMPLE_FIRST_DAY, days=3, transfers=0.3
    )
    recordings, _problems = read_recordings([full])
    day_one = f"{SAMPLE_FIRST_DAY:%Y-%m-%d}"
    lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
    index = tmp_path / "open" / "day1_record.csv"
    index.parent.mkdir()
    index.write_text(
        "".join([lines[0], *(line for line in lines[1:] if f",{day_one} " in line)]),
        encoding="utf-8",
    )
    server = start_emulator(catalogue, clock)
    try:
        yield server, recordings, index
    finally:
        server.stop()


def parts_of(recordings: list[Recording]) -> dict[str, list[Recording]]:
    by_call: dict[str, list[Recording]] = defaultdict(list)
    for rec in recordings:
        by_call[rec.call_id].append(rec)
    return by_call


def not_indexed(recordings: list[Recording], parts: int) -> str:
    """A call of day two (not in the open index) recorded in ``parts`` parts."""
    return next(
        call_id
        for call_id, recs in parts_of(recordings).items()
        if len(recs) == parts and recs[0].call_begin.date() > SAMPLE_FIRST_DAY
    )


async def go_to(pilot: Any, call_id: str, *after: str) -> None:
    """``:``, the call id, Enter (and ``after``), typed in one go."""
    await pilot.press("colon", *call_id, "enter", *after)


def loose(app: Any) -> Any:
    return app.main_screen.loose


async def until_fetched(pilot: Any) -> None:
    """Wait until the call gone to is fetched and shown (its state "ready")."""
    app = pilot.app
    await wait_for(pilot, lambda: loose(app) is not None and loose(app).state == "ready")


def detail_text(app: Any) -> str:
    return str(app.main_screen.detail.query_one("#loose").render())


async def test_a_call_in_the_index_is_jumped_to_and_the_next_key_acts_on_it(
    make_app: AppFactory, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    search = call_jobs.call_rows

    def slow_search(*args: Any, **kwargs: Any) -> list[int]:
        time.sleep(0.3)  # a big index: the key typed after Enter must wait for the answer
        return search(*args, **kwargs)

    monkeypatch.setattr(call_jobs, "call_rows", slow_search)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select_first_recording(pilot)
        first = app.main_screen.selected_recording()
        target = app.store.recording(len(app.store) // 2)
        assert target.call_id != first.call_id
        await go_to(pilot, target.call_id, "r")  # r typed right after Enter
        await wait_for(pilot, lambda: app.session.live_token(target.play_file_name) is not None)
        assert app.main_screen.selected_recording() == target
        assert app.session.live_token(first.play_file_name) is None
        assert loose(app) is None


async def test_a_filter_that_hides_the_call_is_cleared(make_app: AppFactory, emu: Emulator) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await select_first_recording(pilot)
        shown = app.main_screen.selected_recording()
        target = next(
            app.store.recording(i)
            for i in range(len(app.store))
            if app.store.recording(i).agent_id != shown.agent_id
        )
        await pilot.press("slash", *f"agent:{shown.agent_id}", "enter")
        await wait_for(pilot, lambda: app.main_screen.browser.applied_query.startswith("agent:"))
        await go_to(pilot, target.call_id)
        await wait_for(pilot, lambda: app.main_screen.selected_recording() == target)
        assert app.main_screen.browser.tree_widget.ids is None  # the filter is gone
        assert not app.main_screen.browser.filter_input.display


async def test_a_call_not_in_the_index_is_fetched_and_d_saves_it(
    make_app: AppFactory, calls: tuple[Emulator, list[Recording], Path], tmp_path: Path
) -> None:
    server, recordings, index = calls
    call_id = not_indexed(recordings, 1)
    played = tmp_path / "played.txt"
    player = ["sh", "-c", f'printf %s "$1" > {played}', "player"]
    app = make_app(
        index_paths=[index],
        profile=make_profile(server.base_url, tmp_path),
        player_finder=lambda: player,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await select_first_recording(pilot)
        kept = app.main_screen.selected_row
        await go_to(pilot, call_id)
        await until_fetched(pilot)
        assert f"Call {call_id}" in detail_text(app) and "not in the loaded index" in detail_text(
            app
        )
        assert "1 recording" in detail_text(app)
        assert app.main_screen.selected_recording() is None  # r, c, n do not act on the tree
        assert not app.main_screen.can_act("request_token")
        (fetched,) = loose(app).files
        assert fetched.read_bytes().startswith(b"RIFF")
        await pilot.press("d")
        saved = tmp_path / "downloads" / f"{call_id}.wav"
        await wait_for(pilot, saved.exists)
        assert saved.read_bytes() == fetched.read_bytes()
        assert saved.stat().st_mode & 0o777 == 0o600
        assert "Saved to" in detail_text(app)
        await pilot.press("p")
        await wait_for(pilot, lambda: played.exists() and played.read_text() == str(fetched))
        await pilot.press("j")  # the tree cursor moves: the tree's recording again
        await wait_for(pilot, lambda: loose(app) is None)
        assert app.main_screen.selected_row not in (None, kept)
        assert app.main_screen.selected_recording() is not None
    assert not fetched.exists()  # the private folder goes with the app


async def test_a_call_of_several_recordings_is_fetched_whole(
    make_app: AppFactory, calls: tuple[Emulator, list[Recording], Path], tmp_path: Path
) -> None:
    server, recordings, index = calls
    call_id = not_indexed(recordings, 2)
    app = make_app(index_paths=[index], profile=make_profile(server.base_url, tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await go_to(pilot, call_id)
        await until_fetched(pilot)
        assert len(loose(app).files) == 2
        assert "2 recordings" in detail_text(app) and "Play 1st" in detail_text(app)
        await pilot.press("d")
        folder = tmp_path / "downloads" / call_id
        await wait_for(pilot, lambda: folder.is_dir() and len(list(folder.iterdir())) == 2)
        assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in loose(app).files)


async def test_a_call_of_several_recordings_in_the_index_jumps_to_its_first(
    make_app: AppFactory, calls: tuple[Emulator, list[Recording], Path]
) -> None:
    _server, recordings, index = calls
    call_id, parts = next(
        (call_id, recs)
        for call_id, recs in parts_of(recordings).items()
        if len(recs) == 3 and recs[0].call_begin.date() == SAMPLE_FIRST_DAY
    )
    app = make_app(index_paths=[index])
    async with app.run_test(size=(120, 40)) as pilot:
        await select_first_recording(pilot)
        await go_to(pilot, call_id)
        earliest = min(parts, key=lambda rec: rec.call_begin)
        await wait_for(pilot, lambda: app.main_screen.selected_recording() == earliest)


async def test_0300012_is_one_line_and_nothing_is_kept(
    make_app: AppFactory, emu: Emulator, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await go_to(pilot, "1999999999-0000001")
        await wait_for(pilot, lambda: loose(app) is not None and loose(app).state == "failed")
        text = detail_text(app)
        assert "No recording was found for call id 1999999999-0000001" in text
        assert "(CC-FS resultCode 0300012)" in text
        assert not app.main_screen.can_act("download") and not app.main_screen.can_act("play")
    assert not (tmp_path / "downloads").exists() or not list((tmp_path / "downloads").iterdir())


async def test_a_call_id_with_a_space_is_refused_in_the_prompt(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("colon", "1", "space", "2", "enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, GotoCallScreen)
        assert "one word" in str(app.screen.query_one("#goto-hint").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)


async def test_the_sk_is_asked_for_then_the_call_is_fetched(
    make_app: AppFactory, calls: tuple[Emulator, list[Recording], Path], tmp_path: Path
) -> None:
    from ui_support import SK

    from ccfs_tui.ui.screens.secret_prompt import SecretPromptScreen

    server, recordings, index = calls
    call_id = not_indexed(recordings, 1)
    profile = make_profile(server.base_url, tmp_path, secret_prompt=True)
    app = make_app(index_paths=[index], profile=profile, secret=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await go_to(pilot, call_id)
        await wait_for(pilot, lambda: isinstance(app.screen, SecretPromptScreen))
        await pilot.press(*SK, "enter")
        await until_fetched(pilot)
        assert "1 recording" in detail_text(app)


async def listened(pilot: Any, count: int) -> tuple[str, ...]:
    """``l`` on the call shown; the URLs the pane shows once ``count`` are served."""
    app = pilot.app
    await pilot.press("l")
    detail = app.main_screen.detail
    await wait_for(pilot, lambda: len(detail.listen_urls) == count, timeout=20)
    return tuple(detail.listen_urls)


async def get(url: str) -> httpx.Response:
    """A browser's GET, off the event loop (the server runs in its own thread)."""
    return await asyncio.to_thread(httpx.get, url, timeout=10)


async def test_l_serves_a_call_not_in_the_index_to_the_browser(
    make_app: AppFactory, calls: tuple[Emulator, list[Recording], Path], tmp_path: Path
) -> None:
    server, recordings, index = calls
    call_id = not_indexed(recordings, 1)
    environ = {"SSH_CONNECTION": "10.9.8.7 51515 10.22.26.5 22", "USER": "alice"}
    app = make_app(
        index_paths=[index], profile=make_profile(server.base_url, tmp_path), environ=environ
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await select_first_recording(pilot)
        await go_to(pilot, call_id)
        await until_fetched(pilot)
        assert app.main_screen.can_act("listen")
        (url,) = await listened(pilot, 1)
        page = await get(url)
        assert page.status_code == 200 and call_id in page.text
        audio = await get(url + "audio.wav")
        assert audio.status_code == 200
        assert audio.headers["content-type"] == "audio/wav"
        assert audio.content.startswith(b"RIFF") and len(audio.content) > 1000
        pane = str(app.main_screen.detail.query_one("#listen").render())
        assert url in pane and "ssh -L" in pane
        await pilot.press("j")  # the tree's recording again: not the call's URL
        await wait_for(pilot, lambda: loose(app) is None)
        assert app.main_screen.detail.listen_url == ""


async def test_l_serves_each_recording_of_a_call_not_in_the_index(
    make_app: AppFactory, calls: tuple[Emulator, list[Recording], Path], tmp_path: Path
) -> None:
    server, recordings, index = calls
    call_id = not_indexed(recordings, 2)
    app = make_app(index_paths=[index], profile=make_profile(server.base_url, tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await go_to(pilot, call_id)
        await until_fetched(pilot)
        urls = await listened(pilot, 2)
        assert len(set(urls)) == 2
        bodies = []
        for url in urls:
            audio = await get(url + "audio.wav")
            assert audio.status_code == 200 and audio.content.startswith(b"RIFF")
            bodies.append(audio.content)
        assert bodies[0] != bodies[1]  # each URL serves its own recording
