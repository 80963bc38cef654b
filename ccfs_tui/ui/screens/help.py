"""The ``?`` / F1 help screen, in three tabs that each fit 80x24 without scrolling:

* **Keys**: every key of the main screen (from the action table, with the user's keymap),
  one line each, the tree's moves folded into two lines;
* **Filter**: the filter syntax, from the parser itself (``core.recordings.query.SYNTAX``),
  with terms taken from the index that is loaded;
* **Tokens & look**: the countdown's colours and glyphs, the tokens screen's own keys, the
  themes, the commands that list keys and paths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TabbedContent, TabPane

from ccfs_tui.core.recordings.query import SYNTAX
from ccfs_tui.ui.actions import ACTIONS, BY_ID, MAIN, TOKENS, TREE, key_display
from ccfs_tui.ui.formatting import (
    COUNTDOWN_SIGNS,
    COUNTDOWN_STYLES,
    COUNTDOWN_WORDS,
    Countdown,
)

EXTRA_KEYS: tuple[tuple[str, str], ...] = (
    ("Enter", "on a recording: request its token; on a group: open / close it"),
    ("ctrl+p", "command palette: every action, reload, switch profile, theme"),
)
"""Keys that are not actions of the table (the tree's Enter, Textual's palette)."""

TREE_MOVES = (
    (("cursor_down", "cursor_up", "cursor_first", "cursor_last"), "Move", "down, up, first, last"),
    (("collapse", "expand"), "Groups", "close (or go up to) / open a group"),
)
"""The tree's actions, folded into two lines: (action ids, label, what they do)."""

TABS = ("help-keys", "help-filter", "help-more")
"""The tabs' ids (not ``filter``: app.tcss styles the filter input ``#filter``)."""


def _keys_of(keys: Mapping[str, Sequence[str]], action_id: str) -> str:
    return " ".join(key_display(key) for key in keys.get(action_id, BY_ID[action_id].keys))


def key_rows(keys: Mapping[str, Sequence[str]], place: str) -> list[tuple[str, str]]:
    """(keys, label: help) of every action of ``place``, with the keys in effect."""
    rows = []
    for action in ACTIONS:
        if place in action.places or (place == MAIN and TREE in action.places):
            rows.append((_keys_of(keys, action.id), f"{action.label}: {action.help}"))
    return rows


def main_rows(keys: Mapping[str, Sequence[str]]) -> list[tuple[str, Content]]:
    """The Keys tab: the main screen's actions (but help), the tree's moves folded, Enter,
    the palette."""
    rows: list[tuple[str, Content]] = []
    for action in ACTIONS:
        if MAIN in action.places and action.id != "help":  # the screen it is on
            text = Content.assemble((action.label, "bold"), "  ", action.help)
            rows.append((_keys_of(keys, action.id), text))
    for ids, name, what in TREE_MOVES:
        # the first key of each in the key column, the others after the words
        each = [_keys_of(keys, action_id).split(" ") for action_id in ids]
        firsts = " ".join(k[0] for k in each if k[0])
        others = " / ".join(" ".join(k[1:]) for k in each if k[1:])
        also = f" (also {others})" if others else ""
        rows.append((firsts, Content.assemble((name, "bold"), "  ", what + also)))
    rows += [(key, Content(text)) for key, text in EXTRA_KEYS]
    return rows


def filter_lines(examples: Sequence[tuple[str, str]] = ()) -> list[Content]:
    """The Filter tab: how to open it, the syntax of its terms (the parser's own table) and
    terms of the index loaded (``examples``)."""
    width = max(len(example) for example, _ in SYNTAX) + 2
    lines = [
        Content.from_markup(
            "[b]/[/] opens it · [b]Enter[/] jumps to the first match · [b]Esc[/] clears"
        ),
        Content("Terms are separated by spaces and must all match; case is ignored."),
        Content(""),
    ]
    lines += [
        Content.assemble((f"{example:<{width}}", "bold $accent"), meaning)
        for example, meaning in SYNTAX
    ]
    lines.append(Content("In file names \\ and / are the same."))
    if examples:
        lines += [
            Content(""),
            Content.assemble(
                ("In this index: ", "bold"),
                Content(" · ").join(Content.styled(term, "bold $accent") for term, _ in examples),
            ),
        ]
    lines += [
        Content(""),
        Content("Paste a call id on the tree: the filter opens with it; a line end jumps."),
    ]
    return lines


