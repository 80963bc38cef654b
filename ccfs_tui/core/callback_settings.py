"""The callback receiver's settings as the config reads them (no httpx: the config is read
before the first frame, the receiver only when ``ccfs-tui fetch`` or the fetch screen runs)."""

from __future__ import annotations

import re

from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.sanitize import visible

DEFAULT_REPLY = '{"resultCode":"0","resultDesc":"success"}'
"""The body of the 200 answer to a verified callback (configurable: ``callback_reply``)."""


def parse_listen(text: str, where: str = "callback_listen") -> tuple[str, int]:
    """``HOST:PORT`` (``[v6]:PORT``; an empty host is every IPv4 address) -> (host, port).

    Raises :class:`ConfigError` naming ``where``."""
    value = text.strip()
    match = re.fullmatch(
        r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[^\s:\[\]]*)):(?P<port>\d{1,5})", value
    )
    if match is None or int(match["port"]) > 65535:
        raise ConfigError(
            f"{where}: {visible(value, 80)!r} is not HOST:PORT.",
            "Write e.g. 0.0.0.0:8089 (every address), 10.1.2.3:8089 or [::]:8089.",
        )
    host = match["v6"] or match["host"] or "0.0.0.0"
    return host, int(match["port"])
