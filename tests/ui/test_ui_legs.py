"""The call's legs: when the loaded paths hold ``_call_`` files (a bill zip, a folder), the
detail pane of a recording shows its call's CDR rows (18, 23 or 29 columns), compact at
80x24; a malformed CDR line is listed on the problems screen (``i``) like an index line."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from ui_support import AK, SAMPLE_FIRST_DAY, AppFactory, loaded, wait_for

from ccfs_tui.emulator.sample_index import (
    generate_recordings,
    write_bill_zip,
    write_calls,
    write_index,
)
from ccfs_tui.ui.screens.problems import ProblemsScreen


def sample_calls(count: int = 400) -> list[Any]:
    return list(
        generate_recordings(count, seed=9, start=SAMPLE_FIRST_DAY, days=2, app_id=AK, transfers=0.3)
    )


def call_in_parts(recordings: list[Any], parts: int) -> str:
    counts = Counter(rec.call_id for rec in recordings)
    return next(call_id for call_id, n in counts.items() if n == parts)


def cut_columns(path: Path, columns: int) -> None:
    """Rewrite a CDR file with its first ``columns`` columns (an older platform)."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(row[:columns] for row in rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def legs_text(app: Any) -> str:
    return str(app.main_screen.detail.query_one("#legs").render())


async def show_call(pilot: Any, call_id: str) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.main_screen.browser.call_legs is not None)
    await pilot.press("colon", *call_id, "enter")
    await wait_for(
        pilot, lambda: (rec := app.main_screen.selected_recording()) and rec.call_id == call_id
    )
    await pilot.pause()


@pytest.mark.parametrize("columns", [29, 23, 18])
async def test_a_recording_shows_the_legs_of_its_call(
    make_app: AppFactory, tmp_path: Path, columns: int
) -> None:
    recordings = sample_calls()
    folder = tmp_path / "bills"
    folder.mkdir()
    write_index(folder / "sample_record.csv", recordings)
    write_calls(folder / "sample_call.csv", recordings)
    if columns != 29:
        cut_columns(folder / "sample_call.csv", columns)
    call_id = call_in_parts(recordings, 3)
    parts = sorted((r for r in recordings if r.call_id == call_id), key=lambda r: r.call_begin)
    app = make_app(index_paths=[folder])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await show_call(pilot, call_id)
        text = legs_text(app)
        day = f"{parts[0].call_begin:%Y-%m-%d}"
        assert f"Call legs (CDR) · 3 · {day}" in text
        for number, rec in enumerate(parts, 1):
            span = f"{rec.call_begin:%H:%M:%S}–{rec.call_end:%H:%M:%S}"
            assert f"{number} agent {rec.agent_id} · {span}" in text
        assert "wait " in text and "answer +" in text
        assert text.count("release 0 · leave —") == 1  # the last leg ends the call
        assert app.main_screen.browser.problems == []


async def test_legs_of_a_bill_zip_and_a_malformed_line_in_the_problems_screen(
    make_app: AppFactory, tmp_path: Path
) -> None:
    recordings = sample_calls()
    call_id = call_in_parts(recordings, 2)
    bill = tmp_path / "20261003_0123456789abcdef0123456789abcdef.zip"
    write_bill_zip(bill, recordings)
    with zipfile.ZipFile(bill, "a") as archive:
        archive.writestr("extra_call_2.csv", "a,b,c,d,e\r\n")
    app = make_app(index_paths=[bill])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await show_call(pilot, call_id)
        assert "Call legs (CDR) · 2" in legs_text(app)
        problems = [str(p) for p in app.main_screen.browser.problems]
        assert problems == [f"{bill}!extra_call_2.csv:1: 5 columns (a CDR line has 18, 23 or 29)"]
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen))
        log = app.screen.query_one("#problems-log")
        assert any("extra_call_2.csv:1: 5 columns" in line for line in log.lines)


async def test_legs_fit_the_pane_at_80x24(make_app: AppFactory, tmp_path: Path) -> None:
    recordings = sample_calls()
    folder = tmp_path / "bills"
    folder.mkdir()
    write_index(folder / "sample_record.csv", recordings)
    write_calls(folder / "sample_call.csv", recordings)
    call_id = call_in_parts(recordings, 3)
    app = make_app(index_paths=[folder])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await show_call(pilot, call_id)
        legs = app.main_screen.detail.query_one("#legs")
        assert legs.size.height <= 1 + 3 * 3  # a title, then at most 3 lines a leg
        assert all(len(line) <= legs.size.width for line in legs_text(app).splitlines())


async def test_no_cdr_file_no_legs_section(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", "enter")
        await wait_for(pilot, lambda: app.main_screen.selected_row is not None)
        await pilot.pause(0.3)
        assert app.main_screen.browser.call_legs is None
        assert not app.main_screen.detail.query_one("#legs").display
