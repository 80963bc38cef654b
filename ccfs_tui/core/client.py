"""The one asynchronous CC-FS client: signed requests, playback URLs, downloads.

One long-lived ``httpx.AsyncClient`` per profile (keep-alive across requests); every
failure becomes a typed :class:`~ccfs_tui.core.errors.CcfsError` whose text says what to
do next and never contains the SK or a full signature.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import httpx

from ccfs_tui import __version__
from ccfs_tui.core.audit import AuditLog
from ccfs_tui.core.clock import Clock, utc_now
from ccfs_tui.core.config import Profile
from ccfs_tui.core.errors import (
    CcfsAuthError,
    CcfsBadReplyError,
    CcfsConnectError,
    CcfsError,
    CcfsFlowControlError,
    CcfsServerError,
    CcfsTimeoutError,
    CcfsTlsError,
    scrub,
)
from ccfs_tui.core.recording import normalize_file_name
from ccfs_tui.core.result_codes import FLOW_CONTROL, SUCCESS, result_error
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signing import CONTENT_TYPE, C2Auth, shorten_authorization
from ccfs_tui.core.tokens import Token

API = "/CCFS/resource/ccfs"
REQUEST_PLAY_VOICE = f"{API}/requestPlayVoice"
PLAY_VOICE = f"{API}/playVoice"
DOWNLOAD_RECORD_FILE = f"{API}/downloadRecordFile"
MAX_ERROR_BODY = 64 * 1024
_DNS_MARKERS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
)

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class RequestPreview:
    """What a signed request looks like, safe to show (signature shortened)."""

    method: str
    url: str
    headers: dict[str, str]
    body: str


def request_body(file_name: str) -> str:
    """The exact JSON text sent for a ``msgBody.fileName`` request."""
    payload = {"request": {"version": "2.0"}, "msgBody": {"fileName": file_name}}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def download_name(file_name: str) -> str:
    """Local name: ``Y:/1/0/20260301/1001/0903379.V3`` -> ``20260301_1001_0903379.wav``."""
    parts = [p for p in PurePosixPath(normalize_file_name(file_name)).parts if p not in ("/", "")]
    stem = "_".join([*parts[-3:-1], PurePosixPath(parts[-1]).stem]) if parts else "recording"
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem)
    return f"{safe}.wav"


def _verify_setting(profile: Profile) -> ssl.SSLContext | bool:
    if not profile.verify:
        return False
    if profile.ca_bundle:
        try:
            return ssl.create_default_context(cafile=str(profile.ca_bundle))
        except (OSError, ssl.SSLError) as exc:
            raise CcfsTlsError(
                f"Cannot load the CA bundle {profile.ca_bundle} ({type(exc).__name__}).",
                "Point ca_bundle / CCFS_CA_BUNDLE at a readable PEM certificate file.",
            ) from None
    return True


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _folder_error(folder: Path, exc: OSError) -> CcfsError:
    if isinstance(exc, FileExistsError | NotADirectoryError):
        reason = "a file is in the way (it is not a folder)"
    else:
        reason = exc.strerror or type(exc).__name__
    return CcfsError(
        f"Cannot save the download in {folder}: {reason}.",
        "Choose another file with -o, or set download_dir in the profile to a folder you "
        "can write.",
    )


class CcfsClient:
    """Signs and sends CC-FS requests for one profile."""

    def __init__(
        self,
        profile: Profile,
        secret: Secret,
        *,
        clock: Clock = utc_now,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        audit: AuditLog | None = None,
    ) -> None:
        self.profile = profile
        self._audit = audit
        self._clock = clock
        self._sleep = sleep
        self._secret = secret
        self._auth = C2Auth(profile.app_id, secret, profile.signed_headers, clock)
        self._http = httpx.AsyncClient(
            base_url=profile.base_url,
            verify=_verify_setting(profile),
            timeout=httpx.Timeout(
                profile.read_timeout, connect=profile.connect_timeout, pool=profile.connect_timeout
            ),
            transport=transport,
            headers={"User-Agent": f"ccfs-tui/{__version__}"},
            follow_redirects=False,
            trust_env=False,
        )

    def __repr__(self) -> str:
        return f"CcfsClient(profile={self.profile.name!r}, base_url={self.profile.base_url!r})"

    async def __aenter__(self) -> CcfsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # -- requests ------------------------------------------------------------------------

    def _build_json_request(self, path: str, file_name: str) -> httpx.Request:
        body = request_body(file_name).encode("utf-8")
        return self._http.build_request(
            "POST", path, content=body, headers={"Content-Type": CONTENT_TYPE}
        )

    def preview(self, file_name: str, path: str = REQUEST_PLAY_VOICE) -> RequestPreview:
        """The signed request that would be sent for ``file_name``, safe to display."""
        request = self._build_json_request(path, normalize_file_name(file_name))
        self._auth.sign_request(request)
        headers = {name.title(): value for name, value in request.headers.items()}
        headers["Authorization"] = shorten_authorization(request.headers["authorization"])
        headers.pop("Accept-Encoding", None)
        return RequestPreview("POST", str(request.url), headers, request.content.decode("utf-8"))

    def _record(
        self,
        action: str,
        file_name: str,
        error: BaseException | None,
        token: Token | None = None,
    ) -> None:
        """Audit one action: ``ok``, the error's kind, ``cancelled`` (Esc, Ctrl-C), or
        ``error`` for anything unexpected (e.g. the download folder cannot be written)."""
        if self._audit is None:
            return
        if error is None:
            outcome, detail = "ok", ""
        elif isinstance(error, CcfsError):
            outcome, detail = error.kind, error.message
        elif isinstance(error, asyncio.CancelledError | KeyboardInterrupt):
            outcome, detail = "cancelled", "cancelled before the reply was complete"
        elif isinstance(error, OSError):
            outcome = "error"
            detail = f"{error.strerror or type(error).__name__}: {error.filename or ''}"
        else:
            outcome, detail = "error", f"{type(error).__name__}: {error}"
        # the server's text could echo the token (or worse): never log either
        detail = scrub(detail, self._secret.reveal(), token.token if token else "")
        self._audit.record(
            profile=self.profile.name,
            app_id=self.profile.app_id,
            action=action,
            file_name=file_name,
            outcome=outcome,
            result_code=getattr(error, "result_code", "") if error else ("0" if token else ""),
            token_fingerprint=token.fingerprint if token else "",
            detail=detail,
        )

    async def request_play_token(self, file_name: str) -> Token:
        """Sign and send requestPlayVoice; return the 30-minute token.

        ``file_name`` is the index's ``original_file_name`` (backslashes are turned into
        slashes). The expiry counts from when the request was sent, so it is never later
        than the server's. Flow-control codes are retried with backoff, then raised.
        Audited (success or failure) when the client has an audit log.
        """
        name = normalize_file_name(file_name)
        try:
            token = await self._request_play_token(name)
        except BaseException as exc:  # typed errors, cancellation, the unexpected: audited
            self._record("requestPlayVoice", name, exc)
            raise
        self._record("requestPlayVoice", name, None, token)
        return token

    async def _request_play_token(self, name: str) -> Token:
        attempt = 0
        while True:
            sent_at = self._clock()
            data = await self._post_json(REQUEST_PLAY_VOICE, name)
            code = str(data.get("resultCode", data.get("retCode", "")))
            if code == SUCCESS:
                token = (data.get("resultData") or {}).get("token")
                if not isinstance(token, str) or not token:
                    raise CcfsBadReplyError(
                        "CC-FS said success but sent no token (resultData.token is missing).",
                        "Retry; if it persists, report it with the CC-FS version.",
                    )
                return Token.issued(token, name, sent_at, self.profile.name, self.profile.base_url)
            if code in FLOW_CONTROL and attempt < self.profile.flow_control_retries:
                await self._sleep(self.profile.retry_backoff * (2**attempt))
                attempt += 1
                continue
            raise result_error(code or "?", str(data.get("resultDesc", "")), attempt)

    async def _post_json(self, path: str, file_name: str) -> dict[str, Any]:
        request = self._build_json_request(path, file_name)
        response = await self._send(request)
        self._check_status(response)
        return self._parse_json(response.content, response.headers.get("content-type", ""))

    async def _send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        try:
            return await self._http.send(request, auth=self._auth, stream=stream)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None

    def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status == 401:
            now = self._clock().strftime("%Y-%m-%d %H:%M:%S")
            raise CcfsAuthError(
                f"CC-FS refused the signature (HTTP 401) for app id {self.profile.app_id!r}.",
                f"Check the AK and SK of profile {self.profile.name!r}, and this machine's clock "
                f"(local UTC time is {now}Z; it must match the server's). If this CC-FS signs "
                'only the host header, set signed_headers = ["host"].',
            )
        if status >= 500:
            raise CcfsServerError(
                f"CC-FS answered HTTP {status} {response.reason_phrase}.",
                "The server or its load balancer is failing: retry in a minute; if it persists, "
                "tell the CC-FS administrators.",
                status=status,
            )
        if status >= 400 or status < 200:
            raise CcfsServerError(
                f"CC-FS answered HTTP {status} {response.reason_phrase} for {response.url.path}.",
                "Check base_url: it must be the CC-FS address (https://HOST:PORT), no path.",
                status=status,
            )

    def _parse_json(self, content: bytes, content_type: str) -> dict[str, Any]:
        try:
            data = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            data = None
        if not isinstance(data, dict):
            snippet = scrub(content[:80].decode("utf-8", "replace"), self._secret.reveal())
            raise CcfsBadReplyError(
                f"CC-FS sent a reply that is not JSON ({content_type or 'no content type'}): "
                f"{snippet!r}.",
                "base_url may point at a proxy or web page instead of the CC-FS; check it.",
            )
        return data

    def _transport_error(self, exc: httpx.HTTPError) -> CcfsError:
        host = urlsplit(self.profile.base_url).netloc or self.profile.base_url
        chain = _chain(exc)
        if any(isinstance(e, ssl.SSLError) for e in chain) or "CERTIFICATE_VERIFY" in str(exc):
            reason = next((str(e) for e in chain if isinstance(e, ssl.SSLError)), str(exc))
            return CcfsTlsError(
                f"TLS with {host} failed: {scrub(reason)[:160]}.",
                "If the CC-FS uses a self-signed certificate, set ca_bundle in the profile "
                "(or CCFS_CA_BUNDLE) to its PEM file; check base_url uses the right scheme.",
            )
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            return CcfsTimeoutError(
                f"Could not connect to {host} within {self.profile.connect_timeout:g} s.",
                "Check the address and that this host may reach it (VPN, firewall), then retry.",
            )
        if isinstance(exc, httpx.TimeoutException):
            return CcfsTimeoutError(
                f"{host} did not answer within {self.profile.read_timeout:g} s.",
                "The CC-FS is slow or stuck: retry, or raise read_timeout in the profile.",
            )
        text = " ".join(str(e) for e in chain).lower()
        if isinstance(exc, httpx.ConnectError):
            if any(isinstance(e, socket.gaierror) for e in chain) or any(
                marker in text for marker in _DNS_MARKERS
            ):
                return CcfsConnectError(
                    f"Cannot resolve the host name in {host}.",
                    "Check base_url's host name, or use the CC-FS IP address.",
                )
            if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
                return CcfsConnectError(
                    f"{host} refused the connection.",
                    "Check the port in base_url and that the CC-FS is running.",
                )
            return CcfsConnectError(
                f"Cannot connect to {host}: {scrub(str(exc))[:120]}.",
                "Check base_url and the network path to the CC-FS.",
            )
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            return CcfsConnectError(
                f"{host} dropped the connection before the reply was complete.",
                "Retry; if it keeps happening, the CC-FS or a proxy is closing connections.",
            )
        return CcfsConnectError(
            f"Request to {host} failed: {type(exc).__name__}.", "Retry; check the network."
        )

    # -- playback ------------------------------------------------------------------------

    def _check_token_server(self, token: Token) -> None:
        """A token goes only to the server that issued it (the profile's base URL)."""
        if not token.base_url:
            raise CcfsError(
                f"The token of {token.file_name} does not say which server issued it.",
                "Request a new token (Enter / ccfs-tui token); it is sent only to its server.",
            )
        if token.base_url.rstrip("/") != self.profile.base_url.rstrip("/"):
            raise CcfsError(
                f"This token was issued by {token.base_url}, not by profile "
                f"{self.profile.name!r} ({self.profile.base_url}).",
                "Switch to the profile that issued it, or request a new token.",
            )

    def playback_url(self, token: Token, *, now_ms: int | None = None) -> str:
        """The playVoice URL of ``token`` (``t`` is an anti-cache timestamp in ms)."""
        self._check_token_server(token)
        stamp = int(time.time() * 1000) if now_ms is None else now_ms
        return (
            f"{self.profile.base_url}{PLAY_VOICE}?t={stamp}&version=2.0"
            f"&st={quote(token.token, safe='')}"
        )

    async def download(
        self,
        target: Token | str,
        dest: Path | None = None,
        *,
        progress: Progress | None = None,
        source: Literal["play", "record"] = "play",
    ) -> Path:
        """Stream the audio to ``dest`` (default: the profile's download folder).

        ``source="play"`` fetches playVoice with a token; ``"record"`` posts
        downloadRecordFile with the index ``file_name`` (``target`` is then a str). Data
        goes to a hidden ``.part`` file renamed at the end: no partial file is ever left
        under the final name. A JSON error under an octet-stream content type is raised;
        flow-control codes (``0300008`` / ``0300009``) are retried with backoff like token
        requests, then raised. Audited when the client has an audit log.
        """
        token = target if isinstance(target, Token) else None
        name = token.file_name if token else str(target)
        action = "playVoice" if source == "play" else "downloadRecordFile"
        attempt = 0
        while True:
            try:
                path = await self._download(target, dest, progress, source)
            except CcfsFlowControlError as exc:
                if attempt < self.profile.flow_control_retries:
                    await self._sleep(self.profile.retry_backoff * (2**attempt))
                    attempt += 1
                    continue
                error = result_error(exc.result_code, exc.desc, attempt) if attempt else exc
                self._record(action, name, error, token)
                raise error from None
            except BaseException as exc:  # typed errors, cancellation, the unexpected
                self._record(action, name, exc, token)
                raise
            self._record(action, name, None, token)
            return path

    async def _download(
        self,
        target: Token | str,
        dest: Path | None,
        progress: Progress | None,
        source: Literal["play", "record"],
    ) -> Path:
        if source == "play":
            if not isinstance(target, Token):
                raise TypeError("source='play' needs a Token")
            url = self.playback_url(target)
            request = self._http.build_request("GET", url)
            name = target.file_name
            auth_needed = False
        else:
            name = target.file_name if isinstance(target, Token) else target
            request = self._build_json_request(DOWNLOAD_RECORD_FILE, name)
            auth_needed = True
        dest = dest or self.profile.download_dir / download_name(name)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _folder_error(dest.parent, exc) from None
        try:
            response = await self._http.send(
                request, auth=self._auth if auth_needed else None, stream=True
            )
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None
        try:
            self._check_status(response)
            await self._stream_to(response, dest, progress)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None
        finally:
            await response.aclose()
        return dest

    async def _stream_to(
        self, response: httpx.Response, dest: Path, progress: Progress | None
    ) -> None:
        total_header = response.headers.get("content-length")
        total = int(total_header) if total_header and total_header.isdigit() else None
        part = dest.with_name(f".{dest.name}.part")
        done = 0
        first = True
        try:
            try:
                fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            except OSError as exc:
                raise _folder_error(dest.parent, exc) from None
            with os.fdopen(fd, "wb") as handle:
                chunks = response.aiter_bytes()
                async for chunk in chunks:
                    if first and chunk.lstrip()[:1] == b"{":
                        await self._raise_json_error(chunk, chunks, response)
                    first = False
                    handle.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
            if total is not None and done != total:
                raise CcfsConnectError(
                    f"The download stopped at {done} of {total} bytes.", "Retry the download."
                )
            if done == 0:
                raise CcfsBadReplyError("CC-FS sent an empty file.", "Request a new token; retry.")
            os.replace(part, dest)
        finally:
            with contextlib.suppress(FileNotFoundError):
                part.unlink()

    async def _raise_json_error(self, head: bytes, rest: Any, response: httpx.Response) -> None:
        body = head
        async for chunk in rest:
            body += chunk
            if len(body) > MAX_ERROR_BODY:
                break
        data = self._parse_json(body, response.headers.get("content-type", ""))
        code = str(data.get("resultCode", data.get("retCode", "?")))
        raise result_error(code, str(data.get("resultDesc", data.get("resultMsg", ""))))
