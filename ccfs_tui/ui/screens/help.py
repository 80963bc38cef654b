"""The ``?`` / F1 help screen: every key, and what the panes show."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, str], ...] = (
    ("↑ ↓ ← →", "move; Enter or Space opens a group"),
    ("/", "filter: call id, number, agent, file, day 2026-10-03"),
    ("Enter", "(in the filter) jump to the first match"),
    ("Enter  r", "request a playback token (requestPlayVoice)"),
    ("Esc", "cancel request / download / load; close filter"),
    ("n", "renew: a new token for the same file"),
    ("c", "copy the playback URL (OSC 52, SSH and tmux)"),
    ("d", "download the audio to the profile's folder"),
    ("p", "play with mpv, ffplay or aplay (downloads first)"),
    ("v", "reveal / hide the token"),
    ("t", "all tokens: time left, copy, download, renew, remove"),
    ("i", "skipped index lines (file:line: reason)"),
    ("a", "audit log: recent token requests and downloads"),
    ("ctrl+p", "command palette: every action, switch profile"),
    ("?  F1", "this help"),
    ("q", "quit"),
)

NOTES = (
    "Tokens live 30 minutes. The status bar counts down the one nearest expiry: "
    "yellow under 5 minutes, red under 1. Tokens are kept across restarts; the SK never is.\n\n"
    "The detail pane shows every field of the recording, the fileName that is sent "
    "(backslashes turned into slashes) and the signed request (signature shortened)."
)


def help_content() -> Content:
    """The keys as a two-column text."""
    width = max(len(key) for key, _ in KEYS) + 2
    lines = [Content.styled("Keys", "bold")]
    lines += [Content.assemble((f"{key:<{width}}", "bold $accent"), text) for key, text in KEYS]
    lines += [Content(""), Content(NOTES)]
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Keys and hints."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(help_content())

    def on_mount(self) -> None:
        body = self.query_one("#help-body")
        body.border_title = "Help · Esc closes"
        body.focus()
