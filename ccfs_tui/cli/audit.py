"""``ccfs-tui audit``: the recent audit-log entries."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ccfs_tui.cli.common import PROG, count

if TYPE_CHECKING:
    from ccfs_tui.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    audit = sub.add_parser(
        "audit",
        help="print the recent audit-log entries, newest first",
        description="Print the recent entries of the audit log (every token request and "
        "download, by the CLI and the TUI), newest first as in the TUI's audit screen. Token "
        "fingerprints only, never tokens or the SK.",
    )
    audit.add_argument("-n", "--limit", type=count(1), default=30, help="how many (default 30)")
    audit.add_argument("--json", action="store_true", help="print the JSON lines (newest first)")
    audit.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from ccfs_tui.core.audit import AuditLog
    from ccfs_tui.core.paths import app_paths
    from ccfs_tui.core.sanitize import json_visible, visible

    log = AuditLog(app_paths().audit_log)
    entries = log.recent(args.limit)
    if log.skipped_lines:
        print(
            f"{PROG}: note: skipped {log.skipped_lines} over-long line(s) in {log.path}",
            file=sys.stderr,
        )
    if not entries and not args.json:
        print(f"no audit entries yet ({log.path})", file=sys.stderr)
    for entry in reversed(entries):  # newest first, as the TUI's audit screen lists them
        if args.json:
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
