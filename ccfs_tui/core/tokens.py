"""Playback tokens: their 30-minute lifetime, and a store that survives restarts."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ccfs_tui.core.atomic import atomic_write_text, file_lock
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
    def from_json(cls, data: object) -> Token:
        """Inverse of :meth:`to_json`. Raises ``ValueError`` on anything else: a field
        missing or of the wrong type, a time that is not ISO 8601 or has no UTC offset."""
        if not isinstance(data, dict):
            raise ValueError("a token entry is not an object")
        fields: dict[str, str] = {}
        for key in ("token", "file_name", "issued_at", "expires_at", "profile", "base_url"):
            value = data.get(key, {"profile": "default", "base_url": ""}.get(key))
            if not isinstance(value, str):
                raise ValueError(f"{key} is missing or not text")
            fields[key] = value
        if not fields["token"] or not fields["file_name"]:
            raise ValueError("empty token or file_name")
        times = {}
        for key in ("issued_at", "expires_at"):
            moment = datetime.fromisoformat(fields[key])
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise ValueError(f"{key} has no UTC offset")
            times[key] = moment
        return cls(
            token=fields["token"],
            file_name=fields["file_name"],
            issued_at=times["issued_at"],
            expires_at=times["expires_at"],
            profile=fields["profile"],
            base_url=fields["base_url"],
        )


MAX_STORE_BYTES = 64 * 1024 * 1024
"""A token store larger than this is not read (it cannot be one ccfs-tui wrote)."""


def _key(token: Token) -> tuple[str, str]:
    return (token.file_name, token.profile)


class TokenStore:
    """Tokens of this user, nearest expiry first.

    Persisted (when ``path`` is given) as JSON, mode 0600, written atomically; expired
    tokens are kept in memory for the session (so the UI can say "expired") but are
    never written back. Several processes share the file (a TUI and CLIs at once): every
    change is a read-modify-write under an exclusive lock (:func:`~ccfs_tui.core.atomic.file_lock`)
    that applies only this store's own additions and explicit removals to what the file
    holds now, so no process ever drops a token another one saved. A corrupt file, or a
    bad entry in it, is skipped with one warning (:attr:`load_error`), never fatal.
    """

    def __init__(self, path: Path | None = None, clock: Clock = utc_now) -> None:
        self.path = path
        self._clock = clock
        self._tokens: list[Token] = []
        self._pending: dict[tuple[str, str], Token] = {}
        """Added here, not yet written (no path yet, or the write failed)."""
        self._removed: list[Token] = []
        """Removed here, not yet removed from the file."""
        self.load_error: str | None = None

    def _read(self) -> tuple[list[Token], str | None]:
        """Every readable token of the file (expired ones too) and a warning, if any."""
        if self.path is None:
            return [], None
        try:
            with self.path.open("rb") as handle:
                raw_bytes = handle.read(MAX_STORE_BYTES + 1)
        except FileNotFoundError:
            return [], None
        except OSError as exc:
            return [], f"{self.path}: ignored, could not read it ({exc.strerror or exc})."
        if len(raw_bytes) > MAX_STORE_BYTES:
            return [], f"{self.path}: ignored, it is larger than {MAX_STORE_BYTES >> 20} MB."
        try:
            raw = json.loads(raw_bytes.decode("utf-8"))
        except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
            return [], f"{self.path}: ignored, could not read it ({type(exc).__name__})."
        entries = raw.get("tokens") if isinstance(raw, dict) else None
        if not isinstance(entries, list):
            return [], f"{self.path}: ignored, it holds no token list."
        tokens: list[Token] = []
        bad = 0
        for item in entries:
            try:
                tokens.append(Token.from_json(item))
            except (ValueError, TypeError, OverflowError):
                bad += 1
        warning = None
        if bad:
            warning = (
                f"{self.path}: skipped {bad} unreadable token entr{'y' if bad == 1 else 'ies'} "
                "(request those recordings' tokens again)."
            )
        return tokens, warning

    def load(self) -> None:
        """Read live tokens from disk, dropping expired ones (and bad entries, with a
        warning in :attr:`load_error`)."""
        self._tokens = []
        self._pending.clear()
        self._removed.clear()
        tokens, self.load_error = self._read()
        now = self._clock()
        self._tokens = [token for token in tokens if not token.is_expired(now)]
        self._sort()

    def save(self) -> None:
        """Write this store's pending changes into the file, and drop expired tokens from
        it (no-op without a path). Tokens other processes saved are kept, and now known here."""
        if self.path is None:
            return
        with file_lock(self.path):
            disk, _warning = self._read()
            for gone in self._removed:
                disk = [t for t in disk if not (t.token == gone.token and _key(t) == _key(gone))]
            for new in self._pending.values():
                same = [t for t in disk if _key(t) == _key(new)]
                if any(t.issued_at > new.issued_at for t in same):
                    continue  # another process renewed it since: keep the newer one
                disk = [t for t in disk if _key(t) != _key(new)] + [new]
            now = self._clock()
            live = [token for token in disk if not token.is_expired(now)]
            live.sort(key=lambda token: token.expires_at)
            data = {"version": 1, "tokens": [token.to_json() for token in live]}
            atomic_write_text(self.path, json.dumps(data, indent=1))
        self._pending.clear()
        self._removed.clear()
        keys = {_key(token) for token in live}
        expired_here = [t for t in self._tokens if t.is_expired(now) and _key(t) not in keys]
        self._tokens = live + expired_here
        self._sort()

    def add(self, token: Token) -> None:
        """Keep ``token``, replacing an older one for the same file and profile; persist.

        In memory first: if the write fails (``OSError``), the token is still kept for the
        session and written with the next change."""
        self._tokens = [t for t in self._tokens if _key(t) != _key(token)]
        self._tokens.append(token)
        self._sort()
        self._pending[_key(token)] = token
        self.save()

    def remove(self, token: Token) -> None:
        """Forget ``token`` (here and in the file); persist."""
        with contextlib.suppress(ValueError):
            self._tokens.remove(token)
        if self._pending.get(_key(token)) == token:
            del self._pending[_key(token)]
        self._removed.append(token)
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

    def _sort(self) -> None:
        self._tokens.sort(key=lambda token: token.expires_at)
