"""The ``ssh -L`` line that brings a port of this machine to the engineer's laptop.

Over SSH, ``$SSH_CONNECTION`` is ``CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT``: the third
field is the address the laptop connected to, the fourth its SSH port. With ``$USER`` they
make a line to paste as is; without them (not an SSH session, or values that do not look
like an address and a user name) the line has placeholders the engineer fills in.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping

PLACEHOLDER_USER = "USER"
PLACEHOLDER_HOST = "JUMP_HOST"

_USER_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")


def url_host(address: str) -> str:
    """``address`` as written in a URL or an ``ssh -L`` spec (IPv6 in brackets)."""
    return f"[{address}]" if ":" in address else address


def ssh_destination(env: Mapping[str, str] | None = None) -> tuple[str, str, int | None]:
    """``(user, host, port)`` of this SSH session: placeholders for what is not known,
    ``port`` only when it is not 22."""
    env = os.environ if env is None else env
    user = env.get("USER") or env.get("LOGNAME") or ""
    if not _USER_RE.fullmatch(user):
        user = PLACEHOLDER_USER
    host, port = PLACEHOLDER_HOST, None
    fields = env.get("SSH_CONNECTION", "").split()
    if len(fields) == 4:
        try:
            host = str(ipaddress.ip_address(fields[2]))
        except ValueError:
            host = PLACEHOLDER_HOST
        if host != PLACEHOLDER_HOST and fields[3].isdigit() and 0 < int(fields[3]) < 65536:
            port = int(fields[3]) if int(fields[3]) != 22 else None
    return user, host, port


def in_ssh_session(env: Mapping[str, str] | None = None) -> bool:
    """True when this process runs inside an SSH session (``$SSH_CONNECTION`` is set)."""
    env = os.environ if env is None else env
    return bool(env.get("SSH_CONNECTION", "").strip())


def ssh_forward_line(
    port: int, target: str = "127.0.0.1", env: Mapping[str, str] | None = None
) -> str:
    """``ssh -L PORT:TARGET:PORT USER@HOST``: run on the laptop, then open the URL there."""
    user, host, ssh_port = ssh_destination(env)
    options = f"-p {ssh_port} " if ssh_port else ""
    return f"ssh {options}-L {port}:{url_host(target)}:{port} {user}@{host}"
