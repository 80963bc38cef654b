"""The ``?`` / F1 help screen: every key, and what the panes show."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# ccfs-tui keys

| key | does |
|---|---|
| `↑` `↓` `←` `→` | move in the tree; Enter or Space expands a group |
| `/` | filter: call id, caller/callee number, agent, file name or a day `2026-10-03` |
| `Enter` (in the filter) | jump to the first match |
| `Enter` / `r` | request a playback token for the recording (requestPlayVoice) |
| `Esc` | cancel the running request / index load / download; close the filter |
| `n` | renew: request a new token for the same file (expired tokens) |
| `c` | copy the playback URL (OSC 52: works over SSH and in tmux) |
| `d` | download the audio to the profile's download folder |
| `p` | play it with mpv, ffplay or aplay (downloads first) |
| `v` | reveal / hide the token |
| `t` | every token, with its time left (copy, download, renew, remove) |
| `i` | lines of the index that were skipped, as file:line: reason |
| `ctrl+p` | command palette: every action, switching profile |
| `?` `F1` | this help |
| `q` | quit |

Tokens live 30 minutes. The status bar counts down the token nearest expiry:
yellow under 5 minutes, red under 1. Tokens are kept across restarts (never the SK).

The detail pane shows every field of the recording, the fileName that is sent
(backslashes turned into slashes) and the signed request (signature shortened).
"""


class HelpScreen(ModalScreen[None]):
    """Keys and hints."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(HELP)

    def on_mount(self) -> None:
        self.query_one("#help-body").border_title = "Help · Esc closes"
