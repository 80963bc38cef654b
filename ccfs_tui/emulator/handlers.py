"""The HTTP side of the emulator: one request handler for the CC-FS interfaces.

All interfaces live under ``/CCFS/resource/ccfs/`` (reference section 3):

- ``POST requestPlayVoice`` (C2): fileName = original_file_name with ``/`` -> token (30 min).
- ``GET playVoice?t=..&version=2.0&st=TOKEN`` (no Authorization): the WAV; every error is
  JSON under ``application/octet-stream`` with HTTP 200, as a real CC-FS does.
- ``POST downloadRecordFile`` (C2): fileName = index file_name -> the WAV.
- ``POST downloadRecord`` (C2): fileName and/or callId (+ ccId, a string or a number) -> the
  WAV, or a zip of the WAVs when the call has several recordings. Neither fileName nor
  callId: 0300019; nothing found: 0300012; callId in several call centres and no ccId:
  0300017; a recording of another app id: 0300018 (reference section 7).
- ``POST queryBillData`` (C2): checks the window (:mod:`.bills`), answers a 32-hex
  ``responseId``, then posts the signed callback to ``callBackURL`` (:mod:`.callbacks`).
- ``POST downloadBillFile`` (C2): billFileName -> the bill zip under
  ``Application/Octet-stream;charset=UTF-8`` (bad name 0300022, unknown 0300012).

Anything else is 404. Result codes are in :mod:`ccfs_tui.emulator.codes`.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import re
import socket
import zipfile
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ccfs_tui.core.signing import VerificationError, verify_authorization
from ccfs_tui.emulator import codes
from ccfs_tui.emulator.audio import make_wav
from ccfs_tui.emulator.bills import check_bill_file_name, parse_bill_query
from ccfs_tui.emulator.callbacks import CallbackJob
from ccfs_tui.emulator.catalogue import CatalogueEntry
from ccfs_tui.emulator.codes import ApiError
from ccfs_tui.emulator.faults import FaultPlan
from ccfs_tui.emulator.msg_body import MAX_CALL_ID, check_dates, parse_msg_body, string_field
from ccfs_tui.emulator.state import EmulatorState, SeenRequest

API_PREFIX = "/CCFS/resource/ccfs/"
ENDPOINTS: dict[str, str] = {
    "requestPlayVoice": "POST",
    "playVoice": "GET",
    "downloadRecordFile": "POST",
    "downloadRecord": "POST",
    "queryBillData": "POST",
    "downloadBillFile": "POST",
}
"""Endpoint name -> its HTTP method."""

JSON_TYPE = "application/json;charset=UTF-8"
AUDIO_TYPE = "application/octet-stream"
BILL_TYPE = "Application/Octet-stream;charset=UTF-8"
HTML_TYPE = "text/html;charset=UTF-8"
MAX_BODY = 1 << 20
CHUNK = 64 * 1024

_DOWNLOAD_NAME = re.compile(r"[A-Za-z0-9/.]+")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_STATUS_PAGES: dict[int, str] = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


class Unauthorized(Exception):
    """The signature was refused: HTTP 401."""


class AddressLocked(Exception):
    """The client's address is locked after too many bad signatures: HTTP 403."""


