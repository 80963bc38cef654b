"""What the commands that talk to CC-FS share (``token``, ``url``, ``download``): their
options, the session (the one wiring of profile, SK, client, token store and audit log,
shared with the TUI), and SIGTERM handled like Ctrl-C (the download's partial file
is removed either way; kill -9 leaves it to the next run)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ccfs_tui.cli.common import PROG, Terminated, add_profile_options, utf8_text, warn

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands
    from ccfs_tui.core.session import Session

Body = Callable[["Session"], Awaitable[None]]
"""What a command does with the session (profile ready, client made, SK loaded)."""


def add_request_parser(
    sub: Subcommands,
    name: str,
    text: str,
    description: str | None = None,
    *,
    file_name_optional: bool = False,
) -> argparse.ArgumentParser:
    """The parser of a command that sends a request about one FILE_NAME (``text`` in the
    command list, ``description`` at the top of its --help; ``file_name_optional`` when
    another option can name the recording)."""
    cmd = sub.add_parser(name, help=text, description=description)
    cmd.add_argument(
        "file_name",
        type=utf8_text,
        nargs="?" if file_name_optional else None,
        metavar="FILE_NAME",
        help="original_file_name from the index (\\ or /)",
    )
    add_profile_options(cmd)
    cmd.add_argument(
        "--confirm-resend",
        action="store_true",
        help="send although this profile's signatures were refused twice in a row "
        "(CC-FS locks the address after repeated bad signatures); one attempt",
    )
    return cmd


def run_session(args: argparse.Namespace, body: Body) -> int:
    """Run ``body`` with the session of ``args.profile``; SIGTERM cancels it like Ctrl-C."""
    import asyncio

    return asyncio.run(_until_signal(args, body))


async def _until_signal(args: argparse.Namespace, body: Body) -> int:
    import asyncio
    import signal

    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    terminated = False

    def terminate() -> None:
        nonlocal terminated
        terminated = True
        if task is not None:
            task.cancel()

    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # main thread only
        loop.add_signal_handler(signal.SIGTERM, terminate)
    try:
        return await _with_session(args, body)
    except asyncio.CancelledError:
        if terminated:
            raise Terminated from None
        raise
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(signal.SIGTERM)


async def _with_session(args: argparse.Namespace, body: Body) -> int:
    from ccfs_tui.core.session import Session

    session = Session.open(args.profile, insecure=args.insecure, on_warning=warn)
    profile = session.check_ready()
    if not profile.verify and profile.base_url.startswith("https://"):  # http:// has no TLS
        print(f"{PROG}: WARNING: TLS verification is OFF for {profile.base_url}", file=sys.stderr)
    async with session:
        await _connect(session)
        if session.tokens.load_error:
            warn(session.tokens.load_error)
        if args.confirm_resend:
            session.confirm_resend()
        await body(session)
    return 0


async def _connect(session: Session) -> None:
    """Make the session's client; the SK is asked for on the terminal when the profile
    says so (``secret_prompt``) and standard input is one."""
    import getpass

    from ccfs_tui.core.secret import Secret
    from ccfs_tui.core.session import SecretNeeded

    try:
        await session.get_client()
    except SecretNeeded as need:
        profile = session.profile
        if profile is None or not (profile.secret_prompt and sys.stdin.isatty()):
            raise
        # no plain local holds the typed SK: a crash report with locals must not show it
        session.give_secret(Secret(getpass.getpass(need.prompt)))
        await session.get_client()
