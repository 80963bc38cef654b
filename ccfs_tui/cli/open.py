"""``ccfs-tui open [INDEX ...]``: the TUI on index files (the default command)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ccfs_tui.cli.common import INDEX_HELP, add_profile_options

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "open",
        help="open the TUI on index files (the default command)",
        description="Open the TUI on index files: browse the recordings, request tokens, play "
        "and download them. `ccfs-tui INDEX ...` is the same. With no INDEX, the profile's "
        "index_path is opened.",
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="INDEX", help=INDEX_HELP)
    add_profile_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ccfs_tui.ui.launch import run_tui

    return run_tui(args.paths, profile_name=args.profile, insecure=args.insecure)
