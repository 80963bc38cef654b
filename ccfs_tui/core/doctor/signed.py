"""The doctor's one signed request: tells a refused signature from a wrong URL or a dead port.

It is a ``requestPlayVoice`` for a file name that cannot exist (today's date folder, a
random name): any resultCode in the reply means CC-FS accepted the signature; HTTP 401
means it refused it; a connection error or a 404 means base_url is wrong. Exactly one
request, never retried (flow control included), and none at all while the profile is held
by the signature guard (a refused signature brings the address lock nearer).
"""

from __future__ import annotations

import secrets
from typing import Literal

from ccfs_tui.core.audit import AuditLog
from ccfs_tui.core.client import CcfsClient
from ccfs_tui.core.clock import Clock
from ccfs_tui.core.config import Profile
from ccfs_tui.core.doctor.result import CheckResult, fail, ok
from ccfs_tui.core.errors import (
    CcfsAuthError,
    CcfsBadReplyError,
    CcfsConnectError,
    CcfsError,
    CcfsIpLockedError,
    CcfsResendBlockedError,
    CcfsResultError,
    CcfsServerError,
    CcfsTimeoutError,
    CcfsTlsError,
)
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signature_guard import SignatureGuard

NAME = "signature"


def probe_file_name(clock: Clock) -> str:
    """An ``original_file_name`` no recording has: today's date folder, a random name."""
    return f"Y:/0/{clock():%Y%m%d}/0/ccfs-tui-doctor-{secrets.token_hex(6)}.V3"


async def check_signature(
    profile: Profile,
    secret: Secret,
    *,
    clock: Clock,
    audit: AuditLog | None = None,
    guard: SignatureGuard | None = None,
) -> CheckResult:
    """Send the one signed request and say what its answer means."""
    once = profile.with_overrides(flow_control_retries=0)  # one request, whatever the answer
    held_by: SignatureGuard | Literal["user"] = "user" if guard is None else guard
    async with CcfsClient(once, secret, clock=clock, audit=audit, guard=held_by) as client:
        try:
            await client.request_play_token(probe_file_name(clock))
        except CcfsError as exc:
            return explain(profile, exc)
    return ok(NAME, "accepted (CC-FS even gave a token for a name that should not exist)")


def explain(profile: Profile, exc: CcfsError) -> CheckResult:
    """The doctor's line for what the signed request ran into."""
    if isinstance(exc, CcfsResendBlockedError):
        return fail(
            NAME,
            "not sent: " + exc.message.removeprefix("Not sent: "),
            "Fix the AK/SK or the clock first (see the lines above); then send one request "
            "with --confirm-resend (e.g. ccfs-tui token FILE --confirm-resend).",
        )
    if isinstance(exc, CcfsIpLockedError):
        return fail(NAME, "CC-FS has locked this machine's address (HTTP 403).", exc.hint)
    if isinstance(exc, CcfsAuthError):
        return fail(
            NAME,
            f"refused (HTTP 401) for app id {profile.app_id!r}.",
            f"The usual causes: a wrong AK or SK in profile {profile.name!r}, or a clock "
            "skew (see the clock line). If this CC-FS signs only the host header, set "
            'signed_headers = ["host"].',
        )
    if isinstance(exc, CcfsResultError):  # any resultCode: the signature got through
        return ok(NAME, f"accepted (resultCode {exc.result_code} for a name that does not exist)")
    if isinstance(exc, CcfsServerError) and exc.status == 404:
        return fail(
            NAME,
            f"{profile.base_url} answered HTTP 404: no CC-FS interface there (wrong URL).",
            "base_url must be the CC-FS address only (https://HOST:PORT), without a path.",
        )
    if isinstance(exc, CcfsConnectError | CcfsTimeoutError | CcfsTlsError):
        return fail(NAME, f"no answer (wrong URL or a dead port): {exc.message}", exc.hint)
    if isinstance(exc, CcfsBadReplyError):
        return fail(NAME, f"the reply is not a CC-FS one: {exc.message}", exc.hint)
    return fail(NAME, exc.message, exc.hint)
