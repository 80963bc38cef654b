"""Quitting at any moment (right at launch, while the index loads, once loaded) ends the app
cleanly: status 0 and no traceback left on the terminal."""

from __future__ import annotations

import pytest
from tmux_app import NO_TMUX, TmuxApp, tmux_missing

pytestmark = [
    pytest.mark.terminal,
    pytest.mark.skipif(tmux_missing(), reason=NO_TMUX),
]

# ctrl+q is not sent before the first frame: until the app puts the terminal in raw mode,
# the terminal's own flow control (IXON) takes ctrl+q as XON and no program ever sees it.
MOMENTS = [
    ("q", "at launch"),
    ("C-q", "first frame"),
    ("C-q", "while loading"),
    ("q", "while loading"),
    ("q", "loaded"),
]


@pytest.mark.parametrize(("key", "moment"), MOMENTS, ids=[f"{k}-{m}" for k, m in MOMENTS])
def test_quit_exits_cleanly(fresh_app: TmuxApp, key: str, moment: str) -> None:
    """``q`` (on the tree) or ctrl+q: the app exits with status 0 and no traceback."""
    app = fresh_app
    if moment == "at launch":
        app.start(key)  # sent right after the session starts, before anything is drawn
    else:
        app.start()
        if moment == "first frame":
            app.wait_text("╭─ Recordings")
        elif moment == "while loading":
            app.wait_for(lambda s: "loading" in app.summary(s), "the window to show the load")
        else:
            app.wait_loaded()
        app.send(key)

    status, text = app.exit_status()

    assert "Traceback" not in text, f"{key} {moment}: a traceback is on the terminal:\n{text}"
    assert status == 0, f"{key} {moment}: exit status {status}:\n{text}"
