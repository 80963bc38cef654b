"""The audit screen on a log with a huge last line (issue 14 B): ``a`` then ``q`` leaves the
app, whose process then exits (the read was a non-daemon thread reading on for hours)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

APP = """
    import asyncio, sys, time
    from pathlib import Path
    from ccfs_tui.core.audit import AuditLog
    from ccfs_tui.core.session import Session
    from ccfs_tui.ui.app import CcfsApp
    from ccfs_tui.ui.screens.audit import AuditScreen

    async def main() -> None:
        app = CcfsApp(Session(audit=AuditLog(Path(sys.argv[1]))), tick=False, environ={},
                      player_finder=lambda: None)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("a")
            deadline = time.monotonic() + 30
            while not isinstance(app.screen, AuditScreen):
                assert time.monotonic() < deadline
                await pilot.pause(0.05)
            await pilot.pause(0.3)  # the read is under way
            await pilot.press("q")  # closes the audit screen
            await pilot.pause()
            await pilot.press("q")  # quits
        print("closed", flush=True)

    asyncio.run(main())
"""


def test_a_then_q_exits_even_while_a_huge_audit_line_is_read(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    entry = {"time": "2026-11-24T08:00:00Z", "profile": "p", "app_id": "a", "action": "x",
             "file_name": "f", "outcome": "ok"}  # fmt: skip
    with path.open("wb") as handle:
        handle.write(json.dumps(entry).encode() + b"\n")
        handle.truncate(handle.tell() + (3 << 30))  # a 3 GB last line (sparse)
        handle.seek(0, os.SEEK_END)
        handle.write(b"\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(APP), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        out, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        message = f"the app did not exit after a then q: {out!r} {err[-2000:]!r}"
        raise AssertionError(message) from None
    assert proc.returncode == 0, err[-2000:]
    assert out.strip() == "closed"
