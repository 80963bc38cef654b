"""``ccfs-tui url FILE_NAME``: print the playVoice URL (a fresh token in it)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ccfs_tui.cli.remote import add_request_parser, run_remote

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands
    from ccfs_tui.core.client import CcfsClient
    from ccfs_tui.core.tokens import TokenStore


def register(sub: Subcommands) -> None:
    add_request_parser(sub, "url", "print the playVoice URL for FILE_NAME").set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    async def body(client: CcfsClient, store: TokenStore) -> None:
        token = await client.request_play_token(args.file_name)
        store.add(token)
        print(client.playback_url(token))

    return run_remote(args, body)
