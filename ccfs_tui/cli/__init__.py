"""Command line: ``ccfs-tui [INDEX ...]`` opens the TUI; subcommands script the same core.

One module per subcommand (listed in :data:`COMMAND_MODULES`, in ``--help`` order); each
has ``register(subparsers)``, which adds its parser with ``run(args) -> int`` as the
``run`` default. A new subcommand is a new module and one line in that list.

Heavy imports (Textual, httpx) happen inside the commands, so ``--version`` stays instant.
Exit codes: 0 ok, 1 other failure, 2 usage or configuration, 3 signature refused (401),
address locked (403) or not sent until --confirm-resend, 4 network/TLS/timeout,
5 server failure or bad reply, 6 resultCode from CC-FS.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import cast

from ccfs_tui import __version__
from ccfs_tui.cli.common import (
    MAX_ERROR_LINE,
    PROG,
    CommandModule,
    Parser,
    Terminated,
    exit_code,
)
from ccfs_tui.cli.suggest import meant_command

COMMAND_MODULES = (
    "open",
    "demo",
    "emulator",
    "token",
    "url",
    "download",
    "fetch",
    "listen",
    "locate",
    "index",
    "audit",
    "doctor",
    "keys",
)
"""The subcommand modules of this package, in the order ``--help`` lists them."""

__all__ = ["PROG", "build_parser", "main"]


def build_parser() -> Parser:
    """The argument parser (public so the README and tests can show it)."""
    parser = Parser(
        prog=PROG,
        description="Find, sign for and play Huawei CC-FS call recordings.",
        epilog="Run `ccfs-tui demo` to try it on the embedded emulator.",
    )
    parser.add_argument("--version", "-V", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = cast(CommandModule, importlib.import_module(f"{__name__}.{name}"))
        module.register(sub)
    parser.commands = frozenset(sub.choices)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ccfs-tui`` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    first = args_list[0] if args_list else ""
    if first not in parser.commands and first not in ("-h", "--help", "-V", "--version"):
        meant = meant_command(first, parser.commands)
        if meant is not None:  # a typo, not an index path: say so (exit 2, as argparse does)
            from ccfs_tui.core.sanitize import visible

            print(
                f"{PROG}: '{visible(first)}' is not a command nor an existing index path: "
                f"did you mean `{meant}`? (see {PROG} --help)",
                file=sys.stderr,
            )
            return 2
        args_list.insert(0, "open")
    args = parser.parse_args(args_list)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print(f"{PROG}: terminated", file=sys.stderr)
        return 143
    except Exception as exc:  # every failure: one clear line, never a traceback
        from ccfs_tui.core.errors import CcfsError
        from ccfs_tui.core.sanitize import visible

        # server and file texts inside the message are shown, never executed (and cut)
        if isinstance(exc, CcfsError):
            print(f"{PROG}: {visible(str(exc), MAX_ERROR_LINE)}", file=sys.stderr)
            return exit_code(exc)
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
