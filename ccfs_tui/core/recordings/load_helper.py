"""The load helper: a second process that reads the tail of a big index file into blocks.

This is the parent's side (:class:`LoadHelper`, used by :func:`loading.load_index`): it
starts :mod:`.load_helper_process` with the environment of :func:`child_environment` (never
an SK) and ``PYTHONPATH`` pointing at this checkout, and sends it the spans to read
(pickled, on stdin). The helper prepares each chunk as the store would and writes one frame
per chunk to an anonymous memory file, so that it never waits for the parent, whose GIL is
busy reading the head; the parent polls that file (every 2 ms) once its own part is in,
maps the helper's codes to the store's (:func:`prepared_rows`) and adds the blocks in order.

It serves the "fully loaded" figure only (the first rows show before it starts); turn it
off with ``CCFS_LOAD_HELPER=0`` (:func:`loading.helper_allowed`).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ccfs_tui.core.child_env import child_environment
from ccfs_tui.core.index import Span
from ccfs_tui.core.recordings.blocks import PreparedRows
from ccfs_tui.core.recordings.group_keys import CodeMap

HELPER_STALL = 30.0
"""Seconds without a byte from the helper after which it is given up (and killed)."""
MODULE = "ccfs_tui.core.recordings.load_helper_process"
_CHECKOUT = Path(__file__).resolve().parents[3]  # the folder holding ccfs_tui/


class LoadHelper:
    """The helper process. It writes its frames to an anonymous memory file (a temporary
    file where there is no ``memfd_create``), so it never waits for this process, whose
    GIL is busy reading the head; the frames are read back once the head is in."""

    def __init__(self, process: subprocess.Popen[bytes], fd: int, path: str | None) -> None:
        self.process = process
        self.fd = fd
        self.path = path
        self.ok = False
        self.peak = 0
        """The helper's peak resident memory in bytes (from its last frame; 0 unknown)."""

    @classmethod
    def start(cls, spans: list[Span], chunk_size: int, done: int, total: int) -> LoadHelper | None:
        """The helper reading ``spans`` (bytes ``done`` of ``total`` read before them), or
        None when it cannot start (not POSIX, no memory file, no process)."""
        if os.name != "posix":
            return None
        path: str | None = None
        try:
            if hasattr(os, "memfd_create"):
                fd = os.memfd_create("ccfs-tui-load", 0)
            else:  # pragma: no cover - macOS and others
                fd, path = tempfile.mkstemp(prefix="ccfs-tui-load-")
        except OSError:
            return None
        pythonpath = os.environ.get("PYTHONPATH")
        env = {  # no SK in the helper's environment; this checkout's package first
            **child_environment(),
            "PYTHONPATH": str(_CHECKOUT) + (os.pathsep + pythonpath if pythonpath else ""),
        }
        command = [sys.executable, "-m", MODULE, "--load-helper"]
        request = {"spans": spans, "chunk_size": chunk_size, "done": done, "total": total}
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, env=env, pass_fds=(fd,),
            )  # fmt: skip
            assert process.stdin is not None
            process.stdin.write(pickle.dumps({**request, "fd": fd}, pickle.HIGHEST_PROTOCOL))
            process.stdin.close()
        except (OSError, ValueError):
            cls._discard(fd, path)
            return None
        return cls(process, fd, path)

    def frames(self, cancelled: Callable[[], bool] = lambda: False) -> Iterator[dict[str, Any]]:
        """The helper's frames as it writes them; :attr:`ok` tells, once they end, whether
        it got through (if not, the caller reads the rest itself). Gives up when
        ``cancelled()`` or when the helper writes nothing for :data:`HELPER_STALL` seconds.

        A frame is 8 bytes of length, a pickled dict, then its big byte strings raw (the
        row text, the search columns, the keys), each read with one copy."""
        position = 0
        seen, moved = 0, time.monotonic()
        while not cancelled():
            size = os.fstat(self.fd).st_size
            frame = self._frame(position, size)
            if frame is not None:
                position = frame.pop("end")
                if frame.get("done") is True:
                    self.ok, self.peak = True, frame.get("peak", 0)
                    return
                if "error" in frame:
                    return
                yield frame
                continue
            if self.process.poll() is not None and os.fstat(self.fd).st_size == size:
                return  # it stopped without saying it was done
            if size != seen:
                seen, moved = size, time.monotonic()
            elif time.monotonic() - moved > HELPER_STALL:
                return  # stuck: the caller kills it and reads the rest itself
            time.sleep(0.002)

    def _frame(self, position: int, size: int) -> dict[str, Any] | None:
        """The frame at ``position`` if all of it is written (``size``), else None."""
        if size < position + 8:
            return None
        length = int.from_bytes(os.pread(self.fd, 8, position), "little")
        start = position + 8 + length
        if size < start:
            return None
        frame: dict[str, Any] = pickle.loads(os.pread(self.fd, length, position + 8))
        lengths = frame.pop("parts", [])
        if size < start + sum(lengths):
            return None
        parts = []
        for part in lengths:
            parts.append(os.pread(self.fd, part, start) if part else b"")
            start += part
        if parts:
            frame["text"], *columns, frame["keys"] = parts
            frame["columns"] = tuple(columns)
        frame["end"] = start
        return frame

    def close(self) -> None:
        """Kill the helper if it still runs, and drop its memory file."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._discard(self.fd, self.path)
        self.fd = -1

    @staticmethod
    def _discard(fd: int, path: str | None) -> None:
        if fd >= 0:
            os.close(fd)
        if path is not None:
            with contextlib.suppress(OSError):
                os.unlink(path)


def prepared_rows(frame: dict[str, Any], codes: CodeMap) -> PreparedRows:
    """The rows of a helper's frame, their group keys mapped to the store's codes."""
    codes.learn({kind: frame[f"{kind}_new"] for kind in ("vdn", "agent")})
    child = array("Q")
    child.frombytes(frame["keys"])
    if sys.byteorder == "big":
        child.byteswap()
    table = {key: codes.key(key) for key in frame["counts"]}
    keys = array("Q", map(table.__getitem__, child))
    counts = Counter({table[key]: n for key, n in frame["counts"].items()})
    return PreparedRows(
        frame["count"], frame["text"], frame["crlf"], frame["columns"], keys, counts
    )
