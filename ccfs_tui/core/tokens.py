"""Playback tokens: their 30-minute lifetime, and a store that survives restarts."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ccfs_tui.core.atomic import atomic_write_text
from ccfs_tui.core.clock import Clock, utc_now

TOKEN_LIFETIME = timedelta(minutes=30)
"""requestPlayVoice tokens are valid for 30 minutes (reference section 3)."""

WARN_BELOW = timedelta(minutes=5)
ALARM_BELOW = timedelta(minutes=1)


def mask_token(token: str) -> str:
    """``DC45…6F90``: the first and last four characters only."""
    if len(token) <= 8:
        return "…" if token else ""
    return f"{token[:4]}…{token[-4:]}"


def token_fingerprint(token: str) -> str:
    """A stable, non-reversible id of a token for logs: 12 hex chars of its SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


def format_remaining(remaining: timedelta) -> str:
    """``MM:SS`` (whole seconds, rounded up so 29:59.5 shows 30:00 -> never early)."""
    seconds = max(0, int(-(-remaining.total_seconds() // 1)))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes:02d}:{seconds:02d}"


@dataclass(frozen=True, slots=True)
class Token:
    """One playback token. Lifetime comes from the absolute expiry, never from a counter."""

    token: str
    file_name: str
    issued_at: datetime
    expires_at: datetime
    profile: str = "default"
    base_url: str = ""

    @classmethod
    def issued(
        cls, token: str, file_name: str, now: datetime, profile: str = "default", base_url: str = ""
    ) -> Token:
        """A token issued at ``now``, expiring ``TOKEN_LIFETIME`` later."""
        return cls(token, file_name, now, now + TOKEN_LIFETIME, profile, base_url)

    def remaining(self, now: datetime) -> timedelta:
        """Time left, never negative."""
        return max(self.expires_at - now, timedelta(0))

    def is_expired(self, now: datetime) -> bool:
        """True once the expiry has passed."""
        return now >= self.expires_at

    @property
    def masked(self) -> str:
        """The token for display."""
        return mask_token(self.token)

    @property
    def fingerprint(self) -> str:
        """The token for logs."""
        return token_fingerprint(self.token)

    def __repr__(self) -> str:
        return (
            f"Token({self.masked!r}, file_name={self.file_name!r}, "
            f"expires_at={self.expires_at.isoformat()!r}, profile={self.profile!r})"
        )

    def to_json(self) -> dict[str, str]:
        """A JSON-safe dict (times in ISO 8601 with offset)."""
        data = asdict(self)
        data["issued_at"] = self.issued_at.isoformat()
        data["expires_at"] = self.expires_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Token:
        """Inverse of :meth:`to_json`. Raises ``KeyError``/``ValueError`` on bad data."""
        return cls(
            token=str(data["token"]),
            file_name=str(data["file_name"]),
            issued_at=datetime.fromisoformat(data["issued_at"]),
            expires_at=datetime.fromisoformat(data["expires_at"]),
            profile=str(data.get("profile", "default")),
            base_url=str(data.get("base_url", "")),
        )


class TokenStore:
    """Tokens of this user, nearest expiry first.

    Persisted (when ``path`` is given) as JSON, mode 0600, written atomically; expired
    tokens are kept in memory for the session (so the UI can say "expired") but are
    never written back. A corrupt or unreadable file is ignored, not fatal.
    """

    def __init__(self, path: Path | None = None, clock: Clock = utc_now) -> None:
        self.path = path
        self._clock = clock
        self._tokens: list[Token] = []
        self.load_error: str | None = None

    def load(self) -> None:
        """Read live tokens from disk, dropping expired ones."""
        self._tokens = []
        if self.path is None or not self.path.exists():
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            tokens = [Token.from_json(item) for item in raw.get("tokens", [])]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            self.load_error = f"{self.path}: ignored, could not read it ({type(exc).__name__})"
            return
        now = self._clock()
        self._tokens = [token for token in tokens if not token.is_expired(now)]
        self._sort()

    def save(self) -> None:
        """Write the live tokens (no-op without a path)."""
        if self.path is None:
            return
        now = self._clock()
        live = [token.to_json() for token in self._tokens if not token.is_expired(now)]
        atomic_write_text(self.path, json.dumps({"version": 1, "tokens": live}, indent=1))

    def add(self, token: Token) -> None:
        """Keep ``token``, replacing an older one for the same file and profile; persist."""
        self._tokens = [
            t
            for t in self._tokens
            if not (t.file_name == token.file_name and t.profile == token.profile)
        ]
        self._tokens.append(token)
        self._sort()
        self.save()

    def remove(self, token: Token) -> None:
        """Forget ``token``; persist."""
        with contextlib.suppress(ValueError):
            self._tokens.remove(token)
        self.save()

    def all(self) -> list[Token]:
        """Every token known this session, expired ones included, nearest expiry first."""
        return list(self._tokens)

    def live(self) -> list[Token]:
        """Unexpired tokens, nearest expiry first."""
        now = self._clock()
        return [token for token in self._tokens if not token.is_expired(now)]

    def latest_for(self, file_name: str, profile: str | None = None) -> Token | None:
        """The token of ``file_name`` (any slash form), expired or not, if any."""
        wanted = file_name.replace("\\", "/")
        for token in reversed(self._tokens):
            if token.file_name == wanted and (profile is None or token.profile == profile):
                return token
        return None

    def purge_expired(self) -> int:
        """Drop expired tokens from memory; return how many went."""
        now = self._clock()
        before = len(self._tokens)
        self._tokens = [token for token in self._tokens if not token.is_expired(now)]
        return before - len(self._tokens)

    def _sort(self) -> None:
        self._tokens.sort(key=lambda token: token.expires_at)
