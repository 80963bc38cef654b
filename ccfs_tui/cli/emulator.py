"""``ccfs-tui emulator``: the embedded CC-FS emulator in the foreground."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ccfs_tui.cli.common import PROG, count

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    emu = sub.add_parser(
        "emulator",
        help="run the embedded CC-FS emulator in the foreground",
        description="Run the embedded CC-FS emulator until Ctrl-C, for scripts and other "
        "clients: it prints its base URL, AK, CA bundle (--tls) and where it wrote a sample "
        "index of the recordings it serves, with the export lines that point ccfs-tui at it.",
    )
    emu.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    emu.add_argument("--port", type=count(0, 65535), default=0, help="port (default: a free one)")
    emu.add_argument("--tls", action="store_true", help="serve HTTPS with a self-signed cert")
    emu.add_argument("--app-id", help="accepted AK (SK from CCFS_SECRET_KEY; else made up)")
    emu.add_argument("--recordings", type=count(1), default=2000, help="catalogue size")
    emu.add_argument("--index", type=Path, help="where to write the matching sample index")
    emu.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import os

    from ccfs_tui.core.secret import Secret
    from ccfs_tui.emulator.standalone import serve

    sk = os.environ.get("CCFS_SECRET_KEY")
    if sk and not args.app_id:
        print(f"{PROG}: CCFS_SECRET_KEY is set: give --app-id for it too", file=sys.stderr)
        return 2
    return serve(
        args.host,
        args.port,
        args.tls,
        args.app_id,
        Secret(sk) if sk else None,
        recordings=args.recordings,
        index_path=args.index,
        out=sys.stdout,
    )
