"""The split helper process itself: splits the search columns it is sent, block by block.

Started by :func:`split_helper.split_elsewhere` as ``python -m
ccfs_tui.core.recordings.split_helper_process --split-helper``, with ``{"fd": N}`` pickled
on its stdin: the memory file holding one frame per block (its rows, the positions and
kinds of the columns to split, the columns), then an end frame. For each block it writes
one frame to stdout: per column its position, shared-part count and kind of shares, and
four parts (:class:`columns.SplitColumn`'s ``heads``, ``codes``, ``rest``, ``starts``).
"""

from __future__ import annotations

import pickle
import sys

from ccfs_tui.core.recordings.columns import SplitColumn
from ccfs_tui.core.recordings.helper_process import read_frame, write_frame
from ccfs_tui.core.recordings.split_helper import FLAG


def main() -> int:
    request = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    with open(request["fd"], "rb", buffering=1 << 20) as source:
        source.seek(0)
        while (frame := read_frame(source)) is not None:
            header, columns = frame
            if header.get("end"):
                break
            splits, parts = [], []
            for position, kind, column in zip(
                header["positions"], header["kinds"], columns, strict=True
            ):
                made = SplitColumn.of(column, header["rows"], kind)
                splits.append((position, made.count, made.folders))
                parts += [made.heads, made.codes, made.rest, made.starts.tobytes()]
            write_frame(out, {"block": header["block"], "splits": splits}, parts)
            out.flush()
    return 0


if __name__ == "__main__" and sys.argv[1:] == [FLAG]:
    raise SystemExit(main())
