"""What every subcommand module shares: the program name, argparse types, the profile
options, the one-line error and warning helpers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn, Protocol, TypeAlias

if TYPE_CHECKING:
    from ccfs_tui.core.errors import CcfsError

    Subcommands: TypeAlias = argparse._SubParsersAction["Parser"]
    """What ``register`` receives: ``add_parser`` on it makes a :class:`Parser`."""

PROG = "ccfs-tui"

MAX_ERROR_LINE = 1000
"""Characters of an error line on stderr (the server's part is cut much shorter)."""

INDEX_HELP = (
    "a recording index CSV (any name when given here), a .csv.gz of one, a .zip holding "
    "*_record*.csv members, or a folder searched for *_record*.csv, *_record*.csv.gz and *.zip"
)
"""What an INDEX argument may be (``open``, ``index``)."""


class CommandModule(Protocol):
    """A subcommand module: ``register`` adds its parser(s), each with ``run`` as default."""

    def register(self, sub: Subcommands) -> None: ...


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2), not the whole usage."""

    commands: frozenset[str] = frozenset()
    """The subcommands (set by ``build_parser``): another first word means ``open``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class Terminated(Exception):
    """SIGTERM arrived during a remote command (its partial file is already removed)."""


def count(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
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


def utf8_text(text: str) -> str:
    """An argparse type: text that is valid UTF-8 (a file name sent to CC-FS)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError("it is not valid UTF-8 text") from None
    return text


def add_profile_options(parser: argparse.ArgumentParser) -> None:
    """``--profile`` and ``--insecure`` (every command that talks to CC-FS)."""
    parser.add_argument("--profile", "-P", help="profile from config.toml (or CCFS_PROFILE)")
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="do NOT verify the server's TLS certificate (prefer ca_bundle / CCFS_CA_BUNDLE)",
    )


def warn(text: str) -> None:
    """A one-line warning on stderr."""
    print(f"{PROG}: warning: {text}", file=sys.stderr)


def exit_code(exc: CcfsError) -> int:
    """The exit code of a core error (see the package docstring)."""
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
