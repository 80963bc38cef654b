"""``ccfs-tui listen FILE_NAME``: serve a recording to a browser, for an engineer on SSH.

The recording is downloaded into a private folder of the cache dir (0700, removed at the
end), the listening server (:mod:`ccfs_tui.core.listen_server`) starts, and two lines go
to stdout, each flushed at once for scripts: the URL, then the ``ssh -L`` line to run on
the laptop. Notes go to stderr. It serves until Ctrl-C or SIGTERM, then exits 0. With
``--call-id``, a call with several recordings prints one URL per recording, then the line.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ccfs_tui.cli.common import PROG, add_profile_options, count, utf8_text, warn
from ccfs_tui.cli.remote import run_session

if TYPE_CHECKING:
    from types import FrameType

    from ccfs_tui.cli.common import Subcommands
    from ccfs_tui.core.listen_server import ListenServer
    from ccfs_tui.core.session import Session


def register(sub: Subcommands) -> None:
    cmd = sub.add_parser(
        "listen",
        help="serve a recording to your browser (over ssh -L) until Ctrl-C",
        description="Download a recording and serve it on this machine's loopback; print the "
        "URL and the ssh -L line that brings it to your laptop.",
    )
    cmd.add_argument(
        "file_name",
        nargs="?",
        type=utf8_text,
        metavar="FILE_NAME",
        help="original_file_name from the index (\\ or /): requestPlayVoice + playVoice",
    )
    cmd.add_argument(
        "--record",
        type=utf8_text,
        metavar="FILE",
        help="the index file_name column instead: downloadRecordFile",
    )
    cmd.add_argument(
        "--call-id",
        type=utf8_text,
        metavar="ID",
        help="a call id instead: downloadRecord (a URL per recording when it has several)",
    )
    cmd.add_argument(
        "--cc-id", type=count(0), metavar="N", help="call center id, when several have the call"
    )
    cmd.add_argument("--bind", help="address to listen on (profile listen_bind; 127.0.0.1)")
    cmd.add_argument(
        "--port", type=count(0, 65535), help="port (profile listen_port; 0 = a free port)"
    )
    add_profile_options(cmd)
    cmd.add_argument(
        "--confirm-resend",
        action="store_true",
        help="send although this profile's signatures were refused twice in a row; one attempt",
    )
    cmd.set_defaults(run=run, listen_parser=cmd)


class _Stop(Exception):
    """SIGTERM while serving."""


def run(args: argparse.Namespace) -> int:
    given = [name for name in ("file_name", "record", "call_id") if getattr(args, name)]
    if len(given) != 1:
        args.listen_parser.error("give one of FILE_NAME, --record FILE or --call-id ID")
    if args.cc_id is not None and not args.call_id:
        args.listen_parser.error("--cc-id goes with --call-id ID")
    import shutil
    import tempfile

    from ccfs_tui.core.atomic import private_dir
    from ccfs_tui.core.paths import app_paths

    folder = Path(tempfile.mkdtemp(prefix="listen-", dir=private_dir(app_paths().cache_dir)))
    server: ListenServer | None = None

    async def body(session: Session) -> None:
        nonlocal server
        from ccfs_tui.core.listen_server import ListenServer

        profile = session.check_ready()
        server = ListenServer(
            args.bind or profile.listen_bind,
            profile.listen_port if args.port is None else args.port,
        ).start()  # before any request: a busy port does not cost a token
        await _fetch(args, session, server, folder)

    try:
        run_session(args, body)
        assert server is not None
        _serve(server)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


async def _fetch(
    args: argparse.Namespace, session: Session, server: ListenServer, folder: Path
) -> None:
    """Download the recording(s) into ``folder`` and register them with ``server``."""
    from ccfs_tui.cli.download import progress_printer
    from ccfs_tui.core.download_files import download_name
    from ccfs_tui.core.listen_server import ListenEntry

    if args.call_id:
        client = await session.get_client()
        done = await client.download_record(
            call_id=args.call_id,
            cc_id="" if args.cc_id is None else str(args.cc_id),
            dest=folder / "call",
            progress=progress_printer(),
        )
        for name in done.skipped:
            warn(f"not a .wav recording, not served: {name}")
        several = len(done.files) > 1
        for path in done.files:
            name = path.name if several else f"{args.call_id}.wav"
            server.register(ListenEntry(path, name, call_id=args.call_id))
        return
    name = args.record or args.file_name
    dest = folder / download_name(name)
    if args.record:
        path = await session.download_record(
            name, dest, progress=progress_printer(), overwrite=False
        )
    else:
        token = await session.request_token(name)
        path = await session.download(token, dest, progress=progress_printer(), overwrite=False)
    server.register(ListenEntry(path, name))


def _serve(server: ListenServer) -> None:
    """Print the URLs and the ssh line, then wait for Ctrl-C or SIGTERM."""
    from ccfs_tui.core.audio.waveform import format_duration
    from ccfs_tui.core.sanitize import visible
    from ccfs_tui.core.ssh_hint import in_ssh_session

    if server.warning:
        print(f"{PROG}: {server.warning}", file=sys.stderr, flush=True)
    listening = server.registered()
    for item in listening:
        print(item.url, flush=True)
    print(server.ssh_line(), flush=True)
    for item in listening:
        print(
            f"{PROG}: serving {visible(item.entry.file_name, 200)} "
            f"({format_duration(item.info.duration)}) until Ctrl-C.",
            file=sys.stderr,
        )
    where = "On your laptop run the ssh line, then open" if in_ssh_session() else "Open"
    print(f"{PROG}: {where} the URL in a browser.", file=sys.stderr, flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise _Stop

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        wait = threading.Event()
        while not wait.wait(3600):
            pass
    except (KeyboardInterrupt, _Stop):
        print(f"{PROG}: stopped.", file=sys.stderr)
    finally:
        with contextlib.suppress(ValueError):
            signal.signal(signal.SIGTERM, previous)
