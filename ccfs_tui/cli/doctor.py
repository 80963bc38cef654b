"""``ccfs-tui doctor``: check the set-up one line at a time, each with the fix.

Exit 0 when every check passes (warnings included), 1 when one fails. At most one signed
request is sent (see :mod:`ccfs_tui.core.doctor`).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from ccfs_tui.cli.common import PROG, add_profile_options, warn

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands
    from ccfs_tui.core.doctor import CheckResult

DESCRIPTION = """\
Check what stands between you and a played recording, one line each with a tick or a
cross and the fix: the config file (parse, permissions), the SK source (never the SK),
base_url (DNS, TCP, TLS with the CA bundle), the server's clock against this machine's,
one harmless signed request (a requestPlayVoice for a file that cannot exist: it tells a
refused signature from a wrong URL or a dead port), the terminal (TERM, colours, UTF-8
locale, tmux's set-clipboard) and the callback/listen ports when the profile sets them.
Exit 0 when all pass, 1 otherwise. At most one signed request is sent, and none while the
profile is held after refused signatures."""

NAME_WIDTH = 13
MARKS = {"ok": "✓", "warn": "⚠", "fail": "✗", "skip": "–", "arrow": "→"}
ASCII_MARKS = {"ok": "[ok]", "warn": "[warn]", "fail": "[FAIL]", "skip": "[skip]", "arrow": "->"}


def register(sub: Subcommands) -> None:
    parser = sub.add_parser(
        "doctor",
        help="check config, SK, network, clock, signature and terminal; say the fix",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_profile_options(parser)
    parser.set_defaults(run=run)


def marks_for(stream: TextIO) -> dict[str, str]:
    """Ticks and crosses when ``stream`` can show them, else ASCII words."""
    try:
        "".join(MARKS.values()).encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return ASCII_MARKS
    return MARKS


def line(result: CheckResult, marks: dict[str, str]) -> str:
    """One check as one line: mark, name, text and (when there is one) the fix."""
    from ccfs_tui.core.sanitize import visible

    text = f"{marks[result.status.value]} {result.name:<{NAME_WIDTH}} {result.text}"
    if result.fix:
        text += f" {marks['arrow']} {result.fix}"
    return visible(text)


def run(args: argparse.Namespace) -> int:
    import getpass

    from ccfs_tui.core.audit import AuditLog
    from ccfs_tui.core.doctor import Status, run_doctor
    from ccfs_tui.core.paths import app_paths

    marks = marks_for(sys.stdout)
    audit = AuditLog(app_paths().audit_log, on_warning=warn)
    prompt = getpass.getpass if sys.stdin.isatty() else None
    results: list[CheckResult] = []
    for result in run_doctor(args.profile, insecure=args.insecure, prompt=prompt, audit=audit):
        results.append(result)
        print(line(result, marks), flush=True)
    failed = [r.name for r in results if r.status is Status.FAIL]
    warned = sum(r.status is Status.WARN for r in results)
    remark = f" ({warned} warning{'s' if warned != 1 else ''})" if warned else ""
    if failed:
        print(f"{PROG} doctor: {len(failed)} check(s) failed: {', '.join(failed)}{remark}")
        return 1
    print(f"{PROG} doctor: all checks passed{remark}")
    return 0
