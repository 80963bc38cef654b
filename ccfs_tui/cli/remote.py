"""What the commands that talk to CC-FS share (``token``, ``url``, ``download``): their
options, the client wiring, and SIGTERM handled like Ctrl-C (the download's partial file
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
    from ccfs_tui.core.client import CcfsClient
    from ccfs_tui.core.config import Config, Profile
    from ccfs_tui.core.tokens import TokenStore

Body = Callable[["CcfsClient", "TokenStore"], Awaitable[None]]
"""What a command does with the profile's client and the token store."""


def add_request_parser(sub: Subcommands, name: str, text: str) -> argparse.ArgumentParser:
    """The parser of a command that sends a request about one FILE_NAME."""
    cmd = sub.add_parser(name, help=text)
    cmd.add_argument(
        "file_name",
        type=utf8_text,
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


def run_remote(args: argparse.Namespace, body: Body) -> int:
    """Run ``body`` with the client of ``args.profile``; SIGTERM cancels it like Ctrl-C."""
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
        return await _with_client(args, body)
    except asyncio.CancelledError:
        if terminated:
            raise Terminated from None
        raise
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(signal.SIGTERM)


def load_profile(profile_name: str | None, insecure: bool) -> tuple[Config, Profile]:
    """The config and the chosen profile, checked ready to use (``--insecure`` applied)."""
    from ccfs_tui.core.config import check_profile_ready, load_config, select_profile

    config = load_config()
    profile = select_profile(config, profile_name)
    if insecure:
        profile = profile.with_overrides(verify=False)
    check_profile_ready(profile)
    return config, profile


async def _with_client(args: argparse.Namespace, body: Body) -> int:
    import getpass

    from ccfs_tui.core.audit import AuditLog
    from ccfs_tui.core.client import CcfsClient
    from ccfs_tui.core.config import resolve_secret
    from ccfs_tui.core.paths import app_paths
    from ccfs_tui.core.tokens import TokenStore

    config, profile = load_profile(args.profile, args.insecure)
    if not profile.verify:
        print(f"{PROG}: WARNING: TLS verification is OFF for {profile.base_url}", file=sys.stderr)
    prompt = getpass.getpass if profile.secret_prompt and sys.stdin.isatty() else None
    secret = resolve_secret(profile, prompt=prompt, config=config)
    paths = app_paths()
    store = TokenStore(paths.token_store)
    store.load()
    if store.load_error:
        warn(store.load_error)
    audit = AuditLog(paths.audit_log, on_warning=lambda text: warn(text))
    async with CcfsClient(profile, secret, audit=audit) as client:
        if args.confirm_resend:
            client.confirm_resend()
        await body(client, store)
    return 0
