"""Copy text to the user's clipboard over SSH with OSC 52 (tmux-aware)."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Protocol


class _ClipboardApp(Protocol):
    def copy_to_clipboard(self, text: str) -> None: ...


def osc52_sequence(text: str, *, tmux: bool = False) -> str:
    """The OSC 52 escape sequence that puts ``text`` on the clipboard.

    Inside tmux the sequence is wrapped in a DCS passthrough (``ESC P tmux; ... ESC \\``)
    with every inner ESC doubled, so tmux hands it to the outer terminal.
    """
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    sequence = f"\x1b]52;c;{payload}\x07"
    if tmux:
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


def in_tmux(environ: Mapping[str, str] | None = None) -> bool:
    """True when running inside tmux."""
    return bool((os.environ if environ is None else environ).get("TMUX"))


def copy_text(app: _ClipboardApp, text: str, environ: Mapping[str, str] | None = None) -> str:
    """Copy ``text``; return how, for a toast that already says it was copied
    (``Via OSC 52.``).

    Textual's ``App.copy_to_clipboard`` writes plain OSC 52 (tmux takes it when
    ``set-clipboard`` is on); inside tmux the passthrough-wrapped form is written too,
    for tmux set-ups that only forward passthrough (``allow-passthrough on``).
    """
    app.copy_to_clipboard(text)
    if not in_tmux(environ):
        return "Via OSC 52."
    driver = getattr(app, "_driver", None)
    if driver is not None:
        driver.write(osc52_sequence(text, tmux=True))
    return "Via OSC 52 (and tmux passthrough)."
