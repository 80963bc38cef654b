"""The play tokens an emulator granted: 32 upper-case hex characters, each for one recording."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from ccfs_tui.core.tokens import TOKEN_LIFETIME
from ccfs_tui.emulator import codes
from ccfs_tui.emulator.catalogue import CatalogueEntry
from ccfs_tui.emulator.codes import ApiError


@dataclass(frozen=True, slots=True)
class Grant:
    """What one play token gives access to."""

    entry: CatalogueEntry
    app_id: str
    issued: datetime


class Grants:
    """Tokens granted by requestPlayVoice, valid ``lifetime`` on the server's clock.

    The lifetime is the product's (:data:`ccfs_tui.core.tokens.TOKEN_LIFETIME`, 30 minutes)
    unless a test passes another.
    """

    def __init__(self, lifetime: timedelta = TOKEN_LIFETIME) -> None:
        self.lifetime = lifetime
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()
        self._issued = 0

    def issue(self, entry: CatalogueEntry, app_id: str, now: datetime) -> str:
        """A new token for ``entry`` requested by ``app_id``."""
        token = secrets.token_hex(16).upper()
        with self._lock:
            self._grants[token] = Grant(entry, app_id, now)
            self._issued += 1
            if self._issued % 4096 == 0:
                # Forget long-dead tokens; recently expired ones still answer "expired".
                horizon = now - 2 * self.lifetime
                for key in [k for k, g in self._grants.items() if g.issued < horizon]:
                    del self._grants[key]
        return token

    def restore(self, token: str, entry: CatalogueEntry, app_id: str, issued: datetime) -> None:
        """Know ``token`` again, as granted at ``issued`` (an emulator restarted for the
        demo grants the live tokens of its last run anew: they keep working)."""
        with self._lock:
            self._grants[token] = Grant(entry, app_id, issued)

    def check(self, token: str, now: datetime) -> Grant:
        """The grant of a live token; raises :class:`ApiError` if unknown or expired."""
        grant = self._grants.get(token)
        if grant is None:
            raise ApiError(codes.TOKEN_UNKNOWN)
        if now - grant.issued >= self.lifetime:
            raise ApiError(codes.TOKEN_EXPIRED)
        return grant

    def __len__(self) -> int:
        return len(self._grants)
