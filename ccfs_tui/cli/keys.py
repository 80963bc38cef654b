"""``ccfs-tui keys``: every action of the TUI, its keys (after the ``[keys]`` table of the
config file) and what it does, from the one action table (``ccfs_tui/ui/actions.py``)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "keys",
        help="list every key of the TUI and what it does",
        description="Print every action of the TUI: its id (the name to use in the [keys] "
        "table of config.toml), its keys once that table is applied, the screens where they "
        "work and what it does. Keys you changed are marked *. Exit 2 when the [keys] table "
        "names no action or gives one key to two actions of a screen.",
    )
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per action, for scripts"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from rich.cells import cell_len

    from ccfs_tui.core.config import load_config
    from ccfs_tui.core.sanitize import visible
    from ccfs_tui.ui.actions import ACTIONS, key_display, resolve

    config = load_config()
    keys = resolve(config.keys, config.path)  # ConfigError: one line, exit 2
    if args.json:
        for action in ACTIONS:
            entry = {
                "id": action.id,
                "keys": [visible(key_display(key)) for key in keys.get(action.id, ())],
                "changed": action.id in config.keys,
                "screens": list(action.places),
                "label": action.label,
                "help": action.help,
            }
            print(json.dumps(entry, ensure_ascii=False))
        return 0
    table: list[tuple[str, str, str, str]] = [("action id", "keys", "where", "what it does")]
    for action in ACTIONS:
        shown = " ".join(visible(key_display(key)) for key in keys.get(action.id, ()))
        mark = " *" if action.id in config.keys else ""
        table.append(
            (
                action.id,
                (shown or "(none)") + mark,
                ", ".join(action.places),
                f"{action.label}: {action.help}",
            )
        )
    widths = [max(cell_len(row[column]) for row in table) for column in range(3)]
    for row in table:
        cells = zip(row[:3], widths, strict=True)
        print("  ".join(cell + " " * (width - cell_len(cell)) for cell, width in cells), row[3])
    print()
    print("Enter on a recording requests its token; ctrl+p opens the command palette.")
    changed = " (*: changed there)" if config.keys else ""
    where = visible(str(config.path))
    print(f'Other keys: a [keys] table in {where}, e.g. request_token = "x"{changed}.')
    return 0
