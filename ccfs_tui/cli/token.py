"""``ccfs-tui token FILE_NAME``: print a playback token (``--json``: a JSON object)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ccfs_tui.cli.remote import add_request_parser, run_session

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands
    from ccfs_tui.core.session import Session
    from ccfs_tui.core.tokens import Token


def register(sub: Subcommands) -> None:
    cmd = add_request_parser(
        sub,
        "token",
        "print a playback token for FILE_NAME",
        "Sign and send requestPlayVoice for FILE_NAME and print the playback token CC-FS "
        "gives (valid 30 minutes); it is also kept in the token store, where the TUI sees it.",
    )
    cmd.add_argument("--json", action="store_true", help="print a JSON object")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    async def body(session: Session) -> None:
        import json

        token = await session.request_token(args.file_name)
        print(json.dumps(token_json(token)) if args.json else token.token)

    return run_session(args, body)


def token_json(token: Token) -> dict[str, str]:
    """What ``--json`` prints: the token, its file name and its times."""
    data = token.to_json()
    return {key: data[key] for key in ("token", "file_name", "issued_at", "expires_at")}
