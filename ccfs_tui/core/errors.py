"""Typed errors of the core, each with a sentence that tells the engineer what to do next.

No message here ever contains the SK or a full Authorization header: messages are built
from fixed text plus values that are safe to show, and :func:`scrub` is applied to any
text that came from elsewhere.
"""

from __future__ import annotations

import re

_AUTH_RE = re.compile(r"(auth-v2/[^/\s]*/[^/\s]*/[^/\s]*/)([0-9a-fA-F]{8,})")


def scrub(text: str, *secrets: str) -> str:
    """Remove signatures and the given secret values from ``text``."""
    text = _AUTH_RE.sub(lambda m: m.group(1) + "<signature>", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
    return text


class CcfsError(Exception):
    """Base of every error the core reports to a user.

    ``message`` says what happened, ``hint`` what to do about it.
    """

    kind = "error"

    def __init__(self, message: str, hint: str = "") -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class ConfigError(CcfsError):
    """The configuration is wrong: names the file and the key."""

    kind = "config"


class CcfsAuthError(CcfsError):
    """HTTP 401: the signature was refused."""

    kind = "auth"


class CcfsIpLockedError(CcfsAuthError):
    """HTTP 403: CC-FS locked this machine's address after too many bad signatures."""

    kind = "ip-locked"


class CcfsResendBlockedError(CcfsAuthError):
    """Not sent: the profile's signatures kept being refused (or its address was locked);
    the next signed request waits for the user's confirmation (see ``signature_guard``)."""

    kind = "resend-blocked"

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        profile: str = "",
        refused: int = 0,
        ip_locked: bool = False,
    ) -> None:
        self.profile = profile
        self.refused = refused
        self.ip_locked = ip_locked
        super().__init__(message, hint)


class CcfsTlsError(CcfsError):
    """The TLS handshake or certificate check failed."""

    kind = "tls"


class CcfsConnectError(CcfsError):
    """DNS failure, refused or dropped connection."""

    kind = "connect"


class CcfsTimeoutError(CcfsError):
    """The server did not answer in time."""

    kind = "timeout"


class CcfsServerError(CcfsError):
    """HTTP 5xx or another unexpected HTTP status."""

    kind = "server"

    def __init__(self, message: str, hint: str = "", status: int = 0) -> None:
        self.status = status
        super().__init__(message, hint)


class CcfsBadReplyError(CcfsError):
    """The reply was not the JSON (or audio) expected."""

    kind = "bad-reply"


class CcfsResultError(CcfsError):
    """The server answered with a non-zero ``resultCode``."""

    kind = "result"

    def __init__(self, message: str, hint: str = "", result_code: str = "", desc: str = "") -> None:
        self.result_code = result_code
        self.desc = desc
        super().__init__(message, hint)


class CcfsFlowControlError(CcfsResultError):
    """resultCode 0300008 / 0300009: the server's flow control; retry later."""

    kind = "flow-control"


class CcfsBadTokenError(CcfsBadReplyError):
    """requestPlayVoice sent a token that is not plain ``[A-Za-z0-9._~-]`` text."""

    kind = "bad-reply"


class CcfsTokenExpiredError(CcfsError):
    """A stored token's 30 minutes are over: it is not used (renew it)."""

    kind = "expired"


class CcfsDestinationError(CcfsError):
    """A download cannot go where it was asked to (a folder, a link, a device, a file that
    exists without ``--force``): refused before any request is sent."""

    kind = "destination"
