"""``ccfs-tui demo``: the TUI on the embedded emulator with a sample index."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "demo",
        help="open the TUI on the embedded emulator with a sample index",
        description="Start the embedded CC-FS emulator on loopback and open the TUI on a "
        "sample index of its recordings: no configuration, no real server. Its tokens are "
        "kept apart from real ones; its requests are audited as profile 'demo'.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ccfs_tui.ui.launch import run_demo

    return run_demo()
