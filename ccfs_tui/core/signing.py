"""Huawei C2 ``auth-v2`` request signing, as an ``httpx.Auth`` and as plain functions.

The algorithm is the one in ``shared/reference/ccfs-api.md`` section 1. The emulator
uses :func:`verify_authorization` to check requests exactly as a CC-FS would.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx

from ccfs_tui.core.clock import Clock, utc_now
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signed_headers import DEFAULT_SIGNED_HEADERS

SCHEME = "auth-v2"
CONTENT_TYPE = "application/json;charset=UTF-8"


def enc(value: str) -> str:
    """Percent-encode every UTF-8 byte except the unreserved ``A-Z a-z 0-9 - . _ ~``."""
    return quote(value, safe="")


def hmac_hex(key: str, message: str) -> str:
    """Lower-case hex HMAC-SHA256 of ``message`` under ``key`` (both UTF-8)."""
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def _signing_key(secret: Secret, prefix: str) -> str:
    """``hmac_hex(SK, prefix)`` without ever binding the raw SK to a local variable.

    Rich tracebacks (Textual's crash report) show every frame's locals: here they are
    only the masked ``Secret`` and the prefix.
    """
    return hmac.new(
        secret.reveal().encode("utf-8"), prefix.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def format_timestamp(moment: datetime) -> str:
    """The C2 timestamp, ``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> datetime:
    """Parse a C2 timestamp, with or without milliseconds. Raises ``ValueError``."""
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"not a C2 timestamp: {text!r}")


def canonical_request(
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: str,
) -> str:
    """Build the canonical request string. ``headers`` are the signed ones, any name case."""
    lowered = {name.lower(): value for name, value in headers.items()}
    signed = ";".join(sorted(lowered))
    parts = [method.upper(), path]
    if query:
        parts.append("&".join(sorted(f"{enc(k)}={enc(v)}" for k, v in query.items())))
    parts.append(signed)
    parts.append("\n".join(sorted(f"{enc(k)}:{enc(v)}" for k, v in lowered.items())))
    return "\n".join(parts) + "\n" + (enc(body) if body else "")


def sign(
    *,
    app_id: str,
    secret: Secret,
    timestamp: str,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: str,
) -> str:
    """Return the full ``Authorization`` header value for one request."""
    signed = ";".join(sorted(name.lower() for name in headers))
    prefix = f"{SCHEME}/{app_id}/{timestamp}/{signed}"
    signing_key = _signing_key(secret, prefix)
    signature = hmac_hex(signing_key, canonical_request(method, path, query, headers, body))
    return f"{prefix}/{signature}"


@dataclass(frozen=True, slots=True)
class AuthorizationParts:
    """The fields of an ``auth-v2`` Authorization header."""

    app_id: str
    timestamp: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> AuthorizationParts:
    """Split an ``auth-v2/AK/ts/headers/signature`` value. Raises ``ValueError``."""
    scheme, _, rest = value.partition("/")
    if scheme != SCHEME:
        raise ValueError("not an auth-v2 Authorization header")
    rest, _, signature = rest.rpartition("/")
    rest, _, signed = rest.rpartition("/")
    app_id, _, timestamp = rest.rpartition("/")
    if not (app_id and timestamp and signed and signature):
        raise ValueError("malformed auth-v2 Authorization header")
    return AuthorizationParts(app_id, timestamp, tuple(signed.split(";")), signature)


class VerificationError(Exception):
    """Why a signature was refused (for the emulator's 401 body and its log)."""


def verify_authorization(
    authorization: str | None,
    *,
    secrets: Mapping[str, Secret],
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: str,
    now: datetime,
    max_skew: timedelta = timedelta(minutes=15),
    required_headers: Iterable[str] = ("host",),
) -> str:
    """Check a request's signature as a CC-FS would; return the app id on success.

    ``headers`` are the request's headers as received (any name case). Raises
    :class:`VerificationError` for a missing or malformed header, an unknown app id,
    a skewed clock, an unsigned required header, or a wrong signature.
    """
    if not authorization:
        raise VerificationError("no Authorization header")
    try:
        parts = parse_authorization(authorization)
        moment = parse_timestamp(parts.timestamp)
    except ValueError as exc:
        raise VerificationError(str(exc)) from None
    secret = secrets.get(parts.app_id)
    if secret is None:
        raise VerificationError(f"unknown app id {parts.app_id!r}")
    if abs(now - moment) > max_skew:
        raise VerificationError(
            f"timestamp {parts.timestamp} is more than {max_skew} away from server time "
            f"{format_timestamp(now)}"
        )
    missing = [name for name in required_headers if name not in parts.signed_headers]
    if missing:
        raise VerificationError(f"header(s) not signed: {', '.join(missing)}")
    received = {name.lower(): value for name, value in headers.items()}
    try:
        signed_values = {name: received[name] for name in parts.signed_headers}
    except KeyError as exc:
        raise VerificationError(f"signed header {exc.args[0]!r} not in the request") from None
    expected = sign(
        app_id=parts.app_id,
        secret=secret,
        timestamp=parts.timestamp,
        method=method,
        path=path,
        query=query,
        headers=signed_values,
        body=body,
    )
    if not hmac.compare_digest(expected, authorization):
        raise VerificationError("signature does not match")
    return parts.app_id


class C2Auth(httpx.Auth):
    """Signs each request just before it is sent, over the headers httpx really sends."""

    requires_request_body = True

    def __init__(
        self,
        app_id: str,
        secret: Secret,
        signed_headers: Iterable[str] = DEFAULT_SIGNED_HEADERS,
        clock: Clock = utc_now,
    ) -> None:
        self.app_id = app_id
        self._secret = secret
        self.signed_headers = tuple(name.lower() for name in signed_headers)
        self._clock = clock

    def __repr__(self) -> str:
        return f"C2Auth(app_id={self.app_id!r}, signed_headers={self.signed_headers!r})"

    def sign_request(self, request: httpx.Request) -> None:
        """Set ``Authorization`` on ``request`` (which must have its body read)."""
        headers = {
            name: request.headers[name] for name in self.signed_headers if name in request.headers
        }
        path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        request.headers["Authorization"] = sign(
            app_id=self.app_id,
            secret=self._secret,
            timestamp=format_timestamp(self._clock()),
            method=request.method,
            path=path,
            query=dict(request.url.params),
            headers=headers,
            body=request.content.decode("utf-8"),
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign_request(request)
        yield request


def shorten_authorization(value: str) -> str:
    """Authorization for display: the signature cut to its first and last 4 characters."""
    head, _, signature = value.rpartition("/")
    if len(signature) <= 12:
        return value
    return f"{head}/{signature[:4]}…{signature[-4:]}"
