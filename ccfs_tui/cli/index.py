"""``ccfs-tui index INDEX ...``: check index files (count rows, list skipped lines)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ccfs_tui.cli.common import INDEX_HELP, MAX_ERROR_LINE

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    idx = sub.add_parser(
        "index",
        help="check index files: count rows, list skipped lines",
        description="Read index files as the TUI would, without opening it: print how many "
        "recordings they hold and, on stderr, every skipped line as FILE:LINE: reason "
        "(a file that cannot be read at all: FILE: reason). "
        "Exit 1 when nothing could be read.",
    )
    idx.add_argument("paths", nargs="+", type=Path, metavar="INDEX", help=INDEX_HELP)
    idx.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ccfs_tui.core.index import iter_index
    from ccfs_tui.core.sanitize import visible

    rows = 0
    problems = 0
    for chunk in iter_index(args.paths):
        rows += len(chunk.rows)
        for problem in chunk.problems:
            problems += 1
            # file names, zip member names and line excerpts come from the files: shown,
            # never executed, one line each
            print(visible(str(problem), MAX_ERROR_LINE), file=sys.stderr)
    print(f"{rows:,} recordings, {problems:,} skipped line(s)")  # 20,000 as in the TUI
    return 0 if rows or not problems else 1
