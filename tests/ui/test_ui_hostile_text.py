"""Escape codes from a server, an index file, the token store or the audit log never reach
the terminal (issue 14): every foreign text is shown with its control, bidi and separator
characters as visible escapes (``\\x1b``, ``\\u202e``), and a ``[`` in it is never markup.

Each test drives the real app with Pilot and checks what Textual would write: the text of
every segment of a full render of the screen (toasts included) holds no raw control
character, and the hostile parts are there as visible text.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from textual.widgets._toast import Toast
from ui_support import AK, START, AppFactory, loaded, select_first_recording, wait_for

from ccfs_tui.core.audit import AuditLog
from ccfs_tui.core.clock import FakeClock
from ccfs_tui.core.recording import Recording
from ccfs_tui.core.tokens import TokenStore
from ccfs_tui.emulator.sample_index import generate_recordings, write_index
from ccfs_tui.ui.screens.audit import AuditScreen
from ccfs_tui.ui.screens.problems import ProblemsScreen
from ccfs_tui.ui.screens.tokens import TokensScreen

SIZE = (200, 60)

ESC = "\x1b[2J\x1b]52;c;ZXZpbA==\x07"
"""Clears the screen, then writes the clipboard (OSC 52)."""
C1 = "\x9b31m\x85"
"""An 8-bit CSI and NEL: C1 controls, which the index reader lets through (UTF-8 text)."""
BIDI = "\u202e\u2066"
MARKUP = "[red]x[/] [/bold]"
"""Rich/Textual markup; the closing tag with nothing to close is an error as markup."""
HOSTILE = f"{C1}{BIDI}\u2028\t{MARKUP}"
"""What an index field can hold (the reader refuses C0 controls but TAB in a line)."""

RAW = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def painted(app: Any) -> list[str]:
    """The text of every segment a full redraw of the screen would write (no styles), one
    string per screen line."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return [
        "".join(segment.text for strip in line for segment in strip if not segment.control)
        for line in update.strips
    ]


def assert_clean(app: Any) -> str:
    """No raw control character in what Textual would write; returns the screen's lines."""
    lines = painted(app)
    bad = sorted({f"U+{ord(c):04X}" for line in lines for c in RAW.findall(line)})
    assert not bad, f"raw control characters reach the terminal: {bad}"
    return "\n".join(lines)


def notes(app: Any) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def hostile_index(folder: Path) -> Path:
    """Two recordings whose every text field is hostile, a line with ESC (skipped, so a
    problem) in a file whose own name holds ESC, for the problems screen."""
    folder.mkdir()
    base = list(generate_recordings(2, seed=5, start=date(2026, 10, 1), days=1, app_id=AK))
    rows: list[Recording] = []
    for n, rec in enumerate(base):
        rows.append(
            dataclasses.replace(
                rec,
                call_id=f"call{n}{HOSTILE}",
                caller_no=f"138{HOSTILE}",
                callee_no=f"{MARKUP}4008",
                agent_id=f"10{HOSTILE}",
                vdn_id=f"V{HOSTILE}",
                developer=HOSTILE,
                account_id=HOSTILE,
                cc_id=HOSTILE,
                task_result=HOSTILE,
                call_type=HOSTILE,
                media_type=HOSTILE,
                user_wanted_skill_id=HOSTILE,
                current_skill_id=HOSTILE,
                file_name=f"/1/{HOSTILE}/{n}.wav",
                original_file_name=f"Y:\\1\\{HOSTILE}\\{n}.V3",
            )
        )
    write_index(folder / "a_record.csv", rows)
    line = ",".join(rows[0].to_row()).replace("\t", "").replace("call0", f"call{ESC}")
    (folder / f"evil{ESC}_record.csv").write_bytes(line.encode() + b"\n")
    return folder


async def test_hostile_index_fields_are_shown_escaped_never_executed(
    make_app: AppFactory, tmp_path: Path
) -> None:
    folder = hostile_index(tmp_path / "idx")
    app = make_app(index_paths=[folder])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await select_first_recording(pilot)
        await pilot.pause()
        assert app.main_screen.selected_recording() is not None
        text = assert_clean(app)
        # the tree (VDN, agent, leaf label) and the detail pane show the escapes as text
        assert "VDN V\\x9b31m\\x85\\u202e\\u2066\\u2028\\x09[red]x[/] [/bold]" in text
        assert "Agent 10\\x9b" in text
        assert "138\\x9b31m" in text and "→[red]x[/]" in text  # the leaf label
        assert "call0\\x9b31m\\x85\\u202e" in text or "call1\\x9b31m\\x85\\u202e" in text
        assert "Y:/1/\\x9b31m" in text  # fileName sent
        assert text.count("[red]x[/]") >= 5  # never taken as markup

        # the group summary in the detail pane
        await pilot.press("up")
        await pilot.pause()
        assert_clean(app)

        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen))
        await pilot.pause()
        text = assert_clean(app)
        assert "evil\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07_record.csv:1:" in text


HOSTILE_DESC = f"{ESC}{C1}{BIDI}{MARKUP}"


