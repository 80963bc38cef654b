"""The split helper: a second process that splits the search columns of a loaded store.

Splitting the columns (:class:`.columns.SplitColumn`) is about 2 s of pure Python at
1,000,000 rows. Done in the app's process right after the load, it held the GIL in small
steps while the user typed the first queries, and their answers waited for it. Here the
columns are written to an anonymous memory file (:func:`split_elsewhere`), the helper
(:mod:`.split_helper_process`) splits them block by block on the other core and sends each
block's splits back through a pipe; this process only copies bytes and waits with the GIL
free. Whatever the helper did not answer for is split in this process, as before.

Frames, both ways: :func:`.helper_process.write_frame`.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ccfs_tui.core.recordings.blocks import Block
from ccfs_tui.core.recordings.columns import SplitColumn
from ccfs_tui.core.recordings.helper_process import read_frame, spawn, write_frame

MODULE = "ccfs_tui.core.recordings.split_helper_process"
FLAG = "--split-helper"
SPLIT_HELPER_MIN_ROWS = 200_000
"""Stores from this size on are split by the helper (a smaller one is split here in about
0.4 s or less; the helper's start alone costs 0.1-0.2 s)."""


def split_elsewhere(
    blocks: Sequence[Block], kinds: Sequence[str], cancelled: Callable[[], bool]
) -> Iterator[tuple[int, dict[int, SplitColumn]]]:
    """(index in ``blocks``, its new splits by position) for each block that lacks some,
    as the helper sends them; ``kinds[position]`` is what column ``position`` shares. Ends
    early, with no error, when the helper cannot start, fails or ``cancelled()``: the
    caller splits what is left."""
    wanted = [
        (index, [p for p in range(len(kinds)) if p not in block.splits])
        for index, block in enumerate(blocks)
    ]
    wanted = [(index, positions) for index, positions in wanted if positions]
    if not wanted or os.name != "posix":
        return
    try:
        fd, path = _memory_file()
    except OSError:
        return
    process = None
    try:
        with open(os.dup(fd), "wb", buffering=0) as memory:
            for index, positions in wanted:
                block = blocks[index]
                request: dict[str, Any] = {
                    "block": index,
                    "rows": block.rows,
                    "positions": positions,
                    "kinds": [kinds[p] for p in positions],
                }
                write_frame(memory, request, [block.columns[p] for p in positions])
            write_frame(memory, {"end": True})
        process = spawn(MODULE, FLAG, {"fd": fd}, pass_fds=(fd,), stdout=subprocess.PIPE)
        if process is None or process.stdout is None:
            return
        _close(fd, path)  # the helper has its own descriptor now
        fd, path = -1, None
        while not cancelled():
            frame = read_frame(process.stdout)
            if frame is None or "block" not in frame[0]:
                return  # the end, or the helper failed: what is left is split here
            header, parts = frame
            yield header["block"], _splits(header, parts)
    except OSError:
        return
    finally:
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
        _close(fd, path)


def _splits(header: dict[str, Any], parts: list[bytes]) -> dict[int, SplitColumn]:
    """A block's splits from the helper's frame (four parts a column)."""
    made: dict[int, SplitColumn] = {}
    for n, (position, count, folders) in enumerate(header["splits"]):
        heads, codes, rest, raw_starts = parts[4 * n : 4 * n + 4]
        starts = array("I")
        starts.frombytes(raw_starts)
        made[position] = SplitColumn(heads, count, codes, rest, starts, folders)
    return made


def _memory_file() -> tuple[int, str | None]:
    """An anonymous memory file (a temporary file where there is none): (fd, path)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("ccfs-tui-split", 0), None
    fd, path = tempfile.mkstemp(prefix="ccfs-tui-split-")  # pragma: no cover - not Linux
    return fd, path  # pragma: no cover


def _close(fd: int, path: str | None) -> None:
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)
    if path is not None:
        with contextlib.suppress(OSError):
            os.unlink(path)
