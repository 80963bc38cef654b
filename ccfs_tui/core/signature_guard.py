"""Stop a key that keeps failing before CC-FS locks the address (reference section 8).

CC-FS answers HTTP 403 ("The IP address is locked") after too many bad signatures within a
period, and a jump host's address is shared by the whole team. So, per profile: after
:data:`REFUSALS_BEFORE_HOLD` refusals in a row (HTTP 401), or at once after a 403, every
further signed request is refused *before it is sent* with
:class:`~ccfs_tui.core.errors.CcfsResendBlockedError`, until the user confirms one more
attempt (``--confirm-resend`` in the CLI, a Yes in the TUI's dialog). A signature the
server accepts, or a change of the profile's AK or SK, ends the hold.

The state lives in the state folder (``signature-guard.json``, mode 0600, written
atomically under a lock), so every ccfs-tui process, and the next start, sees it. It holds
per profile the app id, the count, and a fingerprint of the AK and SK (16 hex characters
of a SHA-256), never the SK.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ccfs_tui.core.atomic import atomic_write_text, file_lock
from ccfs_tui.core.clock import Clock, utc_now
from ccfs_tui.core.errors import CcfsResendBlockedError
from ccfs_tui.core.secret import Secret

REFUSALS_BEFORE_HOLD = 2
"""Refused signatures in a row after which nothing more is sent without a confirmation."""


def credential_fingerprint(app_id: str, secret: Secret) -> str:
    """16 hex characters identifying an AK/SK pair; the SK cannot be read back from it."""
    digest = hashlib.sha256(b"ccfs-tui signature guard v1\0")
    digest.update(app_id.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(secret.reveal().encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class GuardState:
    """What the guard knows about one profile."""

    app_id: str
    credential: str
    refused: int = 0
    ip_locked: bool = False
    confirmed: bool = False
    since: str = ""

    @property
    def holding(self) -> bool:
        """True when the next signed request waits for a confirmation."""
        return (self.ip_locked or self.refused >= REFUSALS_BEFORE_HOLD) and not self.confirmed


class SignatureGuard:
    """The per-profile hold on signed requests, shared by every process of this user."""

    def __init__(self, path: Path, clock: Clock = utc_now) -> None:
        self.path = path
        self._clock = clock

    # ---- reading ----------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        profiles = data.get("profiles") if isinstance(data, dict) else None
        return profiles if isinstance(profiles, dict) else {}

    def state(self, profile: str, app_id: str, secret: Secret) -> GuardState | None:
        """The profile's state, or None when it has none for this AK/SK (a new key starts
        clean)."""
        entry = self._read().get(profile)
        if not isinstance(entry, dict):
            return None
        try:
            state = GuardState(
                app_id=str(entry.get("app_id", "")),
                credential=str(entry["credential"]),
                refused=int(entry.get("refused", 0)),
                ip_locked=bool(entry.get("ip_locked", False)),
                confirmed=bool(entry.get("confirmed", False)),
                since=str(entry.get("since", "")),
            )
        except (KeyError, TypeError, ValueError):
            return None
        if state.credential != credential_fingerprint(app_id, secret):
            return None
        return state

    def check(self, profile: str, app_id: str, secret: Secret) -> None:
        """Raise :class:`CcfsResendBlockedError` when ``profile`` is on hold."""
        state = self.state(profile, app_id, secret)
        if state is None or not state.holding:
            return
        if state.ip_locked:
            what = (
                "CC-FS locked this machine's address after bad signatures "
                f"(HTTP 403) on profile {profile!r} (app id {app_id!r})"
            )
        else:
            what = (
                f"CC-FS refused the signature of profile {profile!r} (app id {app_id!r}) "
                f"{state.refused} times in a row"
            )
        raise CcfsResendBlockedError(
            f"Not sent: {what}; another bad signature can get this machine's address locked "
            "for everyone who shares it.",
            "Fix the AK/SK (or this machine's clock) first: a new AK/SK ends the hold. To "
            "send once more anyway, confirm it (ccfs-tui ... --confirm-resend; in the TUI, "
            "answer Yes).",
            profile=profile,
            refused=state.refused,
            ip_locked=state.ip_locked,
        )

    # ---- writing ----------------------------------------------------------------------

    def _update(self, profile: str, change: Any) -> GuardState | None:
        """Apply ``change(entry or None) -> entry or None`` under the lock; never raises."""
        result: GuardState | None = None
        with contextlib.suppress(OSError), file_lock(self.path):
            profiles = self._read()
            entry = change(profiles.get(profile))
            if entry is None:
                if profile not in profiles:
                    return None
                profiles.pop(profile)
            else:
                profiles[profile] = entry
                result = GuardState(**entry)
            data = {"version": 1, "profiles": profiles}
            atomic_write_text(self.path, json.dumps(data, indent=1, sort_keys=True))
        return result

    def _fresh(self, entry: Any, app_id: str, credential: str) -> dict[str, Any]:
        if isinstance(entry, dict) and entry.get("credential") == credential:
            with contextlib.suppress(TypeError, ValueError):
                return {
                    "app_id": app_id,
                    "credential": credential,
                    "refused": int(entry.get("refused", 0)),
                    "ip_locked": bool(entry.get("ip_locked", False)),
                    "confirmed": bool(entry.get("confirmed", False)),
                    "since": str(entry.get("since", "")),
                }
        since = self._clock().strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"app_id": app_id, "credential": credential, "refused": 0, "ip_locked": False,
                "confirmed": False, "since": since}  # fmt: skip

    def refused(
        self, profile: str, app_id: str, secret: Secret, *, ip_locked: bool = False
    ) -> GuardState | None:
        """Count one refused signature (``ip_locked``: the server answered 403)."""
        credential = credential_fingerprint(app_id, secret)

        def change(entry: Any) -> dict[str, Any]:
            fresh = self._fresh(entry, app_id, credential)
            fresh["refused"] += 1
            fresh["ip_locked"] = fresh["ip_locked"] or ip_locked
            fresh["confirmed"] = False  # a confirmation is good for one attempt
            return fresh

        return self._update(profile, change)

    def accepted(self, profile: str, app_id: str, secret: Secret) -> None:
        """The server accepted a signature of this AK/SK: the hold (if any) ends."""
        if self._read().get(profile) is None:
            return  # the usual case: nothing to write
        self._update(profile, lambda _entry: None)

    def confirm(self, profile: str, app_id: str, secret: Secret) -> None:
        """Allow one more signed request on ``profile`` (the user said so)."""
        credential = credential_fingerprint(app_id, secret)

        def change(entry: Any) -> dict[str, Any] | None:
            if not isinstance(entry, dict) or entry.get("credential") != credential:
                return None  # nothing held for this key
            fresh = self._fresh(entry, app_id, credential)
            fresh["confirmed"] = True
            return fresh

        self._update(profile, change)


def default_guard(clock: Clock = utc_now) -> SignatureGuard:
    """The guard of this user (state folder, resolved now)."""
    from ccfs_tui.core.paths import app_paths

    return SignatureGuard(app_paths().signature_guard, clock)
