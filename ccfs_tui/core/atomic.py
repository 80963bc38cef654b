"""Atomic, private file writes: a killed process never leaves a half-written file."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

STALE_TEMP_AGE = 600.0
"""Seconds after which a temporary file of an earlier, killed writer is removed."""


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``.

    The file is created with ``mode`` (private by default) before any byte is written, and
    flushed to disk before it replaces ``path``: whenever the process dies, ``path`` holds
    either the old content or the new one, never a mix. Temporary files that a killed
    writer left behind (they may hold tokens) are removed once they are old enough not to
    belong to a writer that is still running.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
    _remove_stale_temps(path)


def atomic_write_text(path: Path, text: str, mode: int = 0o600) -> None:
    """Text variant of :func:`atomic_write_bytes` (UTF-8)."""
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every filesystem allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_stale_temps(path: Path, max_age: float = STALE_TEMP_AGE) -> None:
    now = time.time()
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - stale.stat().st_mtime > max_age:
                stale.unlink()
