"""``ccfs-tui locate``: every path ccfs-tui uses."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    sub.add_parser(
        "locate",
        help="print every path ccfs-tui uses",
        description="Print every file and folder ccfs-tui reads or writes: config file, "
        "token store, audit log, signature guard, cache and download folders.",
    ).set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ccfs_tui.core.paths import app_paths
    from ccfs_tui.core.sanitize import visible

    rows = app_paths().as_rows()
    width = max(len(label) for label, _ in rows)
    for label, path in rows:
        print(f"{label:<{width}}  {visible(str(path))}")
    return 0