class BadBody(Exception):
    """The HTTP framing of the body is wrong (bad Content-Length, chunking, too large)."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        super().__init__(reason)


def error_body(code: str, desc: str) -> bytes:
    """The JSON of an error answer (new and legacy fields)."""
    return _json(
        {
            "resultCode": code,
            "resultDesc": desc,
            "response": {"version": "2.0", "resultCode": code, "resultMsg": desc},
        }
    )


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _html(status: int, title: str) -> bytes:
    return (
        f"<html>\r\n<head><title>{status} {title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    """Answers like a CC-FS. ``self.server.state`` (:class:`EmulatorState`) holds the state."""

    protocol_version = "HTTP/1.1"
    server_version = "CC-FS-emulator"
    sys_version = ""
    timeout = 60
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.state.connections.add(self.connection)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.state.connections.discard(self.connection)

    @property
    def state(self) -> EmulatorState:
        """The state of the emulator this handler serves."""
        return self.server.state  # type: ignore[attr-defined,no-any-return]

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header from the emulator's own clock (a ``FakeClock`` set ahead
        makes a server whose clock is off, as ``ccfs-tui doctor`` sees it)."""
        if timestamp is None:
            timestamp = self.state.clock().timestamp()
        return super().date_time_string(timestamp)

    def log_message(self, format: str, *args: Any) -> None:
        self.state.log(f"{self.client_address[0]} {format % args}")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Quiet: :meth:`_dispatch` logs one line per request itself."""

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_GET

    # ---- framing -------------------------------------------------------------------

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        self._path = split.path
        self._query = dict(parse_qsl(split.query, keep_blank_values=True))
        self._plan: FaultPlan | None = None
        self._status = 0
        self._result_code: str | None = None
        self._app_id: str | None = None
        self._recorded = False
        name = split.path[len(API_PREFIX) :] if split.path.startswith(API_PREFIX) else ""
        endpoint = self._endpoint = name if ENDPOINTS.get(name) == self.command else None
        try:
            body = self._read_body()
        except BadBody as exc:
            self.close_connection = True
            self._send_html(exc.status, str(exc))
            return
        if endpoint is None:
            self._send_html(404, "Not Found")
            return
        plan = self._plan = self.state.faults.take(endpoint)
        if plan is not None and plan.latency > 0:
            self.state.stopping.wait(plan.latency)
        if plan is not None and plan.drop:
            self.close_connection = True
            self._record()
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        elif plan is not None and plan.status == 403:
            self._send_locked()
        elif plan is not None and plan.status:
            self._send_html(plan.status, _STATUS_PAGES.get(plan.status, "Error"))
        elif plan is not None and plan.non_json:
            page = b"<html><body><h1>Access denied</h1><p>Request blocked.</p></body></html>"
            self._respond(200, HTML_TYPE, page)
        else:
            handler: Callable[[bytes], None] = getattr(self, f"_do_{endpoint}")
            try:
                handler(body)
            except Exception as exc:  # an emulator bug: answer like a crashed server would
                self.state.log(f"internal error in {endpoint}: {type(exc).__name__}: {exc}")
                self.close_connection = True
                if not self._status:
                    self._send_html(500, "Internal Server Error")
        self._record()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            size = int(length)
        except ValueError:
            raise BadBody(400, "Bad Request") from None
        if size < 0:
            raise BadBody(400, "Bad Request")
        if size > MAX_BODY:
            raise BadBody(413, "Request Entity Too Large")
        return self.rfile.read(size)

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadBody(400, "Bad Request") from None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                raise BadBody(413, "Request Entity Too Large")
            parts.append(self.rfile.read(size))
            self.rfile.readline(8)

    def _respond(
        self,
        status: int,
        content_type: str,
        body: bytes,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self._status = status
        plan = self._plan
        if plan is not None and plan.reply_body is not None:
            body = plan.reply_body
        if plan is not None and _shapes_body(plan):
            self._respond_shaped(status, content_type, body, headers, plan)
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self._record()  # before the client can see the answer, so tests can rely on it
        self.end_headers()
        if self.command == "HEAD":
            return
        if self._plan is not None and self._plan.drop_mid_body:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.wfile.write(body[: len(body) // 2])
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        view = memoryview(body)
        for start in range(0, len(body), CHUNK):
            self.wfile.write(view[start : start + CHUNK])

    def _respond_shaped(
        self,
        status: int,
        content_type: str,
        body: bytes,
        headers: tuple[tuple[str, str], ...],
        plan: FaultPlan,
    ) -> None:
        """The ``endless_body`` / ``declared_length`` / ``trickle`` / ``gzip`` faults."""
        self.close_connection = True
        chunks: Iterator[bytes] = iter((body,))
        if plan.endless_body:
            filler = (b" " if "json" in content_type else b"\0") * CHUNK
            chunks = itertools.chain(chunks, itertools.repeat(filler))
        if plan.gzip:
            chunks = _gzip_stream(chunks)
            if not plan.endless_body:
                chunks = iter((b"".join(chunks),))
        length: int | None = plan.declared_length
        if length is None and not plan.endless_body:
            chunks = iter((b"".join(chunks),))
            first = next(chunks)
            length = len(first)
            chunks = iter((first,))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if plan.gzip:
            self.send_header("Content-Encoding", "gzip")
        if length is not None:
            self.send_header("Content-Length", str(length))
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self._record()
        self.end_headers()
        if self.command == "HEAD":
            return
        left = length if length is not None else -1
        if plan.drop_mid_body and length is not None:
            left = length // 2
        with contextlib.suppress(OSError):
            self._stream(chunks, left, plan.trickle)
            if plan.drop_mid_body:
                self.connection.shutdown(socket.SHUT_RDWR)

    def _stream(self, chunks: Iterator[bytes], left: int, trickle: float) -> None:
        """Write ``chunks`` (at most ``left`` bytes if >= 0), one byte per ``trickle`` s."""
        stopping = self.state.stopping
        for chunk in chunks:
            if left >= 0:
                chunk = chunk[:left]
                left -= len(chunk)
            if trickle > 0:
                for index in range(len(chunk)):
                    if stopping.wait(trickle):
                        return
                    self.wfile.write(chunk[index : index + 1])
                    self.wfile.flush()
            else:
                self.wfile.write(chunk)
            if left == 0 or stopping.is_set():
                return

    def _send_html(self, status: int, title: str) -> None:
        headers = (("Retry-After", "1"),) if status == 503 else ()
        self._respond(status, HTML_TYPE, _html(status, title), headers)

    def _send_locked(self) -> None:
        """HTTP 403 "The IP address is locked", as CC-FS's Spring layer answers it."""
        now = self.state.clock()
        body = {
            "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}+0000",
            "status": 403,
            "error": "Forbidden",
            "message": "No message available",
            "path": self._path,
        }
        self._respond(403, JSON_TYPE, _json(body))

    def _send_json(self, payload: dict[str, Any], status: int = 200) -> None:
        self._result_code = str(payload.get("resultCode"))
        self._respond(status, JSON_TYPE, _json(payload))

    def _send_error(self, error: ApiError, *, as_audio: bool = False) -> None:
        self._result_code = error.code
        self._respond(
            200, AUDIO_TYPE if as_audio else JSON_TYPE, error_body(error.code, error.desc)
        )

    def _send_audio(
        self, body: bytes, download_name: str | None = None, content_type: str = AUDIO_TYPE
    ) -> None:
        self._result_code = codes.SUCCESS
        headers: tuple[tuple[str, str], ...] = ()
        if download_name:
            headers = (("Content-Disposition", f'attachment; filename="{download_name}"'),)
        self._respond(200, content_type, body, headers)

    def _record(self) -> None:
        """Remember this request once (at its answer, or when it is dropped)."""
        if self._recorded:
            return
        self._recorded = True
        plan = self._plan
        seen = SeenRequest(
            method=self.command,
            path=self._path,
            endpoint=self._endpoint,
            app_id=self._app_id,
            status=self._status,
            result_code=self._result_code,
            faults=tuple(plan.names()) if plan is not None else (),
        )
        self.state.requests.add(seen)
        self.state.log(
            f"{self.client_address[0]} {self.command} {self._path} -> {self._status or 'dropped'}"
            + (f" resultCode={self._result_code}" if self._result_code is not None else "")
            + (f" appId={self._app_id}" if self._app_id else "")
            + (f" faults={','.join(seen.faults)}" if seen.faults else "")
        )

    # ---- C2 checks -------------------------------------------------------------------

    def _authenticate(self, body: bytes) -> str:
        state = self.state
        address = self.client_address[0]
        if state.locks.locked(address, state.clock()):
            raise AddressLocked
        try:
            app_id = verify_authorization(
                self.headers.get("Authorization"),
                secrets=state.credentials,
                method=self.command,
                path=self._path,
                query=self._query,
                headers=dict(self.headers.items()),
                body=body.decode("utf-8", errors="replace"),
                now=state.clock(),
                max_skew=state.max_skew,
                required_headers=("host",),
            )
        except VerificationError as exc:
            state.locks.bad_signature(address, state.clock())
            raise Unauthorized(str(exc)) from None
        self._app_id = app_id
        return app_id

    def _c2(self, body: bytes, action: Callable[[str, dict[str, Any]], None]) -> None:
        """Verify the signature, apply result-code faults, parse the body, run ``action``."""
        try:
            app_id = self._authenticate(body)
        except AddressLocked:
            self._send_locked()
            return
        except Unauthorized as exc:
            self._send_json(
                {
                    "resultCode": codes.UNAUTHORIZED,
                    "resultDesc": f"{codes.DESCRIPTIONS['401']}: {exc}",
                },
                status=401,
            )
            return
        plan = self._plan
        try:
            if plan is not None and plan.result_code:
                raise ApiError(plan.result_code, plan.result_desc)
            action(app_id, parse_msg_body(body))
        except ApiError as exc:
            as_audio = plan is not None and plan.json_error_as_audio and self._downloads()
            self._send_error(exc, as_audio=as_audio)

    def _downloads(self) -> bool:
        return self._path.endswith(("/downloadRecordFile", "/downloadRecord", "/downloadBillFile"))

    def _injected_audio_error(self) -> None:
        """Raise the ``json_error_as_audio`` fault's error, if that fault is on."""
        plan = self._plan
        if plan is not None and plan.json_error_as_audio:
            raise ApiError(plan.result_code or codes.INJECTED_ERROR, plan.result_desc)

    # ---- endpoints -----------------------------------------------------------------

    def _do_requestPlayVoice(self, body: bytes) -> None:
        def action(app_id: str, msg: dict[str, Any]) -> None:
            name = string_field(msg, "fileName", required=True)
            assert name is not None
            check_dates(name)
            entry = self._owned(self.state.catalogue.by_play_name(name), app_id)
            token = self.state.grants.issue(entry, app_id, self.state.clock())
            self._send_json(
                {
                    "resultCode": codes.SUCCESS,
                    "resultDesc": "success",
                    "resultData": {"token": token},
                    "response": {"version": "2.0", "resultCode": "0", "resultMsg": "success"},
                }
            )

        self._c2(body, action)

    def _do_playVoice(self, body: bytes) -> None:
        token = self._query.get("st", "")
        try:
            if not token.strip():
                raise ApiError(codes.TOKEN_EMPTY)
            version = self._query.get("version")
            if version is not None and version != "2.0":
                raise ApiError(codes.WRONG_VERSION)
            grant = self.state.grants.check(token, self.state.clock())
            self._app_id = grant.app_id
            self._injected_audio_error()
        except ApiError as exc:
            self._send_error(exc, as_audio=True)
            return
        self._send_audio(make_wav(grant.entry.original_file_name, grant.entry.duration))

    def _do_downloadRecordFile(self, body: bytes) -> None:
        def action(app_id: str, msg: dict[str, Any]) -> None:
            name = string_field(msg, "fileName", required=True, pattern=_DOWNLOAD_NAME)
            assert name is not None
            entry = self._owned(self.state.catalogue.by_file_name(name), app_id)
            self._injected_audio_error()
            self._send_audio(make_wav(entry.original_file_name, entry.duration), entry.wav_name)

        self._c2(body, action)

    def _do_downloadRecord(self, body: bytes) -> None:
        def action(app_id: str, msg: dict[str, Any]) -> None:
            catalogue = self.state.catalogue
            name = string_field(msg, "fileName", required=False)
            call_id = string_field(msg, "callId", required=False, limit=MAX_CALL_ID, number_ok=True)
            cc_id = string_field(msg, "ccId", required=False, limit=MAX_CALL_ID, number_ok=True)
            if name is None and call_id is None:
                raise ApiError(
                    codes.NAME_OR_CALL_ID, "msgBody.fileName or msgBody.callId is needed"
                )
            if name is not None:
                check_dates(name)
                entry = catalogue.by_play_name(name)
                if entry is not None and call_id is not None and entry.call_id != call_id:
                    entry = None
                if entry is not None and cc_id is not None and entry.cc_id != cc_id:
                    entry = None
                entries = [entry] if entry is not None else []
            else:
                assert call_id is not None
                if cc_id is None:
                    cc_ids = catalogue.cc_ids_of(call_id)
                    if len(cc_ids) > 1:
                        raise ApiError(codes.GIVE_CC_ID)
                    cc_id = min(cc_ids, default="1")
                entries = catalogue.by_call(call_id, cc_id)
            if not entries:
                raise ApiError(codes.NO_DATA)
            if any(entry.owner != app_id for entry in entries):
                raise ApiError(codes.OTHER_DEVELOPER)
            self._injected_audio_error()
            if len(entries) == 1:
                one = entries[0]
                self._send_audio(make_wav(one.original_file_name, one.duration), one.wav_name)
            else:
                self._send_audio(_zip(entries), f"{entries[0].call_id}.zip")

        self._c2(body, action)

    def _do_queryBillData(self, body: bytes) -> None:
        def action(app_id: str, msg: dict[str, Any]) -> None:
            state = self.state
            now = state.bills.now(state.clock())
            query = parse_bill_query(msg, now)
            bill = state.bills.make(query, app_id, state.catalogue, now)
            self._send_json(
                {
                    "resultCode": codes.SUCCESS,
                    "resultDesc": "success",
                    "resultData": {"responseId": bill.response_id},
                    "response": {"version": "2.0", "resultCode": "0", "resultMsg": "success"},
                }
            )
            notice: dict[str, Any] = {
                "responseId": bill.response_id,
                "billFileName": bill.file_name,
            }
            if query.account_id is not None:
                notice["accountId"] = query.account_id
            job = CallbackJob(
                url=query.callback_url,
                payload={"request": {"version": "2.0"}, "msgBody": notice},
                app_id=app_id,
                secret=state.credentials[app_id],
                clock=state.clock,
            )
            state.callbacks.send(job, state.stopping, state.log)

        self._c2(body, action)

    def _do_downloadBillFile(self, body: bytes) -> None:
        def action(app_id: str, msg: dict[str, Any]) -> None:
            name = check_bill_file_name(msg)
            bill = self.state.bills.get(name, app_id)
            if bill is None:
                raise ApiError(codes.NO_DATA, f"no bill file {name}")
            self._injected_audio_error()
            self._send_audio(self.state.bills.zip_of(bill), name, BILL_TYPE)

        self._c2(body, action)

    def _owned(self, entry: CatalogueEntry | None, app_id: str) -> CatalogueEntry:
        if entry is None:
            raise ApiError(codes.FILE_NOT_FOUND)
        if entry.owner != app_id:
            raise ApiError(codes.APP_ID_MISMATCH)
        return entry


def _shapes_body(plan: FaultPlan) -> bool:
    return plan.endless_body or plan.declared_length is not None or plan.trickle > 0 or plan.gzip


def _gzip_stream(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` gzip-encoded on the fly (an endless input gives an endless output)."""
    encoder = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for chunk in chunks:
        out = encoder.compress(chunk)
        if out:
            yield out
    yield encoder.flush()


def _zip(entries: list[CatalogueEntry]) -> bytes:
    """A zip (stored, deterministic) of the WAVs of ``entries``."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for index, entry in enumerate(entries, 1):
            name = entry.wav_name
            if name in used:
                name = f"{name[:-4]}_{index}.wav"
            used.add(name)
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            archive.writestr(info, make_wav(entry.original_file_name, entry.duration))
    return buffer.getvalue()