async def test_hostile_result_desc_is_shown_escaped_in_the_pane_and_the_toast(
    make_app: AppFactory, emu
) -> None:
    emu.faults.set(result_code="0399999", result_desc=HOSTILE_DESC, endpoints={"requestPlayVoice"})
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await select_first_recording(pilot)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: not app.main_screen.jobs.request_running() and not app.main_screen.jobs.busy(),
        )
        await pilot.pause()
        text = assert_clean(app)
        assert "0399999" in notes(app) and f"\\x07\\x9b31m\\x85\\u202e\\u2066{MARKUP}" in notes(app)
        # in the detail pane and in the toast (the toast may lie over the pane's first
        # lines: each is read on its own); markup shown as typed
        pane = str(app.main_screen.detail.query_one("#playback").render())
        toasts = "\n".join(str(toast.render()) for toast in app.screen.query(Toast))
        for shown_text in (pane, toasts):
            assert "\\x1b[2J\\x1b]52;c;" in shown_text
            assert "[red]" in shown_text and "[/bold]" in shown_text
        assert "\\x1b[2J\\x1b]52;c;" in text  # and on screen, escaped


async def test_hostile_reply_body_is_shown_escaped(make_app: AppFactory, emu) -> None:
    body = json.dumps({"resultCode": "0399998", "resultDesc": HOSTILE_DESC}).encode()
    emu.faults.set(reply_body=body, endpoints={"requestPlayVoice"})
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await select_first_recording(pilot)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: not app.main_screen.jobs.request_running() and not app.main_screen.jobs.busy(),
        )
        await pilot.pause()
        text = assert_clean(app)
        assert "0399998" in notes(app) and MARKUP in notes(app)
        pane = str(app.main_screen.detail.query_one("#playback").render())
        toasts = "\n".join(str(toast.render()) for toast in app.screen.query(Toast))
        for shown_text in (pane, toasts):  # each on its own (a toast may lie over the pane)
            assert "\\x1b[2J\\x1b]52;c;" in shown_text
            assert "[red]" in shown_text and "[/bold]" in shown_text
        assert "\\x1b[2J\\x1b]52;c;" in text  # and on screen, escaped


BAD_TOKEN = f"{ESC}{MARKUP}{BIDI}\x9b31m"
"""Its first and last four characters (the masked form) hold controls too."""
SHOWN = ("ZXZpbA", "\\x1b[2J", "\\x9b3", "31m")
"""Pieces of the token as a screen would show them, masked or escaped."""


def plain_index(folder: Path) -> tuple[Path, Recording]:
    folder.mkdir()
    rows = list(generate_recordings(1, seed=7, start=date(2026, 10, 1), days=1, app_id=AK))
    write_index(folder / "plain_record.csv", rows)
    return folder, rows[0]


async def test_a_stored_token_holding_escapes_is_never_shown_nor_used(
    make_app: AppFactory, emu, clock: FakeClock, tmp_path: Path
) -> None:
    folder, rec = plain_index(tmp_path / "idx")
    path = tmp_path / "tokens.json"
    entry = {
        "token": BAD_TOKEN,
        "file_name": rec.play_file_name,
        "issued_at": START.isoformat(),
        "expires_at": (START + timedelta(minutes=30)).isoformat(),
        "profile": "test",
        "base_url": emu.base_url,
    }
    path.write_text(json.dumps({"tokens": [entry]}))
    store = TokenStore(path, clock)
    store.load()
    copied: list[str] = []
    app = make_app(index_paths=[folder], tokens=store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await select_first_recording(pilot)
        text = assert_clean(app)
        assert "not plain text" in notes(app)  # said at the start
        assert not any(piece in text for piece in SHOWN)  # never shown, not even masked

        await pilot.press("v")  # reveal
        await pilot.pause()
        text = assert_clean(app)
        assert not any(piece in text for piece in SHOWN)

        before = len(emu.requests_seen)
        for key in ("c", "d", "p"):
            await pilot.press(key)
            await pilot.pause()
        await wait_for(
            pilot,
            lambda: not app.main_screen.jobs.download_running() and not app.main_screen.jobs.busy(),
        )
        await pilot.pause()
        assert copied == []  # no URL built from it
        assert len(emu.requests_seen) == before  # nothing sent
        assert_clean(app)

        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TokensScreen))
        await pilot.pause()
        text = assert_clean(app)
        assert not any(piece in text for piece in SHOWN) and rec.play_file_name in text
        await pilot.press("c")
        await pilot.pause()
        assert copied == [] and "not plain text" in notes(app)
        assert_clean(app)


async def test_hostile_audit_entries_are_shown_escaped(
    make_app: AppFactory, clock: FakeClock, tmp_path: Path
) -> None:
    log = AuditLog(tmp_path / "audit.jsonl", clock)
    log.record(
        profile=f"p{ESC}{MARKUP}",
        app_id=f"ak{C1}",
        action=f"playVoice{BIDI}",
        file_name=f"Y:/{ESC}/{MARKUP}.V3",
        outcome=f"error{C1}",
        result_code=f"03{ESC}",
        token_fingerprint=f"ab{BIDI}",
        detail=f"{ESC}{C1}{BIDI}{MARKUP}",
    )
    app = make_app(audit=log)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.loaded)
        await pilot.pause()
        text = assert_clean(app)
        assert "p\\x1b[2J" in text and "[red]x[/] [/bold].V3" in text
        assert "\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07\\x9b31m" in text  # the detail
