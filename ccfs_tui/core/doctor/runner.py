"""Run every doctor check in order, each line as soon as it is known."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace

from ccfs_tui.core.audit import AuditLog
from ccfs_tui.core.child_env import secret_variables
from ccfs_tui.core.clock import Clock, utc_now
from ccfs_tui.core.config import Profile
from ccfs_tui.core.doctor.network import (
    check_clock,
    check_dns,
    check_tcp,
    check_tls,
    target_of,
)
from ccfs_tui.core.doctor.ports import port_checks
from ccfs_tui.core.doctor.result import CheckResult, Status, skip
from ccfs_tui.core.doctor.setup_checks import check_config, check_profile, check_secret
from ccfs_tui.core.doctor.signed import NAME as SIGNATURE
from ccfs_tui.core.doctor.signed import check_signature
from ccfs_tui.core.doctor.terminal import TmuxOption, terminal_checks, tmux_option
from ccfs_tui.core.errors import scrub
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signature_guard import SignatureGuard

NETWORK_TIMEOUT = 5.0
"""The longest any one network step waits (less when the profile's connect_timeout is)."""


def run_doctor(
    profile_name: str | None = None,
    *,
    insecure: bool = False,
    env: Mapping[str, str] | None = None,
    clock: Clock = utc_now,
    prompt: Callable[[str], str] | None = None,
    audit: AuditLog | None = None,
    guard: SignatureGuard | None = None,
    tmux: TmuxOption = tmux_option,
) -> Iterator[CheckResult]:
    """Every check's result, in order: config file, profile, SK, DNS, TCP, TLS, clock, the
    signed request, terminal, ports. A check that needs an earlier one that failed is
    skipped (``SKIP``, saying why). At most one signed request is sent, and none when the
    clock is far off or the profile is held by the signature guard. Texts are scrubbed of
    the SK (and of every SK variable's value) before they are yielded.

    Runs the signed request with ``asyncio.run``: call it outside an event loop (or in a
    thread).
    """
    env = os.environ if env is None else env
    secrets = {env[var] for var in secret_variables() if env.get(var)}

    def clean(result: CheckResult) -> CheckResult:
        values = sorted(secrets, key=len, reverse=True)
        return replace(result, text=scrub(result.text, *values), fix=scrub(result.fix, *values))

    result, config = check_config(env)
    yield clean(result)
    profile: Profile | None = None
    if config is None:
        yield skip("profile", "not read: the config file failed")
    else:
        result, profile = check_profile(config, profile_name, env, insecure)
        yield clean(result)
    if profile is not None:
        if env.get(profile.secret_env):
            secrets.add(env[profile.secret_env])
        result, secret = check_secret(profile, config, env, prompt)
        if secret is not None:
            secrets.add(secret.reveal())
        yield clean(result)
        for result in _network(profile, secret, clock, audit, guard):
            yield clean(result)
    for result in terminal_checks(env, tmux):
        yield clean(result)
    if profile is not None:
        for result in port_checks(profile):
            yield clean(result)


def _network(
    profile: Profile,
    secret: Secret | None,
    clock: Clock,
    audit: AuditLog | None,
    guard: SignatureGuard | None,
) -> Iterator[CheckResult]:
    timeout = min(profile.connect_timeout, NETWORK_TIMEOUT)
    target = target_of(profile)
    later = ["TCP", "TLS", "clock", SIGNATURE]

    def skip_rest(reason: str) -> Iterator[CheckResult]:
        for name in later:
            yield skip(name, f"not {'sent' if name == SIGNATURE else 'checked'}: {reason}")

    dns, addresses = check_dns(target, timeout)
    yield dns
    if dns.failed:
        yield from skip_rest("the host name does not resolve")
        return
    later.remove("TCP")
    tcp, address = check_tcp(target, addresses, timeout)
    yield tcp
    if address is None:
        yield from skip_rest("nothing answers at base_url (see TCP)")
        return
    later.remove("TLS")
    tls = check_tls(profile, target, address, timeout)
    yield tls
    if tls.failed:
        yield from skip_rest("TLS fails (see TLS)")
        return
    later.remove("clock")
    clock_line = check_clock(profile, clock, timeout)
    yield clock_line
    if clock_line.failed:
        reason = (
            "fix the clock first (a refused signature brings the address lock nearer)"
            if clock_line.text.startswith("the server's clock")
            else "base_url gives no HTTP answer (see clock)"
        )
        yield skip(SIGNATURE, f"not sent: {reason}")
        return
    if secret is None:
        yield skip(SIGNATURE, "not sent: no SK (see SK)")
        return
    yield asyncio.run(check_signature(profile, secret, clock=clock, audit=audit, guard=guard))


def failed(results: list[CheckResult]) -> list[CheckResult]:
    """The results that make the doctor exit 1."""
    return [result for result in results if result.status is Status.FAIL]
