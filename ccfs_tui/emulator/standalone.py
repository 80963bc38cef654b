"""``ccfs-tui emulator``: run the CC-FS emulator in the foreground until Ctrl-C."""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
import threading
from pathlib import Path
from typing import TextIO

from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.secret import Secret
from ccfs_tui.emulator.sample_index import SAMPLE_TRANSFERS, write_sample
from ccfs_tui.emulator.server import Emulator, make_app_id, make_secret


def serve(
    host: str,
    port: int,
    tls: bool,
    app_id: str | None,
    secret: Secret | None,
    *,
    recordings: int = 2000,
    index_path: Path | None = None,
    out: TextIO,
    cert_dir: Path | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Serve until Ctrl-C (or ``stop`` is set); return the exit status.

    Uses the given AK/SK, or makes up a pair (and prints the SK only then). Writes a sample
    index of exactly the served recordings to ``index_path`` (default: a temporary file).
    With TLS the certificate lives in ``cert_dir`` (default: ``emulator-tls`` in the user
    cache folder) and is reused while valid, so a trusted CA bundle stays valid across runs.
    """
    made_up = secret is None
    ak = app_id or make_app_id()
    sk = secret if secret is not None else make_secret()
    if index_path is None:
        fd, name = tempfile.mkstemp(prefix="ccfs-emulator-", suffix="_record.csv")
        os.close(fd)
        index_path = Path(name)
    try:
        catalogue = write_sample(index_path, recordings, app_id=ak, transfers=SAMPLE_TRANSFERS)
    except OSError as exc:
        print(
            f"ccfs-tui emulator: cannot write the sample index {index_path}: {exc}", file=sys.stderr
        )
        return 1
    if tls and cert_dir is None:
        cert_dir = app_paths().cache_dir / "emulator-tls"
    emulator = Emulator(
        host=host, port=port, tls=tls, credentials={ak: sk}, catalogue=catalogue, cert_dir=cert_dir
    )
    try:
        emulator.start()
    except OSError as exc:
        print(f"ccfs-tui emulator: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return 1
    try:
        _banner(emulator, ak, sk if made_up else None, index_path, len(catalogue), out)
        waiter = stop or threading.Event()
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    print("CC-FS emulator stopped.", file=out, flush=True)
    return 0


def _banner(
    emulator: Emulator,
    app_id: str,
    made_up_secret: Secret | None,
    index_path: Path,
    count: int,
    out: TextIO,
) -> None:
    q = shlex.quote
    lines = [
        f"CC-FS emulator listening on {emulator.base_url}",
        f"  app id (AK):   {app_id}",
        (
            f"  secret (SK):   {made_up_secret.reveal()}   (made up for this run)"
            if made_up_secret is not None
            else "  secret (SK):   the one you gave (not shown)"
        ),
    ]
    if emulator.ca_bundle is not None:
        lines.append(f"  CA bundle:     {emulator.ca_bundle}")
    lines += [
        f"  sample index:  {index_path}  ({count} recordings this emulator serves)",
        "",
        "Point ccfs-tui at it:",
        f"  export CCFS_BASE_URL={q(emulator.base_url)}",
        f"  export CCFS_APP_ID={q(app_id)}",
    ]
    if made_up_secret is not None:
        lines.append(f"  export CCFS_SECRET_KEY={q(made_up_secret.reveal())}")
    if emulator.ca_bundle is not None:
        lines.append(f"  export CCFS_CA_BUNDLE={q(str(emulator.ca_bundle))}")
    lines += ["", "Press Ctrl-C to stop."]
    print("\n".join(lines), file=out, flush=True)
