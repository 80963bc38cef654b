"""The waveform in the detail pane once a recording is downloaded: from the WAV's own data,
as wide as the pane (again when it changes), readable without colour; an SVG snapshot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scenes import main_scene, write_scene_index
from ui_support import AppFactory, select_first_recording, wait_for

from ccfs_tui.core.audio.waveform import LEVELS, compute_waveform
from ccfs_tui.emulator.audio import make_wav
from ccfs_tui.ui.widgets.waveform import ROWS, WaveformView

ESCAPES = re.compile(
    r"\x1b(?:\[[0-9;:?<=>]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_].*?\x1b\\)"
)


GREYS = {30, 37, 90, 97, 40, 47, 100, 107}


def greys_only(out: str) -> bool:
    """Every colour of the SGR sequences in ``out`` is black, white or a grey."""
    for params in re.findall(r"\x1b\[([0-9;]*)m", out):
        codes = [int(p) for p in params.split(";") if p]
        i = 0
        while i < len(codes):
            code = codes[i]
            if code in (38, 48) and codes[i + 1 : i + 2] == [2]:
                r, g, b = codes[i + 2 : i + 5]
                if not r == g == b:
                    return False
                i += 5
                continue
            if code in (38, 48) and codes[i + 1 : i + 2] == [5]:
                return False  # a 256-colour index: not checked here, not expected
            if (30 <= code <= 47 or 90 <= code <= 107) and code not in GREYS:
                return False
            i += 1
    return True


def view(app) -> WaveformView:
    return app.main_screen.detail.query_one(WaveformView)


def painted(app) -> str:
    """The screen's text, one line per row (no styles)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "\n".join(
        "".join(segment.text for strip in line for segment in strip if not segment.control)
        for line in update.strips
    )


async def download_first(pilot) -> Path:
    """Request a token for the first recording, press d, wait for its waveform."""
    app = pilot.app
    screen = app.main_screen
    await select_first_recording(pilot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.live_token_for_selection() is not None)
    name = screen.selected_recording().play_file_name
    await pilot.press("d")
    await wait_for(pilot, lambda: name in app.session.downloads)
    await wait_for(pilot, lambda: view(app).waveform is not None)
    await pilot.pause()
    return app.session.downloads[name]


async def test_after_a_download_the_pane_shows_the_waveform_of_the_wav(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        path = await download_first(pilot)
        widget = view(app)
        rec = app.main_screen.selected_recording()
        width = widget.size.width
        assert width >= 30  # the pane's width at 80x24, not a fixed size
        expected = compute_waveform(path, width)
        shown = widget.waveform
        assert shown == expected and len(shown.peaks) == width
        # the emulator's audio lasts as long as the call, with talk and pauses
        assert abs(shown.duration - rec.duration.total_seconds()) <= 1
        assert 0.05 < shown.silence < 0.95
        screen_text = painted(app)
        for row in expected.rows(ROWS):
            assert row in screen_text
        assert expected.summary in screen_text and "% silence" in screen_text


async def test_the_waveform_follows_the_width_of_the_pane(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        path = await download_first(pilot)
        narrow = view(app).size.width
        await pilot.resize_terminal(120, 36)
        await wait_for(pilot, lambda: view(app).size.width > narrow)
        wide = view(app).size.width
        await wait_for(pilot, lambda: view(app).waveform is not None)
        assert view(app).waveform == compute_waveform(path, wide)
        assert len(view(app).waveform.peaks) == wide


async def test_a_group_or_a_recording_not_downloaded_has_no_waveform(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await download_first(pilot)
        assert view(app).display
        await pilot.press("j")  # the next recording: not downloaded
        await pilot.pause()
        assert not view(app).display
        await pilot.press("k")  # back: the waveform is kept, not read again
        await pilot.pause()
        assert view(app).display and view(app).waveform is not None


async def test_a_file_that_is_not_a_wav_says_so_in_one_line(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        path = await download_first(pilot)
        path.write_bytes(b"<html>not audio</html>")
        await pilot.press("j", "k")
        await wait_for(pilot, lambda: "No waveform" in str(view(app).render()))
        text = str(view(app).render())
        assert "\n" not in text.strip() and path.name in text


async def test_no_color_the_waveform_reads_from_its_characters(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        await download_first(pilot)
        update = app.screen._compositor.render_update(
            full=True, screen_stack=app._background_screens
        )
        out = update.render_segments(app.console)
        assert not greys_only("\x1b[1;31m")  # (the check does see a hue)
        assert greys_only(out)  # NO_COLOR: black, white and greys, no hue
        text = ESCAPES.sub("", out)
        rows = view(app).waveform.rows(ROWS)
        for row in rows:
            assert row in text
        # the levels are in the glyphs: several block heights, not one colour-coded bar
        assert len({c for row in rows for c in row} & set(LEVELS[1:])) >= 4


@pytest.fixture(scope="module")
def scene_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scene_index(tmp_path_factory.mktemp("scene"))


def test_snapshot_of_the_pane_with_the_waveform_80x24(
    snap_compare, scene_index: Path, tmp_path: Path
) -> None:
    app, ready = main_scene(scene_index, tmp_path)

    async def run_before(pilot) -> None:
        await ready(pilot)
        rec = app.main_screen.selected_recording()
        path = tmp_path / "scene.wav"
        path.write_bytes(make_wav(rec.play_file_name, rec.duration.total_seconds()))
        app.session.downloads[rec.play_file_name] = path
        app.main_screen.show_cursor()
        await wait_for(pilot, lambda: view(app).waveform is not None, timeout=20)
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
