"""The doctor's network checks, each on its own: DNS, TCP, TLS, and the server's clock.

Short timeouts, standard library sockets for DNS and TCP, and for TLS the very SSL context
the client would use (``verify``, ``ca_bundle``). The clock check reads the ``Date``
header of one plain, unsigned ``HEAD /``: nothing here is signed.
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from ccfs_tui import __version__
from ccfs_tui.core.client import _verify_setting  # the client's own TLS setting, shared
from ccfs_tui.core.clock import Clock
from ccfs_tui.core.config import Profile
from ccfs_tui.core.doctor.result import CheckResult, fail, ok, skip, warn
from ccfs_tui.core.errors import CcfsTlsError
from ccfs_tui.core.sanitize import error_text

Address = tuple[int, Any]
"""An address family and a socket address, as ``getaddrinfo`` gives them."""

CLOCK_OK = timedelta(seconds=60)
"""A skew up to this is fine (the ``Date`` header has whole seconds, the request takes time)."""
CLOCK_FAIL = timedelta(minutes=15)
"""A skew beyond this fails; between the two it is a warning (CC-FS's tolerance is not
documented: 15 minutes is the common one for signatures of this kind)."""
CERT_WARN_DAYS = 14
"""A certificate that expires within this many days is a warning."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where base_url points."""

    scheme: str
    host: str
    port: int

    @property
    def where(self) -> str:
        """``host:port`` as a person writes it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def target_of(profile: Profile) -> Target:
    """The scheme, host and port of the profile's base_url (default ports filled in)."""
    parts = urlsplit(profile.base_url)
    default = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname or "", parts.port or default)


