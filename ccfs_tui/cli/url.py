"""``ccfs-tui url FILE_NAME``: print the playVoice URL (a fresh token in it)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ccfs_tui.cli.remote import add_request_parser, run_session

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands
    from ccfs_tui.core.session import Session


def register(sub: Subcommands) -> None:
    add_request_parser(
        sub,
        "url",
        "print the playVoice URL for FILE_NAME",
        "Request a playback token for FILE_NAME and print the playVoice URL that plays it "
        "(valid 30 minutes; anyone with the URL can play the recording until then).",
    ).set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    async def body(session: Session) -> None:
        token = await session.request_token(args.file_name)
        print(session.playback_url(token))

    return run_session(args, body)
