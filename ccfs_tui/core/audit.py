"""Append-only JSONL audit trail of token requests and downloads.

One JSON object per line: UTC time, profile, app id, fileName, action, outcome,
resultCode, and a fingerprint of the token (never the token, never the SK). Appends
are safe with several ccfs-tui processes at once: each entry is one ``write`` on an
``O_APPEND`` descriptor under an exclusive ``flock``. The file is never opened through a
symbolic link (``O_NOFOLLOW``); a log that cannot be written is said once, not silently.
The reader is bounded: it reads the end of the file in blocks and skips (and counts) a line
longer than :data:`MAX_LINE`; it can be cancelled between two blocks.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from ccfs_tui.core.atomic import private_dir
from ccfs_tui.core.clock import Clock, utc_now

MAX_LINE = 1024 * 1024
"""An audit line longer than this is skipped by the reader (ccfs-tui writes ~1 KB lines)."""

BLOCK = 64 * 1024
"""The reader reads the file backwards this many bytes at a time."""

_OPEN_FLAGS = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK  # NONBLOCK: a planted FIFO


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
    """The audit file of one user (mode 0600).

    ``on_warning`` is called once, the first time the log cannot be written (the CLI
    prints it; :attr:`warning` keeps it for the TUI). After :meth:`recent`,
    :attr:`skipped_lines` says how many over-long lines it skipped.
    """

    def __init__(
        self,
        path: Path,
        clock: Clock = utc_now,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self.path = path
        self._clock = clock
        self._on_warning = on_warning
        self.warning: str | None = None
        self.skipped_lines = 0

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
        """Append one entry; an unwritable log never breaks the action it records (it is
        reported once through ``on_warning`` / :attr:`warning`)."""
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
        try:
            self._append(line)
        except OSError as exc:
            self._warn(exc)
        return entry

    def _append(self, line: bytes) -> None:
        private_dir(self.path.parent)
        fd = _open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            view = memoryview(line)
            while view:  # one write in practice; a short write is finished under the lock
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)

    def _warn(self, exc: OSError) -> None:
        if self.warning is not None:
            return
        self.warning = (
            f"Cannot write the audit log {self.path}: {_reason(exc)}; token requests and "
            "downloads are not being audited. Fix the file or its folder (ccfs-tui locate)."
        )
        if self._on_warning is not None:
            self._on_warning(self.warning)

    def recent(
        self, limit: int = 50, cancelled: Callable[[], bool] = lambda: False
    ) -> list[AuditEntry]:
        """The last ``limit`` entries, oldest first; unreadable lines are skipped, and so
        are lines over :data:`MAX_LINE` (counted in :attr:`skipped_lines`).

        Reads the file backwards from its end in blocks, so a long log (or a huge last
        line) costs no more than a short one; ``cancelled()`` is asked between blocks
        (then what was read so far is returned). Raises ``OSError`` when the file cannot be
        opened, e.g. when it is a symbolic link.
        """
        self.skipped_lines = 0
        if limit <= 0:
            return []
        try:
            fd = _open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return []
        entries: deque[AuditEntry] = deque()
        with os.fdopen(fd, "rb") as handle:
            for line in _lines_backwards(handle, cancelled=cancelled):
                if line is None:
                    self.skipped_lines += 1
                    continue
                entry = _parse(line)
                if entry is not None:
                    entries.appendleft(entry)
                    if len(entries) == limit:
                        break
        return list(entries)


def _open(path: Path, flags: int) -> int:
    """Open ``path`` never through a symbolic link, and only if it is a regular file."""
    try:
        fd = os.open(path, flags | _OPEN_FLAGS, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            reason = "it is a symbolic link; refusing to follow it"
            raise OSError(errno.ELOOP, reason, str(path)) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "it is not a regular file", str(path))
    os.set_blocking(fd, True)
    return fd


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _parse(line: bytes) -> AuditEntry | None:
    try:
        data = json.loads(line.decode("utf-8", "replace"))
        if not all(isinstance(value, str) for value in data.values()):
            return None
        return AuditEntry(**data)
    except (ValueError, TypeError, AttributeError, RecursionError):
        return None


def _lines_backwards(
    handle: BinaryIO,
    block: int = BLOCK,
    max_line: int = MAX_LINE,
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[bytes | None]:
    """The complete lines of ``handle``, last first (a line still being appended is left
    out); ``None`` for a line longer than ``max_line``, which is skipped without being
    kept in memory. Each byte is read once; stops when ``cancelled()``."""
    position = handle.seek(0, os.SEEK_END)
    pieces: list[bytes] = []  # the line being completed: its later parts, last first
    size = 0
    overlong = False
    tail = True  # the first line completed is what follows the file's last newline

    def finish(first_part: bytes) -> bytes | None:
        if overlong or size + len(first_part) > max_line:
            return None
        return first_part + b"".join(reversed(pieces))

    while position > 0:
        if cancelled():
            return
        step = min(max_line if overlong else block, position)
        position -= step
        handle.seek(position)
        data = handle.read(step)
        cut = data.find(b"\n")
        if cut < 0:  # no line ends here: all of it belongs to the line being completed
            if not overlong:
                pieces.append(data)
                size += len(data)
                if size > max_line:
                    pieces, size, overlong = [], 0, True
            continue
        segments = data[cut + 1 :].split(b"\n")
        completed = [finish(segments[-1]), *reversed(segments[:-1])]
        for index, line in enumerate(completed):
            if tail and index == 0:
                tail = False  # empty, or a line not finished yet
                continue
            if line is None or len(line) > max_line:
                yield None
            elif line.strip():
                yield line
        pieces, size, overlong = [data[:cut]], cut, cut > max_line
        if overlong:
            pieces, size = [], 0
    if not tail:
        line = finish(b"")
        if line is None:
            yield None
        elif line.strip():
            yield line
