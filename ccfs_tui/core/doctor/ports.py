"""The doctor's port checks: the profile's callback / listen ports can be bound.

Only the ports a profile sets are checked: ``callback_listen`` (``"HOST:PORT"``, where
CC-FS's index callback arrives) and ``listen_port`` on ``listen_bind`` (``ccfs-tui
listen``; 0, a free port, needs no check). A profile without them gets no line.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator

from ccfs_tui.core.config import Profile
from ccfs_tui.core.doctor.result import CheckResult, fail, ok
from ccfs_tui.core.sanitize import error_text, visible


def listen_address(value: object) -> tuple[str, int] | None:
    """``(host, port)`` from ``"HOST:PORT"``, ``":PORT"``, ``PORT`` or ``(HOST, PORT)``;
    None when there is nothing to check (unset, 0) or it cannot be read."""
    host: object = ""
    port: object = value
    if isinstance(value, tuple) and len(value) == 2:
        host, port = value
    elif isinstance(value, str):
        host, _, port = value.rpartition(":") if ":" in value else ("", "", value)
    try:
        number = int(str(port).strip())
    except ValueError:
        return None
    if not 0 < number < 65536:
        return None
    return str(host).strip("[]"), number


def check_port(name: str, host: str, port: int) -> CheckResult:
    """Bind ``host:port`` (and let it go at once)."""
    shown = f"{host or '*'}:{port}"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as exc:
        reason = error_text(exc.strerror or type(exc).__name__)
        if exc.errno == errno.EADDRINUSE:
            return fail(
                name,
                f"cannot listen on {visible(shown)}: another program uses it.",
                f"Stop it (ss -ltnp 'sport = :{port}' names it) or choose another port.",
            )
        if exc.errno == errno.EACCES:
            return fail(
                name,
                f"cannot listen on {visible(shown)}: {reason}.",
                "Ports below 1024 need root: choose a port from 1024 up.",
            )
        return fail(
            name,
            f"cannot listen on {visible(shown)}: {reason}.",
            "Use an address of this machine (or 0.0.0.0) and a free port.",
        )
    return ok(name, f"{visible(shown)} is free to listen on")


def port_checks(profile: Profile) -> Iterator[CheckResult]:
    """A line per listening port the profile sets."""
    callback = listen_address(profile.callback_listen)
    if callback is not None:
        yield check_port("callback port", *callback)
    listen = listen_address((profile.listen_bind, profile.listen_port))
    if listen is not None:
        yield check_port("listen port", *listen)
