"""The load helper process itself: reads the spans it is sent, writes one frame per chunk.

Started by :class:`load_helper.LoadHelper` as ``python -m
ccfs_tui.core.recordings.load_helper_process --load-helper`` (a module of its own, so that
the package, which imports :mod:`.load_helper`, does not import it twice). It prepares each
chunk as the store would (:func:`blocks.prepare_rows`: search columns, group keys with its
own codes, key counts) and writes it as a frame (the format: :meth:`LoadHelper.frames`) to
the memory file it is given; the last frame says it is done, with its peak memory.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Sequence
from typing import Any

from ccfs_tui.core.index import iter_spans
from ccfs_tui.core.recordings.blocks import prepare_rows
from ccfs_tui.core.recordings.group_keys import GroupCodes


def peak_memory() -> int:
    """This process's peak resident memory in bytes (0 where /proc has no answer)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def main() -> int:
    """The helper process: read the spans it is sent, write one frame per chunk."""
    request = pickle.load(sys.stdin.buffer)
    out = open(request["fd"], "wb", buffering=1 << 20)  # noqa: SIM115 - closed below
    codes = GroupCodes()
    sent = {"vdn": 0, "agent": 0}

    def send(frame: dict[str, Any], parts: Sequence[bytes] = ()) -> None:
        frame["parts"] = [len(part) for part in parts]
        data = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(data).to_bytes(8, "little"))
        out.write(data)
        for part in parts:
            out.write(part)

    try:
        for chunk in iter_spans(
            request["spans"],
            chunk_size=request["chunk_size"],
            bytes_total=request["total"],
            bytes_before=request["done"],
        ):
            frame: dict[str, Any] = {
                "count": len(chunk.rows),
                "source": chunk.source,
                "problems": chunk.problems,
                "problem_count": chunk.problem_count,
                "bytes_done": chunk.bytes_done,
                "next_line": chunk.next_line,
            }
            if frame["count"]:
                rows = prepare_rows(codes, chunk.rows)
                if codes.wide:
                    send({"error": "too many VDNs or agents for a helper"})
                    return 1
                keys = rows.keys
                if sys.byteorder == "big":
                    keys.byteswap()
                frame.update(crlf=rows.crlf, counts=rows.counts)
                parts = [rows.text, *rows.columns, keys.tobytes()]
            else:
                parts = []
            for kind in ("vdn", "agent"):
                frame[f"{kind}_new"] = codes.raw[kind][sent[kind] :]
                sent[kind] = len(codes.raw[kind])
            send(frame, parts)
        send({"done": True, "peak": peak_memory()})
    except Exception as exc:
        send({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    finally:
        out.close()
    return 0


if __name__ == "__main__" and sys.argv[1:] == ["--load-helper"]:
    raise SystemExit(main())
