"""Append-only JSONL audit trail of token requests and downloads.

One JSON object per line: UTC time, profile, app id, fileName, action, outcome,
resultCode, and a fingerprint of the token (never the token, never the SK). Appends
are safe with several ccfs-tui processes at once: each entry is one ``write`` on an
``O_APPEND`` descriptor under an exclusive ``flock``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path

from ccfs_tui.core.clock import Clock, utc_now


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited action."""

    time: str
    profile: str
    app_id: str
    action: str
    file_name: str
    outcome: str
    result_code: str = ""
    token_fingerprint: str = ""
    detail: str = ""


class AuditLog:
    """The audit file of one user (mode 0600)."""

    def __init__(self, path: Path, clock: Clock = utc_now) -> None:
        self.path = path
        self._clock = clock

    def record(
        self,
        *,
        profile: str,
        app_id: str,
        action: str,
        file_name: str,
        outcome: str,
        result_code: str = "",
        token_fingerprint: str = "",
        detail: str = "",
    ) -> AuditEntry:
        """Append one entry; an unwritable log never breaks the action it records."""
        entry = AuditEntry(
            time=self._clock().strftime("%Y-%m-%dT%H:%M:%SZ"),
            profile=profile,
            app_id=app_id,
            action=action,
            file_name=file_name,
            outcome=outcome,
            result_code=result_code,
            token_fingerprint=token_fingerprint,
            detail=detail[:300],
        )
        line = (json.dumps(asdict(entry), ensure_ascii=False) + "\n").encode("utf-8")
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                os.write(fd, line)
            finally:
                os.close(fd)
        return entry

    def recent(self, limit: int = 50) -> list[AuditEntry]:
        """The last ``limit`` entries, oldest first; unreadable lines are skipped."""
        if not self.path.exists():
            return []
        entries: deque[AuditEntry] = deque(maxlen=limit)
        with self.path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    entries.append(AuditEntry(**json.loads(line)))
                except (ValueError, TypeError):
                    continue
        return list(entries)
