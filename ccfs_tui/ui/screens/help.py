"""The ``?`` / F1 help screen: every key (from the action table, with the user's keymap),
and what the panes show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ccfs_tui.ui.actions import ACTIONS, MAIN, TOKENS, TREE, key_display

EXTRA_KEYS: tuple[tuple[str, str], ...] = (
    ("Enter", "on a recording: request its token; on a group: open / close it"),
    ("ctrl+p", "command palette: every action, reload, switch profile"),
)
"""Keys that are not actions of the table (the tree's Enter, Textual's palette)."""


def key_rows(keys: Mapping[str, Sequence[str]], place: str) -> list[tuple[str, str]]:
    """(keys, label: help) of every action of ``place``, with the keys in effect."""
    rows = []
    for action in ACTIONS:
        if place in action.places or (place == MAIN and TREE in action.places):
            shown = "  ".join(key_display(key) for key in keys.get(action.id, action.keys))
            rows.append((shown, f"{action.label}: {action.help}"))
    return rows


NOTES = (
    "Tokens live 30 minutes. The status bar counts down the one nearest expiry: "
    "yellow under 5 minutes, red under 1. Tokens are kept across restarts; the SK never is.\n\n"
    "The detail pane shows every field of the recording, the fileName that is sent "
    "(backslashes turned into slashes) and the signed request (signature shortened)."
)


def help_content(keys: Mapping[str, Sequence[str]] | None = None) -> Content:
    """The keys as a two-column text (``keys``: each action's keys, default the table's)."""
    keys = keys or {}
    sections = (
        ("Keys", key_rows(keys, MAIN) + list(EXTRA_KEYS)),
        ("Tokens screen (t)", [row for row in key_rows(keys, TOKENS)]),
    )
    width = max(len(key) for _, rows in sections for key, _ in rows) + 2
    lines: list[Content] = []
    for title, rows in sections:
        if lines:
            lines.append(Content(""))
        lines.append(Content.styled(title, "bold"))
        lines += [Content.assemble((f"{key:<{width}}", "bold $accent"), text) for key, text in rows]
    lines += [Content(""), Content(NOTES)]
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Keys and hints."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close"),
    ]

    def __init__(self, keys: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__()
        self.keys = keys
        """Every action's keys in effect (default: the table's)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(help_content(self.keys))

    def on_mount(self) -> None:
        body = self.query_one("#help-body")
        body.border_title = "Help · Esc closes"
        body.focus()
