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
from collections.abc import Iterator
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
        text = json.dumps(asdict(entry), ensure_ascii=False) + "\n"
        line = text.encode("utf-8", "backslashreplace")  # a lone surrogate cannot stop it
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                view = memoryview(line)
                while view:  # one write in practice; a short write is finished under the lock
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
        return entry

    def recent(self, limit: int = 50) -> list[AuditEntry]:
        """The last ``limit`` entries, oldest first; unreadable lines are skipped.

        Reads the file backwards from its end, so a long log costs no more than a short one.
        """
        if limit <= 0 or not self.path.exists():
            return []
        entries: deque[AuditEntry] = deque()
        for line in _lines_backwards(self.path):
            entry = _parse(line)
            if entry is not None:
                entries.appendleft(entry)
                if len(entries) == limit:
                    break
        return list(entries)


def _parse(line: bytes) -> AuditEntry | None:
    try:
        data = json.loads(line.decode("utf-8", "replace"))
        if not all(isinstance(value, str) for value in data.values()):
            return None
        return AuditEntry(**data)
    except (ValueError, TypeError, AttributeError):
        return None


def _lines_backwards(path: Path, block: int = 64 * 1024) -> Iterator[bytes]:
    """The complete lines of ``path``, last first (a line still being appended is left out)."""
    with path.open("rb") as handle:
        position = handle.seek(0, os.SEEK_END)
        rest = b""  # the start of the file's data read so far, up to its first newline
        tail_dropped = False
        while position > 0:
            step = min(block, position)
            position -= step
            handle.seek(position)
            parts = (handle.read(step) + rest).split(b"\n")
            rest = parts.pop(0)  # may be cut: completed by the next block
            if parts and not tail_dropped:
                parts.pop()  # after the file's last newline: empty, or a line not finished
                tail_dropped = True
            for line in reversed(parts):
                if line.strip():
                    yield line
        if tail_dropped and rest.strip():
            yield rest
