"""``ccfs-tui fetch``: the index of a time range from CC-FS (queryBillData -> verified callback
-> downloadBillFile), or ``--bill NAME``: one bill file whose callback went elsewhere."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ccfs_tui.cli.common import PROG, add_profile_options, utf8_text, warn
from ccfs_tui.cli.remote import run_session

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands
    from ccfs_tui.core.fetch_index import WindowProgress
    from ccfs_tui.core.session import Session

DESCRIPTION = (
    "Ask CC-FS for the recording index (and/or CDRs) of a time range and save the zips: "
    "queryBillData, then wait for CC-FS's signed callback on callback_listen (verified with "
    "the profile's AK/SK), then downloadBillFile. A range over 3 days is split into windows "
    "of at most 3 days. Each saved zip's path is printed on stdout. Times are the tenant's: "
    "YYYY-MM-DD, 'YYYY-MM-DD HH:MM' or 'YYYY-MM-DD HH:MM:SS' (a bare day as --to means its "
    "end). Without -o the zips go to the profile's index_dir (see `ccfs-tui locate`)."
)


def _time(end: bool) -> Callable[[str], datetime]:
    from ccfs_tui.core.bill_window import parse_bill_time

    def parse(text: str) -> datetime:
        try:
            return parse_bill_time(text, end=end)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def register(sub: Subcommands) -> None:
    from ccfs_tui.core.bill_window import DATA_TYPES

    cmd = sub.add_parser(
        "fetch", help="get the index of a time range from CC-FS", description=DESCRIPTION
    )
    cmd.add_argument("--from", dest="begin", type=_time(False), metavar="T", help="range start")
    cmd.add_argument("--to", dest="end", type=_time(True), metavar="T", help="range end")
    cmd.add_argument(
        "--type",
        dest="data_type",
        choices=DATA_TYPES,
        default="call_record",
        help="record: recording index; call: CDRs; call_record: both (default)",
    )
    for flag, key, text in (
        ("--agent", "agentId", "only this agent id"),
        ("--call-id", "callId", "only this call id"),
        ("--caller", "callerNo", "only this calling number"),
        ("--callee", "calleeNo", "only this called number"),
        ("--account", "accountId", "only this tenant account id"),
    ):
        cmd.add_argument(flag, dest=f"filter_{key}", type=utf8_text, metavar="V", help=text)
    cmd.add_argument(
        "--callback-listen", metavar="HOST:PORT", help="address to receive the callback on"
    )
    cmd.add_argument("--callback-url", metavar="URL", help="the URL CC-FS is told to call")
    cmd.add_argument(
        "--wait",
        type=_seconds,
        metavar="SECONDS",
        help="how long to wait for each callback (default: callback_wait, 900)",
    )
    cmd.add_argument("--parallel", type=int, choices=(1, 2, 3), default=1, help=argparse.SUPPRESS)
    cmd.add_argument("-o", "--output", type=Path, metavar="DIR", help="folder for the zips")
    cmd.add_argument("--force", action="store_true", help="replace a zip of the same name")
    cmd.add_argument("--open", action="store_true", help="open the TUI on the saved zips")
    cmd.add_argument(
        "--bill",
        type=utf8_text,
        metavar="NAME",
        help="download this bill file (yyyyMMdd_<responseId>.zip) instead of querying",
    )
    add_profile_options(cmd)
    cmd.add_argument(
        "--confirm-resend",
        action="store_true",
        help="send although this profile's signatures were refused twice in a row",
    )
    cmd.set_defaults(run=run, usage_error=cmd.error)


def _check_args(args: argparse.Namespace) -> None:
    from ccfs_tui.core.sanitize import visible

    if args.bill:
        return
    if args.begin is None or args.end is None:
        args.usage_error("fetch needs --from and --to (or --bill NAME)")
    if args.end < args.begin:
        args.usage_error(
            f"--to ({args.end:%Y-%m-%d %H:%M:%S}) is before --from ({args.begin:%Y-%m-%d %H:%M:%S})"
        )
    if args.output is not None and args.output.exists() and not args.output.is_dir():
        args.usage_error(f"-o {visible(str(args.output))} is not a folder")


def run(args: argparse.Namespace) -> int:
    _check_args(args)
    saved: list[Path] = []

    async def body(session: Session) -> None:
        if args.bill:
            saved.append(await _bill(session, args))
        else:
            saved.extend(await _fetch(session, args))

    code = run_session(args, body)
    if code == 0 and args.open and saved:
        from ccfs_tui.ui.launch import run_tui

        return run_tui(saved, profile_name=args.profile, insecure=args.insecure)
    return code


def _dest_dir(session: Session, args: argparse.Namespace) -> Path:
    profile = session.check_ready()
    return args.output if args.output is not None else profile.index_dir


async def _bill(session: Session, args: argparse.Namespace) -> Path:
    from ccfs_tui.core.sanitize import visible

    client = await session.get_client()
    folder = _dest_dir(session, args)
    path = await client.download_bill_file(args.bill, folder / args.bill, overwrite=args.force)
    print(visible(str(path)), flush=True)
    return path


async def _fetch(session: Session, args: argparse.Namespace) -> list[Path]:
    from ccfs_tui.core.bill_window import split_range
    from ccfs_tui.core.fetch_index import FetchPlan, callback_url, fetch_index, listen_address

    profile = session.check_ready()
    client = await session.get_client()
    url = args.callback_url or profile.callback_url
    listen = listen_address(args.callback_listen or profile.callback_listen, url)
    receiver = client.callback_receiver(listen, on_event=warn)
    windows = split_range(args.begin, args.end)
    with receiver:
        plan = FetchPlan(
            windows=windows,
            callback_url=callback_url(url, receiver),
            dest_dir=_dest_dir(session, args),
            data_type=args.data_type,
            filters={
                key.removeprefix("filter_"): value
                for key, value in vars(args).items()
                if key.startswith("filter_") and value
            },
            wait=args.wait or profile.callback_wait,
            overwrite=args.force,
            parallel=args.parallel,
            resume_options=_resume_options(args),
        )
        _say(
            f"receiving callbacks on {receiver.scheme}://{receiver.host}:{receiver.port} "
            f"(CC-FS is told {plan.callback_url}); {len(windows)} window(s)"
        )
        try:
            return await fetch_index(client, receiver, plan, progress=_Progress())
        finally:
            for notice in receiver.unclaimed():
                warn(
                    f"CC-FS also announced {notice.bill_file_name} (an earlier query?): "
                    f"ccfs-tui fetch --bill {notice.bill_file_name}"
                )


def _resume_options(args: argparse.Namespace) -> str:
    parts: list[str] = []
    if args.profile:
        parts += ["--profile", args.profile]
    if args.output is not None:
        parts += ["-o", str(args.output)]
    return shlex.join(parts)


def _say(text: str) -> None:
    from ccfs_tui.core.sanitize import visible

    print(f"{PROG}: {visible(text)}", file=sys.stderr, flush=True)


class _Progress:
    """Window states on stderr (the waiting time updated in place on a terminal); each
    saved path on stdout as soon as it is saved."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.open_line = False

    def __call__(self, state: WindowProgress) -> None:
        from ccfs_tui.core.sanitize import visible

        head = f"window {state.number}/{state.total} ({state.window})"
        if state.state == "waiting":
            if self.tty:
                minutes, seconds = divmod(int(state.waited), 60)
                sys.stderr.write(f"\r{head}: waiting for the callback {minutes}:{seconds:02d}")
                sys.stderr.flush()
                self.open_line = True
            return
        if self.open_line:
            sys.stderr.write("\n")
            self.open_line = False
        if state.state == "queried":
            _say(f"{head}: queried, responseId {state.response_id}")
        elif state.state == "downloading":
            _say(f"{head}: callback verified, downloading")
        elif state.state == "saved" and state.path is not None:
            print(visible(str(state.path)), flush=True)