def more_lines(keys: Mapping[str, Sequence[str]]) -> list[Content]:
    """The Tokens & look tab: the countdown's levels, the tokens screen, themes, commands."""
    renew = _keys_of(keys, "renew_token").split(" ")[0]
    lines = [Content.styled("Token countdown (status bar, detail pane, tokens screen)", "bold")]
    samples: tuple[tuple[Countdown, str, str], ...] = (
        ("fine", "27:13", "more than 5 minutes left"),
        ("warning", "04:12", f"{COUNTDOWN_WORDS['warning']}: yellow"),
        ("alarm", "00:42", f"{COUNTDOWN_WORDS['alarm']}: red; {renew} renews"),
        ("expired", "expired", f"{renew} asks for a new token for the same file"),
    )
    for level, left, meaning in samples:
        sample = f"{COUNTDOWN_SIGNS[level]} {left}".strip()
        badge = Content.styled(f" {sample} ", COUNTDOWN_STYLES[level])
        lines.append(Content.assemble(badge, " " * max(1, 11 - len(sample)), meaning))
    lines += [
        Content("Tokens live 30 minutes and are kept across restarts; the SK never is."),
        Content(""),
        Content.styled(f"Tokens screen ({_keys_of(keys, 'tokens')})", "bold"),
    ]
    for action in ACTIONS:
        if action.places == (TOKENS,):
            lines.append(
                Content.assemble(
                    (f"{_keys_of(keys, action.id):<10}", "bold $accent"),
                    f"{action.label}: {action.help}",
                )
            )
    shared = " ".join(
        _keys_of(keys, a.id).split(" ")[0]
        for a in ACTIONS
        if TOKENS in a.places and MAIN in a.places
    )
    lines += [
        Content(f"{shared}: as on the main screen, for the highlighted token."),
        Content(""),
        Content.styled("Look", "bold"),
        Content("ctrl+p, Theme: ansi-dark / ansi-light use the terminal's own colours (light"),
        Content("or transparent backgrounds); the theme chosen is kept in config.toml."),
        Content(""),
        Content.styled("From the shell", "bold"),
        Content("ccfs-tui keys: every key · locate: every path · doctor: what is wrong"),
    ]
    return lines


def help_content(
    keys: Mapping[str, Sequence[str]] | None = None,
    examples: Sequence[tuple[str, str]] = (),
) -> Content:
    """Every tab's text, one after the other (``keys``: each action's keys, default the
    table's)."""
    keys = keys or {}
    width = max(len(key) for key, _ in main_rows(keys)) + 2
    lines = [Content.styled("Keys", "bold")]
    lines += [
        Content.assemble((f"{key:<{width}}", "bold $accent"), t) for key, t in main_rows(keys)
    ]
    lines += [Content(""), Content.styled("Filter", "bold"), *filter_lines(examples)]
    lines += [Content(""), *more_lines(keys)]
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Keys, the filter syntax, the countdown and the look, one tab each."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    #help-box {
        width: 100%;
        max-width: 110;
        height: 100%;
        max-height: 30;
        border: round $primary;
        background: $surface;
    }
    #help-tabs { height: 1fr; }
    #help-tabs ContentSwitcher { height: 1fr; }
    #help-tabs TabPane { padding: 0 1; height: 1fr; }
    .help-page { height: 1fr; scrollbar-size-vertical: 1; }
    .help-row { height: auto; }
    .help-key { color: $accent; text-style: bold; }
    .help-text { width: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close"),
        Binding("left,h,shift+tab", "tab(-1)", "Previous tab", show=False),
        Binding("right,l,tab", "tab(1)", "Next tab", show=False),
        Binding("1", "show('help-keys')", "Keys", show=False),
        Binding("2", "show('help-filter')", "Filter", show=False),
        Binding("3", "show('help-more')", "Tokens & look", show=False),
    ]

    def __init__(
        self,
        keys: Mapping[str, Sequence[str]] | None = None,
        *,
        examples: Sequence[tuple[str, str]] = (),
        tab: str = "help-keys",
    ) -> None:
        """``keys``: every action's keys in effect (default: the table's); ``examples``:
        filter terms of the index loaded, with what they find; ``tab``: the tab shown."""
        super().__init__()
        self.keys: Mapping[str, Sequence[str]] = keys or {}
        self.examples = examples
        self.first_tab = tab if tab in TABS else TABS[0]

    def compose(self) -> ComposeResult:
        rows = main_rows(self.keys)
        width = max(len(key) for key, _ in rows) + 1
        with Vertical(id="help-box"), TabbedContent(initial=self.first_tab, id="help-tabs"):
            with TabPane("1 Keys", id="help-keys"), VerticalScroll(classes="help-page"):
                for key, text in rows:
                    with Horizontal(classes="help-row"):
                        yield Static(key, classes="help-key", markup=False).set_styles(
                            f"width: {width};"
                        )
                        yield Static(text, classes="help-text")
            with TabPane("2 Filter", id="help-filter"), VerticalScroll(classes="help-page"):
                yield Static(Content("\n").join(filter_lines(self.examples)))
            with TabPane("3 Tokens & look", id="help-more"), VerticalScroll(classes="help-page"):
                yield Static(Content("\n").join(more_lines(self.keys)))

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = "Help"
        box.border_subtitle = "← → tabs · Esc closes"
        self._focus_page()

    def _focus_page(self) -> None:
        """The page shown takes the focus: ↑ ↓ scroll it where it is taller than the screen."""
        tabs = self.query_one(TabbedContent)
        pane = tabs.get_pane(tabs.active) if tabs.active else None
        if pane is not None:
            pane.query_one(VerticalScroll).focus()

    @property
    def active_tab(self) -> str:
        """The id of the tab shown."""
        return self.query_one(TabbedContent).active

    def action_show(self, tab: str) -> None:
        """Show ``tab``."""
        self.query_one(TabbedContent).active = tab
        self.call_after_refresh(self._focus_page)

    def action_tab(self, step: int) -> None:
        """The next (``1``) or previous (``-1``) tab, round."""
        index = TABS.index(self.active_tab) if self.active_tab in TABS else 0
        self.action_show(TABS[(index + step) % len(TABS)])