def _resolve(host: str, port: int, timeout: float) -> list[Address]:
    """``getaddrinfo`` within ``timeout`` (it has no timeout of its own)."""
    found: list[Address] = []
    error: list[BaseException] = []

    def work() -> None:
        try:
            for family, _type, _proto, _name, sockaddr in socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            ):
                found.append((family, sockaddr))
        except (OSError, UnicodeError) as exc:
            error.append(exc)

    thread = threading.Thread(target=work, name="ccfs-doctor-dns", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError
    if error:
        raise error[0]
    return found


def check_dns(target: Target, timeout: float) -> tuple[CheckResult, list[Address]]:
    """The host name resolves (an IP address needs no DNS)."""
    try:
        ip = ipaddress.ip_address(target.host)
    except ValueError:
        ip = None
    if ip is not None:
        family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        sockaddr: Any = (target.host, target.port, 0, 0) if ip.version == 6 else (
            target.host, target.port)  # fmt: skip
        return ok("DNS", f"not needed: {target.host} is an IP address"), [(family, sockaddr)]
    try:
        addresses = _resolve(target.host, target.port, timeout)
    except TimeoutError:
        return fail(
            "DNS",
            f"no answer for {target.host} within {timeout:g} s.",
            "Check the DNS servers this machine uses (VPN?), or put the CC-FS IP address in "
            "base_url.",
        ), []
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        return fail(
            "DNS",
            f"cannot resolve {target.host} ({error_text(str(reason))}).",
            "Check the host name in base_url, or use the CC-FS IP address.",
        ), []
    if not addresses:
        return fail("DNS", f"{target.host} has no address.", "Check base_url's host name."), []
    shown = ", ".join(dict.fromkeys(str(sockaddr[0]) for _family, sockaddr in addresses))
    return ok("DNS", f"{target.host} is {shown}"), addresses


def _connect(address: Address, timeout: float) -> socket.socket:
    family, sockaddr = address
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


def check_tcp(
    target: Target, addresses: list[Address], timeout: float
) -> tuple[CheckResult, Address | None]:
    """Something accepts a connection on base_url's port (the first address that does)."""
    problems: list[str] = []
    for address in addresses[:3]:
        try:
            _connect(address, timeout).close()
        except ConnectionRefusedError:
            problems.append("refused")
        except TimeoutError:
            problems.append(f"no answer within {timeout:g} s")
        except OSError as exc:
            problems.append(error_text(exc.strerror or type(exc).__name__))
        else:
            return ok("TCP", f"port {target.port} of {address[1][0]} accepts connections"), address
    if problems and all(p == "refused" for p in problems):
        return fail(
            "TCP",
            f"{target.where} refused the connection: nothing listens on port {target.port}.",
            "Check the port in base_url and that the CC-FS (or its load balancer) is running.",
        ), None
    if problems and problems[0].startswith("no answer"):
        return fail(
            "TCP",
            f"{target.where}: {problems[0]} (a firewall drops it, or the host is down).",
            "Check that this machine may reach it (VPN, firewall, jump host) and the port.",
        ), None
    return fail(
        "TCP",
        f"cannot connect to {target.where}: {problems[0] if problems else 'no address'}.",
        "Check base_url and the network path to the CC-FS (VPN, routes).",
    ), None


def ssl_context(profile: Profile) -> ssl.SSLContext:
    """The SSL context the client uses for ``profile`` (raises ``CcfsTlsError``)."""
    return httpx.create_ssl_context(verify=_verify_setting(profile), trust_env=False)


def check_tls(profile: Profile, target: Target, address: Address, timeout: float) -> CheckResult:
    """The TLS handshake with the profile's CA setting; the certificate's expiry."""
    if target.scheme != "https":
        return warn(
            "TLS",
            "none: base_url is http://, so requests, tokens and audio travel unencrypted.",
            "Use https:// if the CC-FS offers it.",
        )
    try:
        context = ssl_context(profile)
    except CcfsTlsError as exc:
        return fail("TLS", exc.message, exc.hint)
    try:
        sock = _connect(address, timeout)
    except OSError as exc:
        reason = error_text(exc.strerror or type(exc).__name__)
        return fail("TLS", f"could not connect again ({reason}).", "Retry; check the network.")
    try:
        with context.wrap_socket(sock, server_hostname=target.host) as tls:
            version = tls.version() or "TLS"
            cert = tls.getpeercert()
    except ssl.SSLCertVerificationError as exc:
        return _untrusted(profile, target, exc)
    except ssl.SSLError as exc:
        reason = exc.reason or str(exc)
        if reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"):
            return fail(
                "TLS",
                f"{target.where} does not speak TLS ({error_text(str(reason))}).",
                "base_url says https:// but this port seems to speak plain HTTP: use http://, "
                "or the CC-FS's TLS port.",
            )
        return fail(
            "TLS",
            f"the handshake with {target.where} failed: {error_text(str(reason))}.",
            "Check the port in base_url; a proxy in between may be interfering.",
        )
    except TimeoutError:
        return fail(
            "TLS",
            f"{target.where} did not finish the handshake within {timeout:g} s.",
            "Check that the port is the CC-FS's TLS port.",
        )
    except OSError as exc:
        return fail(
            "TLS",
            f"{target.where} closed the connection during the handshake "
            f"({error_text(exc.strerror or type(exc).__name__)}).",
            "Check the port in base_url; a proxy in between may be refusing this client.",
        )
    finally:
        sock.close()
    if not profile.verify:
        return warn(
            "TLS",
            f"{version} works, but the certificate is NOT checked (verify = false / --insecure).",
            "Set ca_bundle (or CCFS_CA_BUNDLE) to the CC-FS certificate and drop --insecure.",
        )
    trusted = f"trusted with {profile.ca_bundle}" if profile.ca_bundle else "trusted"
    expiry = _expiry(cert)
    if expiry is None:
        return ok("TLS", f"{version}, certificate {trusted}")
    days = (expiry - datetime.now(UTC)).days
    text = f"{version}, certificate {trusted}, valid until {expiry:%Y-%m-%d}"
    if days < CERT_WARN_DAYS:
        return warn(
            "TLS",
            f"{text}: it expires in {days} day(s).",
            "Tell the CC-FS administrators; ccfs-tui will refuse it once it has expired.",
        )
    return ok("TLS", text)


def _expiry(cert: dict[str, Any] | None) -> datetime | None:
    try:
        seconds = ssl.cert_time_to_seconds(str((cert or {})["notAfter"]))
    except (KeyError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, UTC)


def _untrusted(profile: Profile, target: Target, exc: ssl.SSLCertVerificationError) -> CheckResult:
    reason = error_text(str(exc.verify_message or exc.reason or exc))
    text = f"the certificate of {target.where} is not trusted: {reason}."
    lowered = reason.lower()
    if "mismatch" in lowered:
        fix = (
            "Put the host name the certificate names in base_url (or ask for a certificate "
            "that names this address)."
        )
    elif "expired" in lowered or "not yet valid" in lowered:
        fix = (
            "Check this machine's clock (`date -u`); if it is right, the certificate is out "
            "of date: tell the CC-FS administrators."
        )
    elif profile.ca_bundle:
        fix = (
            f"ca_bundle {profile.ca_bundle} does not hold the certificate (or the CA) that "
            "signed it: export the right PEM file."
        )
    else:
        fix = (
            "Set ca_bundle in the profile (or CCFS_CA_BUNDLE) to the PEM file of the CC-FS "
            "certificate or its CA."
        )
    return fail("TLS", text, fix)


def _span(seconds: float) -> str:
    """``42 s``, ``7 min``, ``1 h``, ``2 h 5 min``, ``3 days``."""
    seconds = abs(seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)  # the Date header has whole seconds: round, not cut
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


def check_clock(profile: Profile, clock: Clock, timeout: float) -> CheckResult:
    """This machine's clock against the server's, from the ``Date`` header of an unsigned
    ``HEAD /`` (skew is the usual cause of a refused signature)."""
    try:
        verify = ssl_context(profile)
    except CcfsTlsError as exc:
        return skip("clock", f"not compared ({exc.message})")
    try:
        with httpx.Client(
            verify=verify,
            timeout=timeout,
            trust_env=False,
            follow_redirects=False,
            headers={"User-Agent": f"ccfs-tui/{__version__} (doctor)"},
        ) as http:
            before = clock()
            response = http.head(profile.base_url + "/")
            after = clock()
    except httpx.HTTPError as exc:
        return fail(
            "clock",
            f"no HTTP answer from {profile.base_url} ({type(exc).__name__}).",
            "Check the scheme of base_url (http:// or https://) and the port.",
        )
    header = response.headers.get("date", "")
    try:
        server = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        server = None
    if server is None or server.tzinfo is None:
        what = "no Date header" if not header else "a Date header that cannot be read"
        return warn(
            "clock",
            f"the server sent {what}; the clocks cannot be compared.",
            "Compare `date -u` here with the server's time by hand.",
        )
    here = before + (after - before) / 2
    skew = server + timedelta(seconds=0.5) - here  # Date has whole seconds: its middle
    seconds = skew.total_seconds()
    shown = f"server {server:%Y-%m-%d %H:%M:%S}Z, here {here:%H:%M:%S}Z"
    if abs(skew) <= CLOCK_OK:
        return ok("clock", f"in step with the server (within {_span(CLOCK_OK.total_seconds())})")
    side = "ahead of" if seconds > 0 else "behind"
    text = f"the server's clock is {_span(seconds)} {side} this machine's ({shown})"
    fix = (
        "One of the two clocks is wrong: compare `date -u` with a time source; set this "
        "machine's with NTP (timedatectl set-ntp true), or tell the CC-FS administrators."
    )
    if abs(skew) <= CLOCK_FAIL:
        return warn("clock", f"{text}; CC-FS may refuse signatures.", fix)
    return fail("clock", f"{text}: CC-FS refuses signatures (HTTP 401) this far off.", fix)
