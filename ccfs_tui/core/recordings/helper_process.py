"""Starting a helper process of the store (the load helper, the split helper).

Each is ``python -m <module> <flag>`` with this Python, this checkout's package first on
``PYTHONPATH``, the environment of :func:`child_environment` (never an SK), and its request
pickled on its stdin (closed once written). ``CCFS_LOAD_HELPER=0`` turns them all off
(:func:`helpers_allowed`); they need a second core to be of any use.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from ccfs_tui.core.child_env import child_environment

HELPER_SWITCH = "CCFS_LOAD_HELPER"
"""The environment variable that turns the helper processes off when it is ``0``."""
_CHECKOUT = Path(__file__).resolve().parents[3]  # the folder holding ccfs_tui/


def helpers_allowed(environ: Mapping[str, str] = os.environ) -> bool:
    """False when :data:`HELPER_SWITCH` is ``0`` in ``environ``: then everything is done
    in this process (the same answers, later)."""
    return environ.get(HELPER_SWITCH, "").strip() != "0"


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def spawn(
    module: str,
    flag: str,
    request: dict[str, Any],
    pass_fds: Sequence[int] = (),
    stdout: int | IO[bytes] | None = subprocess.DEVNULL,
) -> subprocess.Popen[bytes] | None:
    """The helper ``module`` started with ``request`` on its stdin, or None when it cannot
    start (not POSIX, no process)."""
    if os.name != "posix":
        return None
    pythonpath = os.environ.get("PYTHONPATH")
    env = {
        **child_environment(),
        "PYTHONPATH": str(_CHECKOUT) + (os.pathsep + pythonpath if pythonpath else ""),
    }
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", module, flag],
            stdin=subprocess.PIPE, stdout=stdout, stderr=subprocess.DEVNULL, env=env,
            pass_fds=tuple(pass_fds),
        )  # fmt: skip
    except (OSError, ValueError):
        return None
    try:
        assert process.stdin is not None
        process.stdin.write(pickle.dumps(request, pickle.HIGHEST_PROTOCOL))
        process.stdin.close()
    except (OSError, ValueError):
        process.kill()
        process.wait()
        return None
    return process


def write_frame(out: IO[bytes], header: dict[str, Any], parts: Sequence[bytes] = ()) -> None:
    """One frame: ``header`` (with the lengths of ``parts``), then ``parts``."""
    header["parts"] = [len(part) for part in parts]
    data = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(len(data).to_bytes(8, "little"))
    out.write(data)
    for part in parts:
        out.write(part)


def read_frame(stream: IO[bytes]) -> tuple[dict[str, Any], list[bytes]] | None:
    """The next frame of ``stream`` (None at its end, or if it is cut short)."""
    size = stream.read(8)
    if len(size) < 8:
        return None
    length = int.from_bytes(size, "little")
    data = stream.read(length)
    if len(data) < length:
        return None
    header: dict[str, Any] = pickle.loads(data)
    parts = []
    for part in header.pop("parts", []):
        chunk = stream.read(part)
        if len(chunk) < part:
            return None
        parts.append(chunk)
    return header, parts
