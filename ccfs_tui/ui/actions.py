"""The one table of actions: id, default keys, label, help text and the screens they work on.

Everything that names a key is derived from :data:`ACTIONS`: the main screen's, the tree's
and the tokens screen's ``BINDINGS`` (each ``Binding`` carries the action id as its ``id``,
so Textual's keymap applies), the command palette's entries, the help screen's key list,
and (checked by a test) the README's key table. The ids are public: the ``[keys]`` table of
``config.toml`` maps them to other keys (:func:`keymap_for`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.binding import Binding
from textual.keys import _normalize_key_list

from ccfs_tui.core.keymap import DefaultKeys, KeyTable, resolve_keys

MAIN = "main"
TOKENS = "tokens"
TREE = "tree"
"""Where a binding lives: the main screen, the tokens screen, or the recordings tree (whose
keys work on the main screen, with the tree focused)."""


@dataclass(frozen=True, slots=True)
class Action:
    """One thing the user can do, and everything shown about it."""

    id: str
    """Stable public id: the ``Binding`` id, the ``[keys]`` name, ``action_<id>`` methods."""
    keys: tuple[str, ...]
    """Default keys (Textual key names)."""
    label: str
    """The one name: footer, palette and help."""
    help: str
    """What it does (palette and help)."""
    places: tuple[str, ...] = (MAIN,)
    """Where its keys work: :data:`MAIN`, :data:`TOKENS`, :data:`TREE`."""
    footer: bool = True
    """Shown in the footer (when it can act)."""
    footer_from: int = 0
    """Shown in the footer only from this many columns (the key works at every width)."""
    priority: bool = False
    """A priority binding: handled as the key arrives, before the focused widget."""
    palette: bool = True
    """Listed in the command palette (run as on the main screen)."""
    explains: bool = False
    """On the main screen, its key says why it cannot act (instead of doing nothing): a
    hidden twin binding runs ``action_<id>(1)``, which says so (its footer entry still
    shows only when it can act)."""

    @property
    def screens(self) -> tuple[str, ...]:
        """The screens whose key clashes matter (the tree's keys are the main screen's)."""
        return tuple(dict.fromkeys(MAIN if place == TREE else place for place in self.places))


ACTIONS: tuple[Action, ...] = (
    # "/138" typed fast lands in the filter: "/" is handled as it arrives
    Action(
        "filter",
        ("slash",),
        "Filter",
        "find by call id, number, agent:, vdn:, day (? 2: syntax)",
        priority=True,
    ),
    Action(
        "request_token",
        ("r",),
        "Request",
        "sign and send requestPlayVoice (Enter does it too)",
        explains=True,
    ),
    Action(
        "renew_token",
        ("n",),
        "Renew",
        "a new token for the same file (or the bar's expired one)",
        places=(MAIN, TOKENS),
        explains=True,
        footer_from=72,  # stacked panes (below 72): "? Help" keeps its place in the footer
    ),
    Action(
        "copy_url",
        ("c",),
        "Copy URL",
        "copy the playVoice URL (OSC 52: over SSH and tmux too)",
        places=(MAIN, TOKENS),
        explains=True,
    ),
    Action(
        "download",
        ("d",),
        "Download",
        "save the audio in the profile's download folder",
        places=(MAIN, TOKENS),
        explains=True,
        footer_from=72,
    ),
    Action(
        "play",
        ("p",),
        "Play",
        "play it here with mpv, ffplay or aplay (again: stop)",
        places=(MAIN, TOKENS),
    ),
    # at 80 columns "l Listen" would push "? Help" off the footer (the pane names it)
    Action(
        "listen",
        ("l",),
        "Listen",
        "hear it in a browser: URL copied, ssh -L line shown",
        footer_from=100,
    ),
    Action(
        "reveal_token",
        ("v",),
        "Reveal",
        "reveal / hide the token (masked by default)",
        places=(MAIN, TOKENS),
        footer=False,
    ),
    Action(
        "tokens",
        ("t",),
        "Tokens",
        "every token and its time left; act on any of them",
    ),
    Action(
        "problems",
        ("i",),
        "Skipped",
        "index problems: every skipped line as file:line: reason",
        explains=True,
    ),
    # at 80 columns their footer hints would push "? Help" off the edge: palette, help, keys
    Action(
        "fetch_index",
        ("f",),
        "Fetch index",
        "fetch a time range's index from CC-FS into the tree",
        footer_from=120,
    ),
    Action(
        "goto_call",
        ("colon",),
        "Go to call",
        "jump to a call id (or fetch it by downloadRecord)",
        footer_from=120,
    ),
    # at 80 columns "a Audit" would push "? Help" off the footer's edge
    Action(
        "audit",
        ("a",),
        "Audit",
        "the audit log: recent requests and downloads, resultCode",
        footer_from=100,
    ),
    Action(
        "cancel",
        ("escape",),
        "Cancel",
        "stop a request, download or load; else clear the filter",
    ),
    Action(
        "help", ("question_mark", "f1"), "Help", "keys, filter syntax, countdown colours, themes"
    ),
    Action("quit", ("q",), "Quit", "leave ccfs-tui", footer=False),
    Action(
        "cursor_down",
        ("j", "down"),
        "Down",
        "next line of the tree",
        places=(TREE,),
        footer=False,
        palette=False,
    ),
    Action(
        "cursor_up",
        ("k", "up"),
        "Up",
        "previous line of the tree",
        places=(TREE,),
        footer=False,
        palette=False,
    ),
    Action(
        "cursor_first",
        ("g", "home"),
        "First",
        "first line of the tree",
        places=(TREE,),
        footer=False,
        palette=False,
    ),
    Action(
        "cursor_last",
        ("G", "end"),
        "Last",
        "last line of the tree",
        places=(TREE,),
        footer=False,
        palette=False,
    ),
    Action(
        "collapse",
        ("h", "left"),
        "Collapse",
        "close the group (on a recording or a closed group: go to its group)",
        places=(TREE,),
        footer=False,
        palette=False,
    ),
    Action(
        "expand",
        ("right",),
        "Expand",
        "open the group (on an open group: go to its first line)",
        places=(TREE,),
        footer=False,
        palette=False,
    ),
    Action(
        "remove_token",
        ("x", "delete"),
        "Remove",
        "forget the highlighted token",
        places=(TOKENS,),
        palette=False,
    ),
    Action(
        "back",
        ("escape", "t", "q"),
        "Back",
        "back to the recordings",
        places=(TOKENS,),
        palette=False,
    ),
)

BY_ID: dict[str, Action] = {action.id: action for action in ACTIONS}

KEY_NAMES = {
    "slash": "/",
    "colon": ":",
    "question_mark": "?",
    "escape": "Esc",
    "f1": "F1",
    "down": "↓",
    "up": "↑",
    "left": "←",
    "right": "→",
    "home": "Home",
    "end": "End",
    "delete": "Del",
    "enter": "Enter",
    "space": "Space",
}


def key_display(key: str) -> str:
    """How a key is written for people: ``/``, ``?``, ``Esc``, ``↓``, ``ctrl+r``."""
    return KEY_NAMES.get(key, key)


def first_key(keys: Mapping[str, Sequence[str]], action_id: str) -> str:
    """The first key of ``action_id`` in effect (``keys``: the resolved table; an action
    missing from it has its default keys), as written for people; "" if it has none."""
    chosen = keys.get(action_id, BY_ID[action_id].keys)
    return key_display(chosen[0]) if chosen else ""


def bindings_for(place: str) -> list[Binding]:
    """The ``Binding`` of every action whose keys work at ``place`` (id = action id).

    An action shown in the footer only from some width, or whose key explains why it cannot
    act, gets a hidden twin (``action(1)``): the same key and id, so a keymap moves both.
    """
    bindings: list[Binding] = []
    for action in ACTIONS:
        if place not in action.places:
            continue
        common: dict[str, Any] = {"priority": action.priority, "id": action.id}
        keys = ",".join(action.keys)
        show = action.footer
        bindings.append(Binding(keys, action.id, action.label, show=show, **common))
        if show and (action.footer_from or (action.explains and place == MAIN)):
            bindings.append(Binding(keys, f"{action.id}(1)", action.label, show=False, **common))
    return bindings


def palette_actions() -> list[Action]:
    """The actions of the command palette, in the order shown."""
    return [action for action in ACTIONS if action.palette]


def default_keys() -> list[DefaultKeys]:
    """The table as the core's keymap check takes it."""
    return [DefaultKeys(action.id, action.screens, action.keys) for action in ACTIONS]


def resolve(user: Mapping[str, Sequence[str]], path: Path | None = None) -> KeyTable:
    """Every action's keys once ``user`` (the ``[keys]`` table) replaced its defaults.

    Raises ``ConfigError`` for an unknown action id or a key two actions of one screen
    would share (see :func:`ccfs_tui.core.keymap.resolve_keys`)."""
    return resolve_keys(
        {action: tuple(keys) for action, keys in user.items()},
        default_keys(),
        path,
        normalize=_normalize_key_list,
    )


def keymap_for(user: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Textual's keymap (binding id -> ``"k1,k2"``) for the actions ``user`` remaps."""
    return {action: ",".join(keys) for action, keys in user.items()}
