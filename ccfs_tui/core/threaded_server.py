"""Serving a ``socketserver`` server in a daemon thread, and stopping it: the one way the
callback receiver, the listening server and the emulator do it."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Callable

JOIN_WAIT = 5.0
"""Seconds :func:`stop_serving` waits for the serving thread to end."""


def serve_in_thread(
    server: socketserver.BaseServer, name: str, poll_interval: float
) -> threading.Thread:
    """Start ``server.serve_forever`` in a daemon thread called ``name``; that thread."""
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": poll_interval},
        name=name,
        daemon=True,
    )
    thread.start()
    return thread


def stop_serving(
    server: socketserver.BaseServer,
    thread: threading.Thread | None,
    after_close: Callable[[], None] = lambda: None,
) -> None:
    """Stop ``server`` (no new request is taken), close its socket, run ``after_close``
    (drop what is still open), then wait for its thread (:data:`JOIN_WAIT` at most)."""
    server.shutdown()
    server.server_close()
    after_close()
    if thread is not None:
        thread.join(timeout=JOIN_WAIT)
