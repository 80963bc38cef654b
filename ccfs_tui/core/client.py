"""The one asynchronous CC-FS client: signed requests, playback URLs, downloads.

One long-lived ``httpx.AsyncClient`` per profile (keep-alive across requests); every
failure becomes a typed :class:`~ccfs_tui.core.errors.CcfsError` whose text says what to
do next and never contains the SK or a full signature.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import time
import zlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from ccfs_tui import __version__
from ccfs_tui.core.atomic import private_dir
from ccfs_tui.core.audit import AuditLog
from ccfs_tui.core.bill_window import DATA_TYPES, BillWindow
from ccfs_tui.core.callback_receiver import BILL_FILE_RE, RESPONSE_ID_RE, CallbackReceiver
from ccfs_tui.core.clock import Clock, utc_now
from ccfs_tui.core.config import Profile
from ccfs_tui.core.download_files import (
    PartialFile,
    check_destination,
    download_name,
    folder_error,
    remove_stale_parts,
)
from ccfs_tui.core.errors import (
    CcfsAuthError,
    CcfsBadReplyError,
    CcfsConnectError,
    CcfsError,
    CcfsFlowControlError,
    CcfsIpLockedError,
    CcfsResultError,
    CcfsServerError,
    CcfsTimeoutError,
    CcfsTlsError,
    ConfigError,
    scrub,
)
from ccfs_tui.core.record_zip import Extracted, check_folder_target, extract_wavs
from ccfs_tui.core.recording import normalize_file_name
from ccfs_tui.core.result_codes import (
    FLOW_CONTROL,
    NO_DATA,
    SUCCESS,
    no_recording_error,
    result_error,
)
from ccfs_tui.core.sanitize import check_token, error_text
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signature_guard import SignatureGuard, default_guard
from ccfs_tui.core.signing import CONTENT_TYPE, C2Auth, shorten_authorization
from ccfs_tui.core.tokens import Token

API = "/CCFS/resource/ccfs"
REQUEST_PLAY_VOICE = f"{API}/requestPlayVoice"
PLAY_VOICE = f"{API}/playVoice"
DOWNLOAD_RECORD_FILE = f"{API}/downloadRecordFile"
QUERY_BILL_DATA = f"{API}/queryBillData"
DOWNLOAD_BILL_FILE = f"{API}/downloadBillFile"
DOWNLOAD_RECORD = f"{API}/downloadRecord"
MAX_ERROR_BODY = 64 * 1024
MAX_JSON_BYTES = 1 << 20
"""The most of a JSON reply that is read (decoded); a longer one is refused."""
MB = 1 << 20
MIN_PROGRESS = 16 * 1024
"""A download must receive at least this many bytes in every ``read_timeout``."""
ACCEPT_ENCODING = "gzip, deflate"
_DNS_MARKERS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
)

Progress = Callable[[int, int | None], None]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class RequestPreview:
    """What a signed request looks like, safe to show (signature shortened)."""

    method: str
    url: str
    headers: dict[str, str]
    body: str


def request_body(file_name: str) -> str:
    """The exact JSON text sent for a ``msgBody.fileName`` request."""
    return json_body({"fileName": file_name})


def json_body(msg_body: dict[str, Any]) -> str:
    """The exact JSON text sent for a request with this ``msgBody``."""
    payload = {"request": {"version": "2.0"}, "msgBody": msg_body}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


__all__ = ["CcfsClient", "RequestPreview", "download_name", "request_body"]


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


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "").strip()
    return int(value) if value.isdigit() else None


class _Decoder:
    """Content-Encoding decoding with a bound on what one piece of input may expand to.

    httpx decodes a whole network read at once (a gzip bomb of one read can give gigabytes);
    here every call returns at most ``room + 1`` bytes, so going over a limit is seen
    before the memory is spent.
    """

    def __init__(self, encoding: str) -> None:
        self.name = encoding.strip().lower()
        self._raw_deflate_tried = False
        self._z: Any = None
        if self.name in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.name == "deflate":
            self._z = zlib.decompressobj()
        elif self.name not in ("", "identity"):
            raise CcfsBadReplyError(
                f"CC-FS sent the reply in an encoding ccfs-tui does not read "
                f"({error_text(self.name)}).",
                "A proxy may be re-encoding replies; check base_url.",
            )

    @property
    def encoded(self) -> bool:
        return self._z is not None

    def decode(self, data: bytes, room: int) -> bytes:
        """The decoded bytes of ``data``: all of them, or ``room + 1`` when there are more."""
        if self._z is None:
            return data
        out = b""
        try:
            while data:
                want = room + 1 - len(out)
                if want <= 0:
                    break
                piece = self._z.decompress(data, want)
                out += piece
                if self._z.eof and self._z.unused_data.strip(b"\0"):  # another gzip member
                    data = self._z.unused_data
                    self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    continue
                data = self._z.unconsumed_tail
                if not piece and data:  # no progress: cannot happen with zlib, be safe
                    break
        except zlib.error:
            if self.name == "deflate" and not self._raw_deflate_tried and not out:
                self._raw_deflate_tried = True  # some servers send raw deflate
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.decode(data, room)
            raise CcfsBadReplyError(
                f"CC-FS sent {self.name} data that cannot be decoded.",
                "Retry; if it persists, a proxy may be damaging replies.",
            ) from None
        self._raw_deflate_tried = True
        return out

    def complete(self) -> bool:
        """False when compressed data ended before its end marker (a cut reply)."""
        return self._z is None or bool(self._z.eof) or self.name == "deflate"


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
        guard: SignatureGuard | Literal["user"] | None = "user",
    ) -> None:
        self.profile = profile
        self._audit = audit
        self._guard = default_guard(clock) if guard == "user" else guard
        """Holds signed requests after refused signatures (``"user"``: this user's, in the
        state folder, shared by every process; ``None``: none, for tests that need none)."""
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
            headers={"User-Agent": f"ccfs-tui/{__version__}", "Accept-Encoding": ACCEPT_ENCODING},
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

    def _build_json_request(
        self, path: str, file_name: str = "", msg_body: dict[str, Any] | None = None
    ) -> httpx.Request:
        text = request_body(file_name) if msg_body is None else json_body(msg_body)
        body = text.encode("utf-8")
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
                result = data.get("resultData")
                if result is not None and not isinstance(result, dict):
                    raise CcfsBadReplyError(
                        f"CC-FS said success but resultData is {_json_kind(result)}, not an "
                        "object with a token.",
                        "Retry; if it persists, report it with the CC-FS version.",
                    )
                token = (result or {}).get("token")
                if not isinstance(token, str) or not token:
                    raise CcfsBadReplyError(
                        "CC-FS said success but sent no token (resultData.token is missing).",
                        "Retry; if it persists, report it with the CC-FS version.",
                    )
                check_token(token)
                try:
                    return Token.issued(
                        token, name, sent_at, self.profile.name, self.profile.base_url
                    )
                except OverflowError:  # the expiry would be past the year 9999
                    raise CcfsError(
                        f"This machine's clock reads {sent_at:%Y-%m-%d %H:%M:%S}Z: the token's "
                        "expiry cannot be computed.",
                        "Set the clock right (check `date -u`; NTP) and request the token again.",
                    ) from None
            if code in FLOW_CONTROL and attempt < self.profile.flow_control_retries:
                await self._sleep(self.profile.retry_backoff * (2**attempt))
                attempt += 1
                continue
            raise result_error(code or "?", str(data.get("resultDesc", "")), attempt)

    async def _post_json(
        self, path: str, file_name: str = "", msg_body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """One JSON request, all of it (connect, send, every byte of the reply) within
        ``request_timeout``, the reply capped at :data:`MAX_JSON_BYTES`."""
        request = self._build_json_request(path, file_name, msg_body)
        deadline = asyncio.timeout(self.profile.request_timeout)
        try:
            async with deadline:
                response = await self._send(request, stream=True)
                try:
                    self._check_status(response)
                    content = await self._read_capped(response, MAX_JSON_BYTES)
                except httpx.HTTPError as exc:
                    raise self._transport_error(exc) from None
                finally:
                    await response.aclose()
        except TimeoutError:
            if deadline.expired():
                raise self._deadline_error() from None
            raise
        return self._parse_json(content, response.headers.get("content-type", ""))

    async def _read_capped(self, response: httpx.Response, limit: int) -> bytes:
        length = _content_length(response)
        if length is not None and length > limit:
            raise self._too_long_reply(limit)
        decoder = _Decoder(response.headers.get("content-encoding", ""))
        parts: list[bytes] = []
        size = 0
        async for raw in response.aiter_raw():
            data = decoder.decode(raw, limit - size)
            size += len(data)
            if size > limit:
                raise self._too_long_reply(limit)
            parts.append(data)
        return b"".join(parts)

    def _too_long_reply(self, limit: int) -> CcfsBadReplyError:
        return CcfsBadReplyError(
            f"CC-FS sent a reply longer than {limit // 1024} KiB; ccfs-tui reads no more.",
            "base_url may point at something that is not a CC-FS; check it.",
        )

    def _host(self) -> str:
        return urlsplit(self.profile.base_url).netloc or self.profile.base_url

    def _deadline_error(self) -> CcfsTimeoutError:
        return CcfsTimeoutError(
            f"{self._host()} did not send its whole reply within "
            f"{self.profile.request_timeout:g} s.",
            "The CC-FS is answering very slowly: retry, or raise request_timeout in the profile.",
        )

    def confirm_resend(self) -> None:
        """The user confirmed: one more signed request may go out on this profile although
        its signatures kept being refused (see :mod:`~ccfs_tui.core.signature_guard`)."""
        if self._guard is not None:
            self._guard.confirm(self.profile.name, self.profile.app_id, self._secret)

    def _check_guard(self) -> None:
        """Refuse, before sending, a signed request of a profile on hold."""
        if self._guard is not None:
            self._guard.check(self.profile.name, self.profile.app_id, self._secret)

    def _guard_saw(self, response: httpx.Response) -> bool:
        """Tell the guard how the server took a signed request; True when it now holds."""
        if self._guard is None or "authorization" not in response.request.headers:
            return False
        status = response.status_code
        name, app_id = self.profile.name, self.profile.app_id
        if status in (401, 403):
            state = self._guard.refused(name, app_id, self._secret, ip_locked=status == 403)
            return state is not None and state.holding
        if 200 <= status < 300:
            self._guard.accepted(name, app_id, self._secret)
        return False

    async def _send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        self._check_guard()
        try:
            return await self._http.send(request, auth=self._auth, stream=stream)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None

    def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        held = self._guard_saw(response)
        hold = (
            f" Nothing more is sent on profile {self.profile.name!r} until you confirm "
            "(--confirm-resend; Yes in the TUI)."
            if held
            else ""
        )
        if status == 403:  # reference section 8: the IP lock (a Spring-style JSON body)
            raise CcfsIpLockedError(
                "CC-FS has locked this machine's address after too many bad signatures: "
                "wait, then fix the AK/SK.",
                "Ask the CC-FS administrators how long the lock lasts; it locks everyone who "
                "shares this address (a jump host)." + hold,
            )
        if status == 401:  # never retried: each retry brings the address lock nearer
            now = self._clock().strftime("%Y-%m-%d %H:%M:%S")
            raise CcfsAuthError(
                f"CC-FS refused the signature (HTTP 401) for app id {self.profile.app_id!r}.",
                f"Check the AK and SK of profile {self.profile.name!r}, and this machine's clock "
                f"(local UTC time is {now}Z; it must match the server's). If this CC-FS signs "
                'only the host header, set signed_headers = ["host"].' + hold,
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
        except RecursionError:
            raise CcfsBadReplyError(
                "CC-FS sent JSON nested too deeply to read.",
                "base_url may point at something that is not a CC-FS; check it.",
            ) from None
        except (UnicodeDecodeError, ValueError):
            data = None
        if not isinstance(data, dict):
            snippet = scrub(content[:80].decode("utf-8", "replace"), self._secret.reveal())
            what = "JSON" if data is None else f"a JSON object but {_json_kind(data)}"
            kind = error_text(content_type or "no content type")
            raise CcfsBadReplyError(
                f"CC-FS sent a reply that is not {what} ({kind}): {error_text(repr(snippet))}.",
                "base_url may point at a proxy or web page instead of the CC-FS; check it.",
            )
        return data

    def _transport_error(self, exc: httpx.HTTPError) -> CcfsError:
        host = self._host()
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
        """A token goes only to the server that issued it (the profile's base URL), and
        only if it is plain text (a token read from a tampered store file is refused)."""
        check_token_origin(token)
        if token.base_url.rstrip("/") != self.profile.base_url.rstrip("/"):
            raise CcfsError(
                f"This token was issued by {token.base_url}, not by profile "
                f"{self.profile.name!r} ({self.profile.base_url}).",
                "Switch to the profile that issued it, or request a new token.",
            )

    def playback_url(self, token: Token, *, now_ms: int | None = None) -> str:
        """The playVoice URL of ``token``, refused unless this profile's server issued it
        (``t`` is an anti-cache timestamp in ms)."""
        self._check_token_server(token)
        return play_voice_url(token, int(time.time() * 1000) if now_ms is None else now_ms)

    async def download(
        self,
        target: Token | str,
        dest: Path | None = None,
        *,
        progress: Progress | None = None,
        source: Literal["play", "record"] = "play",
        overwrite: bool = True,
    ) -> Path:
        """Stream the audio to ``dest`` (default: the profile's download folder).

        ``source="play"`` fetches playVoice with a token; ``"record"`` posts
        downloadRecordFile with the index ``file_name`` (``target`` is then a str).
        ``dest`` is checked before any request (:func:`check_destination`: never a folder,
        a link or a device; an existing file only with ``overwrite``). Data goes to a
        private partial file (random name, exclusive, never through a link) renamed at
        the end: no partial file is ever left under the final name, and none is left at
        all when the download fails or is cancelled. A body over ``max_download_mb``
        (announced or grown, decoded) is refused; a body that brings less than
        :data:`MIN_PROGRESS` bytes in any ``read_timeout`` is aborted. A JSON error under
        an octet-stream content type is raised; flow-control codes (``0300008`` /
        ``0300009``) are retried with backoff like token requests, then raised. Audited
        when the client has an audit log.
        """
        path = await self._download_audited(target, dest, None, progress, source, overwrite)
        assert path is not None
        return path

    async def download_to(
        self,
        target: Token | str,
        out: BinaryIO,
        *,
        progress: Progress | None = None,
        source: Literal["play", "record"] = "play",
    ) -> None:
        """Like :meth:`download`, but the audio goes to ``out`` (e.g. standard output) as
        it arrives; the same checks and limits apply."""
        await self._download_audited(target, None, out, progress, source, False)

    # -- the index (queryBillData, downloadBillFile) and recordings by call id ----------

    async def query_bill_data(
        self,
        window: BillWindow,
        data_type: str,
        callback_url: str,
        filters: Mapping[str, str] | None = None,
    ) -> str:
        """Send queryBillData for ``window``; return the ``responseId`` its callback carries.

        ``filters`` are optional msgBody fields (accountId, agentId, callId, callerNo,
        calleeNo); empty ones are left out. Flow control is retried like other requests;
        audited as ``queryBillData``.
        """
        if data_type not in DATA_TYPES:
            raise ConfigError(
                f"dataType {data_type!r} is not one of {', '.join(DATA_TYPES)}.",
                "Use --type call, record or call_record.",
            )
        body: dict[str, Any] = {
            "beginTime": window.begin_text,
            "endTime": window.end_text,
            "dataType": data_type,
            "callBackURL": callback_url,
        }
        body.update({key: value for key, value in (filters or {}).items() if value})
        return await self._audited_retries(
            "queryBillData", f"{window} {data_type}", lambda: self._query_bill_data(body)
        )

    def callback_receiver(self, listen: str, **options: Any) -> CallbackReceiver:
        """A receiver (not started) of queryBillData callbacks on ``listen``, verified with
        this profile's AK/SK, with its ``callback_cert`` / ``callback_key`` / ``callback_reply``
        (``options`` are passed on, e.g. ``on_event``)."""
        settings: dict[str, Any] = {
            "cert": self.profile.callback_cert,
            "key": self.profile.callback_key,
            "reply": self.profile.callback_reply,
            "clock": self._clock,
        }
        settings.update(options)
        return CallbackReceiver(listen, app_id=self.profile.app_id, secret=self._secret, **settings)

    async def _query_bill_data(self, body: dict[str, Any]) -> str:
        data = await self._post_json(QUERY_BILL_DATA, msg_body=body)
        code = str(data.get("resultCode", data.get("retCode", "")))
        if code != SUCCESS:
            raise result_error(code or "?", str(data.get("resultDesc", "")))
        result = data.get("resultData")
        response_id = result.get("responseId") if isinstance(result, dict) else None
        if not isinstance(response_id, str) or not RESPONSE_ID_RE.fullmatch(response_id):
            raise CcfsBadReplyError(
                "CC-FS accepted the query but sent no usable responseId (resultData.responseId).",
                "Retry; if it persists, report it with the CC-FS version.",
            )
        return response_id

    async def download_bill_file(
        self,
        bill_file_name: str,
        dest: Path | None = None,
        *,
        overwrite: bool = False,
        progress: Progress | None = None,
    ) -> Path:
        """Stream the zip ``bill_file_name`` (``yyyyMMdd_<responseId>.zip``) to ``dest``
        (default: ``index_dir`` / the name), atomically like every download; a reply that
        is not a zip is refused. Audited as ``downloadBillFile``."""
        if not BILL_FILE_RE.fullmatch(bill_file_name):
            raise ConfigError(
                f"{error_text(bill_file_name)!r} is not a bill file name.",
                "It looks like yyyyMMdd_<responseId>.zip: at most 49 letters, digits, '.', "
                "'_' or '-'.",
            )
        target = dest or self.profile.index_dir / bill_file_name
        check_destination(target, overwrite=overwrite)

        def finish(part: PartialFile) -> Path:
            if not part.head(4).startswith(b"PK"):
                raise CcfsBadReplyError(
                    "CC-FS sent a bill file that is not a zip archive; nothing was saved.",
                    "Retry; if it persists, base_url may point at a proxy that changes replies.",
                )
            return part.commit(overwrite=overwrite)

        async def once() -> Path | None:
            request = self._build_json_request(
                DOWNLOAD_BILL_FILE, msg_body={"billFileName": bill_file_name}
            )
            return await self._stream_download(
                request, True, target, None, progress, overwrite, finish=finish
            )

        path = await self._audited_retries("downloadBillFile", bill_file_name, once)
        assert path is not None
        return path

    async def download_record(
        self,
        *,
        call_id: str = "",
        file_name: str = "",
        cc_id: str = "",
        dest: Path | None = None,
        overwrite: bool = False,
        progress: Progress | None = None,
    ) -> Extracted:
        """downloadRecord by ``call_id`` (and/or ``file_name``, ``cc_id``).

        One recording is a WAV at ``dest`` (default ``<callId>.wav`` in the download
        folder); several come as a zip whose WAVs are extracted safely into the folder
        ``dest`` (default ``<callId>/``; see :func:`~ccfs_tui.core.record_zip.extract_wavs`).
        Which one it is is read from the first bytes (``RIFF`` / ``PK``), never from the
        content type. resultCode 0300012 for a call id is :func:`no_recording_error`.
        Audited as ``downloadRecord``.
        """
        name = normalize_file_name(file_name) if file_name else ""
        if not call_id and not name:
            raise ConfigError("downloadRecord needs a call id or a file name.", "Give --call-id.")
        stem = _safe_stem(call_id) if call_id else download_name(name).removesuffix(".wav")
        wav = dest or self.profile.download_dir / f"{stem}.wav"
        folder = dest or self.profile.download_dir / stem
        if dest is not None and dest.is_dir() and not dest.is_symlink():
            check_folder_target(dest, overwrite=overwrite)
        else:
            check_destination(wav, overwrite=overwrite)
            if dest is None:
                check_folder_target(folder, overwrite=overwrite)
        body: dict[str, Any] = {"callId": call_id} if call_id else {}
        if name:
            body["fileName"] = name
        if cc_id:
            body["ccId"] = cc_id
        result: list[Extracted] = []

        def finish(part: PartialFile) -> Path:
            head = part.head(4)
            if head.startswith(b"RIFF"):
                path = part.commit(overwrite=overwrite)
                result.append(Extracted(path.parent, [path]))
                return path
            if head.startswith(b"PK"):
                limit = self.profile.max_download_mb * MB
                result.append(extract_wavs(part.path, folder, max_bytes=limit, overwrite=overwrite))
                return folder
            raise CcfsBadReplyError(
                f"CC-FS sent neither a WAV nor a zip (it begins {error_text(repr(head))}); "
                "nothing was saved.",
                "Retry; if it persists, report it with the call id.",
            )

        async def once() -> Path | None:
            request = self._build_json_request(DOWNLOAD_RECORD, msg_body=body)
            try:
                return await self._stream_download(
                    request, True, wav, None, progress, overwrite, finish=finish
                )
            except CcfsResultError as exc:
                if exc.result_code == NO_DATA and call_id:
                    raise no_recording_error(call_id, exc.desc) from None
                raise

        await self._audited_retries("downloadRecord", call_id or name, once)
        return result[-1]

    async def _download_audited(
        self,
        target: Token | str,
        dest: Path | None,
        out: BinaryIO | None,
        progress: Progress | None,
        source: Literal["play", "record"],
        overwrite: bool,
    ) -> Path | None:
        token = target if isinstance(target, Token) else None
        name = token.file_name if token else str(target)
        action = "playVoice" if source == "play" else "downloadRecordFile"
        return await self._audited_retries(
            action,
            name,
            lambda: self._download(target, dest, out, progress, source, overwrite),
            token,
        )

    async def _audited_retries(
        self,
        action: str,
        name: str,
        attempt_once: Callable[[], Awaitable[_T]],
        token: Token | None = None,
    ) -> _T:
        """``attempt_once()``, again after flow-control codes (with backoff, up to
        ``flow_control_retries``), and the outcome audited as ``action`` on ``name``."""
        attempt = 0
        while True:
            try:
                result = await attempt_once()
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
            return result

    async def _download(
        self,
        target: Token | str,
        dest: Path | None,
        out: BinaryIO | None,
        progress: Progress | None,
        source: Literal["play", "record"],
        overwrite: bool,
    ) -> Path | None:
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
        if out is None:
            dest = dest or self.profile.download_dir / download_name(name)
        return await self._stream_download(request, auth_needed, dest, out, progress, overwrite)

    async def _stream_download(
        self,
        request: httpx.Request,
        auth_needed: bool,
        dest: Path | None,
        out: BinaryIO | None,
        progress: Progress | None,
        overwrite: bool,
        *,
        finish: Callable[[PartialFile], Path] | None = None,
    ) -> Path | None:
        """Send ``request`` and stream its body to ``out`` or, through a partial file, to
        ``dest`` (checked first unless ``finish`` is given: ``finish`` then decides what
        the complete partial file becomes, and checks its own targets)."""
        if out is None:
            assert dest is not None
            if finish is None:
                check_destination(dest, overwrite=overwrite)
            try:
                private_dir(dest.parent)
            except OSError as exc:
                raise folder_error(dest.parent, exc) from None
            remove_stale_parts(dest.parent)
        if auth_needed:
            self._check_guard()
        deadline = asyncio.timeout(self.profile.request_timeout)
        try:
            async with deadline:  # until the headers are in; the body has its own watchdog
                response = await self._http.send(
                    request, auth=self._auth if auth_needed else None, stream=True
                )
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None
        except TimeoutError:
            if deadline.expired():
                raise self._deadline_error() from None
            raise
        part: PartialFile | None = None

        def write(data: bytes) -> None:
            nonlocal part
            if out is not None:
                out.write(data)
                return
            if part is None:
                assert dest is not None
                part = PartialFile(dest)
            part.write(data)

        try:
            self._check_status(response)
            await self._receive(response, write, progress)
            if out is not None:
                out.flush()
                return None
            assert part is not None and dest is not None
            if finish is not None:
                part.flush()
                return finish(part)
            return part.commit(overwrite=overwrite)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc) from None
        finally:
            if part is not None:
                part.discard()
            await response.aclose()

    async def _receive(
        self,
        response: httpx.Response,
        write: Callable[[bytes], None],
        progress: Progress | None,
    ) -> None:
        """Copy the body to ``write``, or raise the JSON error it holds instead of audio."""
        limit = self.profile.max_download_mb * MB
        length = _content_length(response)
        if length is not None and length > limit:
            raise CcfsBadReplyError(
                f"The download is {length / MB:.0f} MB, more than max_download_mb "
                f"({self.profile.max_download_mb} MB); nothing was written.",
                "If the recording is really that big, raise max_download_mb in the profile "
                "(or CCFS_MAX_DOWNLOAD_MB).",
            )
        decoder = _Decoder(response.headers.get("content-encoding", ""))
        loop = asyncio.get_running_loop()
        window = self.profile.read_timeout
        received = decoded = window_bytes = 0
        head = b""  # decoded bytes while it is not known yet whether they are audio or JSON
        audio: bool | None = None
        watchdog = asyncio.timeout_at(loop.time() + window)
        try:
            async with watchdog:
                async for raw in response.aiter_raw():
                    received += len(raw)
                    window_bytes += len(raw)
                    if window_bytes >= MIN_PROGRESS:
                        window_bytes = 0
                        watchdog.reschedule(loop.time() + window)
                    data = decoder.decode(raw, limit - decoded)
                    decoded += len(data)
                    if decoded > limit:
                        raise CcfsBadReplyError(
                            f"The download grew past max_download_mb "
                            f"({self.profile.max_download_mb} MB) and was stopped; the partial "
                            "file was removed.",
                            "If the recording is really that big, raise max_download_mb in the "
                            "profile (or CCFS_MAX_DOWNLOAD_MB).",
                        )
                    if audio:
                        write(data)
                    else:
                        head += data
                        if audio is None and head.strip():
                            audio = head.lstrip()[:1] != b"{"
                            if audio:
                                write(head)
                                head = b""
                        if len(head) > MAX_ERROR_BODY:
                            break
                    if progress:
                        progress(received, length)
                    await asyncio.sleep(0)  # Ctrl-C / Esc get through a fast stream
        except TimeoutError:
            if watchdog.expired():
                raise CcfsTimeoutError(
                    f"The download from {self._host()} made no real progress: less than "
                    f"{MIN_PROGRESS // 1024} KiB in {window:g} s; it was stopped.",
                    "The CC-FS or the network is stalling: retry later, or raise read_timeout "
                    "in the profile.",
                ) from None
            raise
        if audio is False:
            error = self._parse_json(
                head[: MAX_ERROR_BODY + 1], response.headers.get("content-type", "")
            )
            code = str(error.get("resultCode", error.get("retCode", "?")))
            raise result_error(code, str(error.get("resultDesc", error.get("resultMsg", ""))))
        if (length is not None and received != length) or not decoder.complete():
            where = f" at {received} of {length} bytes" if length is not None else ""
            raise CcfsConnectError(
                f"The download stopped{where} before its end.", "Retry the download."
            )
        if not audio:
            raise CcfsBadReplyError("CC-FS sent an empty file.", "Request a new token; retry.")


def check_token_origin(token: Token) -> None:
    """Refuse a token that is not plain text, or that does not name the http(s) server
    that issued it (a tampered token store): such a token never goes into a URL."""
    check_token(token.token)
    parts = urlsplit(token.base_url)
    if not token.base_url or parts.scheme not in ("http", "https") or not parts.hostname:
        raise CcfsError(
            f"The token of {token.file_name} does not say which server issued it.",
            "Request a new token (Enter / ccfs-tui token); it is sent only to its server.",
        )


def play_voice_url(token: Token, now_ms: int) -> str:
    """The playVoice URL of ``token`` at the server that issued it, the one place it is
    built (``t`` is an anti-cache timestamp in ms). Refused by :func:`check_token_origin`."""
    check_token_origin(token)
    return (
        f"{token.base_url.rstrip('/')}{PLAY_VOICE}?t={now_ms}&version=2.0"
        f"&st={quote(token.token, safe='')}"
    )


def _safe_stem(text: str) -> str:
    """A call id as a file name: letters, digits, ``.-_`` kept, anything else ``_``."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in text)
    return safe.strip(".")[:80] or "call"


def _json_kind(value: object) -> str:
    """``a list``, ``a string`` ...: what a JSON value is, for a message."""
    names = {list: "a list", str: "a string", int: "a number", float: "a number"}
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return names.get(type(value), f"a {type(value).__name__}")
