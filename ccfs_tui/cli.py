"""Command line: ``ccfs-tui [INDEX ...]`` opens the TUI; subcommands script the same core.

Heavy imports (Textual, httpx) happen inside the commands, so ``--version`` stays instant.
Exit codes: 0 ok, 1 other failure, 2 usage or configuration, 3 signature refused (401),
address locked (403) or not sent until --confirm-resend, 4 network/TLS/timeout,
5 server failure or bad reply, 6 resultCode from CC-FS.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NoReturn

from ccfs_tui import __version__

if TYPE_CHECKING:
    from ccfs_tui.core.client import CcfsClient
    from ccfs_tui.core.config import Config, Profile
    from ccfs_tui.core.errors import CcfsError
    from ccfs_tui.core.tokens import Token

COMMANDS = ("open", "demo", "emulator", "token", "url", "download", "locate", "index", "audit")
PROG = "ccfs-tui"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2), not the whole usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _count(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer within [minimum, maximum]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and {maximum}" if maximum is not None else " or more"
            between = f"between {minimum}{upper}" if maximum is not None else f"{minimum}{upper}"
            raise argparse.ArgumentTypeError(f"{value} is out of range (must be {between})")
        return value

    return parse


def _text(text: str) -> str:
    """An argparse type: text that is valid UTF-8 (a file name sent to CC-FS)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError("it is not valid UTF-8 text") from None
    return text


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", "-P", help="profile from config.toml (or CCFS_PROFILE)")
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="do NOT verify the server's TLS certificate (prefer ca_bundle / CCFS_CA_BUNDLE)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (public so the README and tests can show it)."""
    parser = _Parser(
        prog=PROG,
        description="Find, sign for and play Huawei CC-FS call recordings.",
        epilog="Run `ccfs-tui demo` to try it on the embedded emulator.",
    )
    parser.add_argument("--version", "-V", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    open_ = sub.add_parser("open", help="open the TUI on index files (the default command)")
    open_.add_argument("paths", nargs="*", type=Path, metavar="INDEX", help="file, folder or zip")
    _common(open_)

    sub.add_parser("demo", help="open the TUI on the embedded emulator with a sample index")

    emu = sub.add_parser("emulator", help="run the embedded CC-FS emulator in the foreground")
    emu.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    emu.add_argument("--port", type=_count(0, 65535), default=0, help="port (default: a free one)")
    emu.add_argument("--tls", action="store_true", help="serve HTTPS with a self-signed cert")
    emu.add_argument("--app-id", help="accepted AK (SK from CCFS_SECRET_KEY; else made up)")
    emu.add_argument("--recordings", type=_count(1), default=2000, help="catalogue size")
    emu.add_argument("--index", type=Path, help="where to write the matching sample index")

    for name, text in (
        ("token", "print a playback token for FILE_NAME"),
        ("url", "print the playVoice URL for FILE_NAME"),
        ("download", "download the audio of FILE_NAME"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument(
            "file_name",
            type=_text,
            metavar="FILE_NAME",
            help="original_file_name from the index (\\ or /)",
        )
        _common(cmd)
        cmd.add_argument(
            "--confirm-resend",
            action="store_true",
            help="send although this profile's signatures were refused twice in a row "
            "(CC-FS locks the address after repeated bad signatures); one attempt",
        )
        if name == "token":
            cmd.add_argument("--json", action="store_true", help="print a JSON object")
        if name == "download":
            cmd.add_argument(
                "-o",
                "--output",
                type=Path,
                help="file to write (not an existing one unless --force; - for stdout)",
            )
            cmd.add_argument(
                "--force", action="store_true", help="replace the -o file if it exists"
            )
            cmd.add_argument(
                "--record",
                action="store_true",
                help="use downloadRecordFile; FILE_NAME is then the index file_name column",
            )

    sub.add_parser("locate", help="print every path ccfs-tui uses")

    audit = sub.add_parser("audit", help="print the recent audit-log entries")
    audit.add_argument("-n", "--limit", type=_count(1), default=30, help="how many (default 30)")
    audit.add_argument("--json", action="store_true", help="print the raw JSON lines")

    idx = sub.add_parser("index", help="check index files: count rows, list skipped lines")
    idx.add_argument("paths", nargs="+", type=Path, metavar="INDEX")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ccfs-tui`` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = args_list[0] if args_list else ""
    if first not in COMMANDS and first not in ("-h", "--help", "-V", "--version"):
        args_list.insert(0, "open")
    args = build_parser().parse_args(args_list)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except _Terminated:
        print(f"{PROG}: terminated", file=sys.stderr)
        return 143
    except Exception as exc:  # every failure: one clear line, never a traceback
        from ccfs_tui.core.errors import CcfsError
        from ccfs_tui.core.sanitize import visible

        # server and file texts inside the message are shown, never executed (and cut)
        if isinstance(exc, CcfsError):
            print(f"{PROG}: {visible(str(exc), MAX_ERROR_LINE)}", file=sys.stderr)
            return _exit_code(exc)
        if isinstance(exc, OSError):
            text = f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
            print(f"{PROG}: {visible(text, MAX_ERROR_LINE)}", file=sys.stderr)
            return 1
        if isinstance(exc, OverflowError):  # a date out of range: a clock years away
            print(
                f"{PROG}: a date went out of range ({visible(str(exc), 200)}): this machine's "
                "clock is probably wrong (check `date -u`; set it with NTP).",
                file=sys.stderr,
            )
            return 1
        text = f"unexpected {type(exc).__name__}: {exc}"
        print(
            f"{PROG}: {visible(text, 300)} (a bug in ccfs-tui: please report it with the command)",
            file=sys.stderr,
        )
        return 1


MAX_ERROR_LINE = 1000
"""Characters of an error line on stderr (the server's part is cut much shorter)."""


class _Terminated(Exception):
    """SIGTERM arrived during a remote command (its partial file is already removed)."""


def _exit_code(exc: CcfsError) -> int:
    return {
        "config": 2,
        "auth": 3,
        "ip-locked": 3,
        "resend-blocked": 3,
        "tls": 4,
        "connect": 4,
        "timeout": 4,
        "server": 5,
        "bad-reply": 5,
        "result": 6,
        "flow-control": 6,
    }.get(exc.kind, 1)


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command == "locate":
        return _locate()
    if command == "index":
        return _index(args.paths)
    if command == "audit":
        return _audit(args.limit, args.json)
    if command == "emulator":
        return _emulator(args)
    if command == "demo":
        from ccfs_tui.ui.launch import run_demo

        return run_demo()
    if command == "open":
        from ccfs_tui.ui.launch import run_tui

        return run_tui(args.paths, profile_name=args.profile, insecure=args.insecure)
    import asyncio

    return asyncio.run(_remote_until_signal(args))


async def _remote_until_signal(args: argparse.Namespace) -> int:
    """:func:`_remote`, cancelled by SIGTERM as asyncio.run cancels it on Ctrl-C: the
    download's partial file is removed either way (kill -9 leaves it to the next run)."""
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
        return await _remote(args)
    except asyncio.CancelledError:
        if terminated:
            raise _Terminated from None
        raise
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.remove_signal_handler(signal.SIGTERM)


def _locate() -> int:
    from ccfs_tui.core.paths import app_paths
    from ccfs_tui.core.sanitize import visible

    rows = app_paths().as_rows()
    width = max(len(label) for label, _ in rows)
    for label, path in rows:
        print(f"{label:<{width}}  {visible(str(path))}")
    return 0


def _audit(limit: int, as_json: bool) -> int:
    import json
    from dataclasses import asdict

    from ccfs_tui.core.audit import AuditLog
    from ccfs_tui.core.paths import app_paths
    from ccfs_tui.core.sanitize import json_visible, visible

    log = AuditLog(app_paths().audit_log)
    entries = log.recent(limit)
    if log.skipped_lines:
        print(
            f"{PROG}: note: skipped {log.skipped_lines} over-long line(s) in {log.path}",
            file=sys.stderr,
        )
    if not entries and not as_json:
        print(f"no audit entries yet ({log.path})", file=sys.stderr)
    for entry in entries:
        if as_json:
            print(json_visible(json.dumps(asdict(entry), ensure_ascii=False)))
        else:
            # every field as visible text: a newline in a file name cannot forge an entry
            e = {key: visible(value) for key, value in asdict(entry).items()}
            code = f" [{e['result_code']}]" if e["result_code"] else ""
            token = f" token#{e['token_fingerprint']}" if e["token_fingerprint"] else ""
            print(
                f"{e['time']}  {e['profile']}/{e['app_id']}  {e['action']:<18} "
                f"{e['outcome']}{code}{token}  {e['file_name']}"
            )
    return 0


def _index(paths: list[Path]) -> int:
    from ccfs_tui.core.index_reader import iter_index
    from ccfs_tui.core.sanitize import visible

    rows = 0
    problems = 0
    for chunk in iter_index(paths):
        rows += len(chunk.rows)
        for problem in chunk.problems:
            problems += 1
            # file names, zip member names and line excerpts come from the files: shown,
            # never executed, one line each
            print(visible(str(problem), MAX_ERROR_LINE), file=sys.stderr)
    print(f"{rows} recordings, {problems} skipped line(s)")
    return 0 if rows or not problems else 1


def _emulator(args: argparse.Namespace) -> int:
    import os

    from ccfs_tui.core.emulator.standalone import serve
    from ccfs_tui.core.secret import Secret

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


def load_profile(profile_name: str | None, insecure: bool) -> tuple[Config, Profile]:
    """The config and the chosen profile, checked ready to use (``--insecure`` applied)."""
    from ccfs_tui.core.config import check_profile_ready, load_config, select_profile

    config = load_config()
    profile = select_profile(config, profile_name)
    if insecure:
        profile = profile.with_overrides(verify=False)
    check_profile_ready(profile)
    return config, profile


async def _remote(args: argparse.Namespace) -> int:
    import getpass
    import json

    from ccfs_tui.core.audit import AuditLog
    from ccfs_tui.core.client import CcfsClient
    from ccfs_tui.core.config import resolve_secret
    from ccfs_tui.core.paths import app_paths
    from ccfs_tui.core.tokens import TokenStore

    output = _checked_output(args)
    config, profile = load_profile(args.profile, args.insecure)
    if not profile.verify:
        print(f"{PROG}: WARNING: TLS verification is OFF for {profile.base_url}", file=sys.stderr)
    prompt = getpass.getpass if profile.secret_prompt and sys.stdin.isatty() else None
    secret = resolve_secret(profile, prompt=prompt, config=config)
    paths = app_paths()
    store = TokenStore(paths.token_store)
    store.load()
    if store.load_error:
        _warn(store.load_error)
    audit = AuditLog(paths.audit_log, on_warning=lambda text: _warn(text))
    async with CcfsClient(profile, secret, audit=audit) as client:
        if args.confirm_resend:
            client.confirm_resend()
        if args.command == "download" and args.record:
            await _download(client, args.file_name, output, args.force, "record")
            return 0
        token = await client.request_play_token(args.file_name)
        store.add(token)
        if args.command == "token":
            if args.json:
                print(json.dumps(_token_json(token)))
            else:
                print(token.token)
        elif args.command == "url":
            print(client.playback_url(token))
        else:
            await _download(client, token, output, args.force, "play")
    return 0


def _checked_output(args: argparse.Namespace) -> Path | None:
    """``-o`` checked before anything is sent (a token is not spent on a bad target).

    ``-o -`` is standard output (refused when it is a terminal: audio bytes would be taken
    for escape sequences); a folder, a link, a device or FIFO is refused; an existing file
    only with ``--force``.
    """
    output: Path | None = getattr(args, "output", None)
    if args.command != "download" or output is None:
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
    check_destination(output, overwrite=args.force)
    return output


async def _download(
    client: CcfsClient,
    target: Token | str,
    output: Path | None,
    force: bool,
    source: Literal["play", "record"],
) -> None:
    from ccfs_tui.core.sanitize import visible

    if output is not None and str(output) == "-":
        await client.download_to(
            target, sys.stdout.buffer, progress=_progress_printer(), source=source
        )
        return
    path = await client.download(
        target,
        output,
        progress=_progress_printer(),
        source=source,
        overwrite=force or output is None,  # our own download folder: the same recording
    )
    print(visible(str(path)))


def _warn(text: str) -> None:
    print(f"{PROG}: warning: {text}", file=sys.stderr)


def _token_json(token: Token) -> dict[str, str]:
    data = token.to_json()
    return {key: data[key] for key in ("token", "file_name", "issued_at", "expires_at")}


def _progress_printer() -> Callable[[int, int | None], None] | None:
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
