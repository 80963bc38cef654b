"""``ccfs-tui download FILE_NAME``: the audio of a recording to a file or stdout."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ccfs_tui.cli.common import count, utf8_text, warn
from ccfs_tui.cli.remote import add_request_parser, run_session
from ccfs_tui.core.tokens import Token

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands
    from ccfs_tui.core.session import Session


def register(sub: Subcommands) -> None:
    cmd = add_request_parser(
        sub,
        "download",
        "download the audio of FILE_NAME",
        "Request a playback token for FILE_NAME and download the recording (a WAV). Without "
        "-o it goes to the profile's download_dir (default: the download dir `ccfs-tui "
        "locate` prints), named after the recording (date_agent_name_HASH.wav), replacing "
        "an earlier download of the same recording; the path is printed. With --call-id "
        "(downloadRecord) FILE_NAME may be left out: one recording is saved as "
        "<callId>.wav, several (a zip) as the WAVs of the folder <callId>/, each path printed.",
        file_name_optional=True,
    )
    cmd.add_argument(
        "-o",
        "--output",
        type=Path,
        help="file to write instead (not an existing one unless --force; - for stdout); "
        "default: the profile's download_dir",
    )
    cmd.add_argument("--force", action="store_true", help="replace the -o file if it exists")
    cmd.add_argument(
        "--record",
        action="store_true",
        help="use downloadRecordFile; FILE_NAME is then the index file_name column",
    )
    cmd.add_argument(
        "--call-id",
        type=utf8_text,
        metavar="ID",
        help="use downloadRecord with this call id (-o: the WAV, or the folder for several)",
    )
    cmd.add_argument(
        "--cc-id", type=count(0), metavar="N", help="call center id, when several have the call"
    )
    cmd.set_defaults(run=run, usage_error=cmd.error)


def run(args: argparse.Namespace) -> int:
    if args.call_id is not None or args.cc_id is not None:
        return _by_call_id(args)
    if args.file_name is None:
        args.usage_error("the following arguments are required: FILE_NAME (or --call-id ID)")
    output = checked_output(args.output, args.force)

    async def body(session: Session) -> None:
        if args.record:
            await _download(session, args.file_name, output, args.force)
            return
        token = await session.request_token(args.file_name)
        await _download(session, token, output, args.force)

    return run_session(args, body)


def _by_call_id(args: argparse.Namespace) -> int:
    """downloadRecord: one WAV, or the WAVs of a zip in a folder; every path printed."""
    from ccfs_tui.core.sanitize import visible

    if not args.call_id:
        args.usage_error("--cc-id goes with --call-id ID")
    if args.record:
        args.usage_error("--record and --call-id are two different requests: give one")
    if args.output is not None and str(args.output) == "-":
        args.usage_error(
            "--call-id cannot write to standard output (-o -): a call may have several recordings"
        )

    async def body(session: Session) -> None:
        client = await session.get_client()
        done = await client.download_record(
            call_id=args.call_id,
            file_name=args.file_name or "",
            cc_id="" if args.cc_id is None else str(args.cc_id),
            dest=args.output,
            overwrite=args.force or args.output is None,  # our own folder: the same call
            progress=progress_printer(),
        )
        for name in done.skipped:
            warn(f"not a .wav recording, not extracted: {name}")
        for path in done.files:
            print(visible(str(path)), flush=True)

    return run_session(args, body)


def checked_output(output: Path | None, force: bool) -> Path | None:
    """``-o`` checked before anything is sent (a token is not spent on a bad target).

    ``-o -`` is standard output (refused when it is a terminal: audio bytes would be taken
    for escape sequences); a folder, a link, a device or FIFO is refused; an existing file
    only with ``--force``.
    """
    if output is None:
        return None
    from ccfs_tui.core.download_files import check_destination
    from ccfs_tui.core.errors import CcfsDestinationError

    if str(output) == "-":
        if sys.stdout.isatty():
            raise CcfsDestinationError(
                "Standard output is a terminal: ccfs-tui will not write audio there.",
                "Redirect it (-o - > call.wav, or | mpv -), or give -o FILE.",
            )
        return output
    check_destination(output, overwrite=force)
    return output


async def _download(
    session: Session, target: Token | str, output: Path | None, force: bool
) -> None:
    """``target``'s audio (a token: playVoice; a file name: downloadRecordFile) to
    ``output``, standard output for ``-``, else the profile's download folder."""
    from ccfs_tui.core.sanitize import visible

    if output is not None and str(output) == "-":
        source: Literal["play", "record"] = "play" if isinstance(target, Token) else "record"
        await session.download_to(
            target, sys.stdout.buffer, progress=progress_printer(), source=source
        )
        return
    overwrite = force or output is None  # our own download folder: the same recording
    if isinstance(target, Token):
        path = await session.download(
            target, output, progress=progress_printer(), overwrite=overwrite
        )
    else:
        path = await session.download_record(
            target, output, progress=progress_printer(), overwrite=overwrite
        )
    print(visible(str(path)))


def progress_printer() -> Callable[[int, int | None], None] | None:
    """A progress callback writing a one-line bar to stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int | None) -> None:
        if total:
            pct = done * 100 // total
            bar = "#" * (pct // 4)
            sys.stderr.write(f"\r[{bar:<25}] {pct:3d}% {done // 1024} KiB")
            if done >= total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(f"\r{done // 1024} KiB")
        sys.stderr.flush()

    return show
