"""User keymaps: the ``[keys]`` table of ``config.toml``, checked against the default keys.

Example::

    [keys]
    request_token = "x"            # one key
    copy_url = ["y", "c"]          # or several

The table maps an action id (the UI's action table lists them: ``ccfs_tui.ui.actions``) to
its new keys, which replace the default ones. This module knows no action itself: the UI
passes its defaults in (:class:`DefaultKeys`), so the check stays free of Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccfs_tui.core.errors import ConfigError

KeyTable = dict[str, tuple[str, ...]]
"""Action id -> its keys (as written: ``"x"``, ``"ctrl+r"``, ``"question_mark"``)."""


@dataclass(frozen=True, slots=True)
class DefaultKeys:
    """One action of the UI: its id, the screens where its keys work, its default keys."""

    action: str
    screens: tuple[str, ...]
    keys: tuple[str, ...]


def parse_keys_table(table: object, path: Path) -> KeyTable:
    """The ``[keys]`` table checked for shape: each value a key or a list of keys (text, not
    blank, no comma). Raises ``ConfigError`` naming the file and the key."""
    if not isinstance(table, dict):
        raise ConfigError(
            f"{path}: keys must be a table like [keys].",
            'Write it as [keys] with lines such as request_token = "x".',
        )
    parsed: KeyTable = {}
    for action, value in table.items():
        where = f"{path}: keys.{action}"
        values: list[Any] = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) and v.strip() for v in values):
            raise ConfigError(
                f"{where}: must be a key or a list of keys ({type(value).__name__} given).",
                'Write e.g. request_token = "x" or copy_url = ["y", "c"].',
            )
        keys = tuple(v.strip() for v in values)
        if any("," in key and key != "," for key in keys):
            raise ConfigError(
                f"{where}: {value!r}: one key per string.",
                'Write several keys as a list: copy_url = ["y", "c"].',
            )
        parsed[str(action)] = keys
    return parsed


def resolve_keys(
    user: Mapping[str, tuple[str, ...]],
    defaults: Iterable[DefaultKeys],
    path: Path | None,
    normalize: Callable[[str], str] = lambda key: key,
) -> KeyTable:
    """The keys of every action once ``user`` replaced the defaults of its actions.

    Raises ``ConfigError`` for an action id that is not known, and for a key that two
    actions of the same screen would share (naming the file, the key and both actions).
    ``normalize`` gives one name to the spellings of a key (``?`` and ``question_mark``).
    """
    where = path if path is not None else "config.toml"
    table = list(defaults)
    known = {entry.action: entry for entry in table}
    for action in user:
        if action not in known:
            raise ConfigError(
                f"{where}: keys.{action}: no action has this id.",
                f"Action ids: {', '.join(sorted(known))}.",
            )
    keys = {entry.action: tuple(user.get(entry.action, entry.keys)) for entry in table}
    owners: dict[tuple[str, str], str] = {}
    for entry in table:
        for key in keys[entry.action]:
            name = normalize(key)
            for screen in entry.screens:
                other = owners.setdefault((screen, name), entry.action)
                if other != entry.action:
                    first, second = sorted((other, entry.action))
                    raise ConfigError(
                        f"{where}: [keys]: key {key!r} is bound to both {first} and {second} "
                        f"on the {screen} screen.",
                        "Give one of them another key in the [keys] table.",
                    )
    return keys
