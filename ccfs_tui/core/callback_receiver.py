"""The HTTP(S) receiver of queryBillData callbacks (reference section 6, step 2).

CC-FS announces a generated bill file by POSTing
``{"request":{"version":"2.0"},"msgBody":{"responseId":..,"billFileName":..,"accountId":..}}``
to the ``callBackURL`` of the query, signed with auth-v2 by the same AK/SK. The receiver:

* listens on ``callback_listen`` (``HOST:PORT``; ``[::1]:PORT`` for IPv6; port 0 picks a
  free one), plain HTTP or, with ``callback_cert`` / ``callback_key``, HTTPS (TLS 1.2+; the
  handshake runs in the connection's own thread, never in the accept loop);
* reads a body of at most :data:`MAX_BODY` bytes (a bigger or unannounced one is refused
  before it is read: 413 / 411);
* verifies the signature with :func:`~ccfs_tui.core.signing.verify_authorization` and the
  profile's AK/SK. A callback that fails is answered **401** and ignored (it is told to
  ``on_event``, never trusted); one that passes is answered **200** with a JSON body
  (:data:`DEFAULT_REPLY` unless configured: what CC-FS wants in it is not documented; it
  retries every 10 minutes until it gets a 200 with a non-empty body);
* hands each verified notice to whoever waits for its ``responseId`` (:meth:`wait`); a
  notice that arrives before anyone waits is kept, so a fast callback is never lost.

Everything that came from the network is shown through :func:`sanitize.visible`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import ssl
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ccfs_tui.core.callback_settings import DEFAULT_REPLY, parse_listen
from ccfs_tui.core.clock import Clock, utc_now
from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.sanitize import visible
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signing import VerificationError, verify_authorization
from ccfs_tui.core.threaded_server import serve_in_thread, stop_serving

MAX_BODY = 64 * 1024
"""The largest callback body read (a real one is under 300 bytes)."""
CONNECTION_TIMEOUT = 10.0
"""Seconds a connection may take to send its request."""
RESPONSE_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
BILL_FILE_RE = re.compile(r"[A-Za-z0-9._-]{1,49}")
"""A ``billFileName`` as downloadBillFile accepts it (else 0300022)."""

EventSink = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BillNotice:
    """One verified callback: the bill file CC-FS made for a query."""

    response_id: str
    bill_file_name: str
    account_id: str
    received_at: datetime
    peer: str


def _wildcard(host: str) -> bool:
    return host in ("0.0.0.0", "::", "")


def _server_context(cert: Path, key: Path | None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(cert), str(key) if key else None)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(
            f"callback_cert {visible(str(cert))} / callback_key "
            f"{visible(str(key)) if key else '(in the cert file)'} cannot be loaded "
            f"({type(exc).__name__}: {visible(str(exc), 120)}).",
            "Point callback_cert at a PEM certificate (chain) and callback_key at its private "
            "key, or leave both unset for a plain-HTTP receiver.",
        ) from None
    return context


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        receiver: CallbackReceiver,
        context: ssl.SSLContext | None,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.receiver = receiver
        self.ssl_context = context
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(CONNECTION_TIMEOUT)
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        try:
            wrapped = self.ssl_context.wrap_socket(request, server_side=True)
        except (OSError, ValueError) as exc:
            self.receiver._event(
                f"TLS handshake with {client_address[0]} failed: {type(exc).__name__}"
            )
            return
        try:
            super().finish_request(wrapped, client_address)
        finally:
            with contextlib.suppress(OSError):
                wrapped.shutdown(socket.SHUT_WR)
            wrapped.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        self.receiver._event(f"connection from {client_address[0]} failed: {type(exc).__name__}")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "ccfs-tui-callback"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: what matters goes to the receiver's events."""

    def _answer(self, status: int, body: str) -> None:
        data = body.encode("utf-8")
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def _refuse(self, status: int, reason: str) -> None:
        peer = self.client_address[0]
        self.server.receiver._refused(f"refused a callback from {peer}: {reason}")
        self._answer(status, json.dumps({"resultCode": str(status), "resultDesc": reason}))

    def do_GET(self) -> None:
        self._refuse(405, "only POST is accepted")

    do_PUT = do_DELETE = do_HEAD = do_GET

    def do_POST(self) -> None:
        receiver = self.server.receiver
        if self.headers.get("Transfer-Encoding"):
            self._refuse(411, "a Content-Length is required")
            return
        length_text = (self.headers.get("Content-Length") or "").strip()
        if not length_text.isdigit():
            self._refuse(411, "a Content-Length is required")
            return
        length = int(length_text)
        if length > receiver.max_body:
            self._refuse(413, f"a body of {length} bytes is more than {receiver.max_body}")
            return
        raw = self.rfile.read(length)
        if len(raw) != length:
            self._refuse(400, "the body ended early")
            return
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._refuse(400, "the body is not UTF-8")
            return
        target = urlsplit(self.path)
        headers = {name.lower(): value for name, value in reversed(self.headers.items())}
        try:
            verify_authorization(
                self.headers.get("Authorization"),
                secrets={receiver.app_id: receiver.secret},
                method="POST",
                path=target.path,
                query=dict(parse_qsl(target.query, keep_blank_values=True)),
                headers=headers,
                body=body,
                now=receiver.clock(),
                max_skew=receiver.max_skew,
            )
        except VerificationError as exc:
            self._refuse(401, f"signature refused ({visible(str(exc), 160)})")
            return
        try:
            notice = _notice(body, receiver.clock(), self.client_address[0])
        except ValueError as exc:
            self._refuse(400, str(exc))
            return
        self._answer(200, receiver.reply)
        receiver._deliver(notice)


def _notice(body: str, now: datetime, peer: str) -> BillNotice:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise ValueError("the body is not JSON") from None
    msg = data.get("msgBody") if isinstance(data, dict) else None
    if not isinstance(msg, dict):
        raise ValueError("the body has no msgBody object")
    response_id = msg.get("responseId")
    bill = msg.get("billFileName")
    account = msg.get("accountId", "")
    if not isinstance(response_id, str) or not RESPONSE_ID_RE.fullmatch(response_id):
        raise ValueError("msgBody.responseId is missing or not 1-64 letters and digits")
    if not isinstance(bill, str) or not BILL_FILE_RE.fullmatch(bill):
        raise ValueError("msgBody.billFileName is missing or not a bill file name")
    return BillNotice(response_id, bill, account if isinstance(account, str) else "", now, peer)


class CallbackReceiver:
    """Receives and verifies queryBillData callbacks in a background thread.

    ``start()`` it (or use ``with``); ``await wait(response_id)`` for a query's notice.
    ``on_event`` gets one line (already made visible) for each refused callback and each
    connection problem; it is called from the receiver's threads.
    """

    def __init__(
        self,
        listen: str,
        *,
        app_id: str,
        secret: Secret,
        cert: Path | None = None,
        key: Path | None = None,
        clock: Clock = utc_now,
        reply: str = DEFAULT_REPLY,
        max_body: int = MAX_BODY,
        max_skew: timedelta = timedelta(minutes=15),
        on_event: EventSink | None = None,
    ) -> None:
        self.host, self._port = parse_listen(listen)
        self.app_id = app_id
        self.secret = secret
        self.cert = cert
        self.key = key
        self.clock = clock
        self.reply = reply or DEFAULT_REPLY
        self.max_body = max_body
        self.max_skew = max_skew
        self.on_event = on_event
        self.refused = 0
        """Callbacks answered with an error (forged, malformed, too big ...)."""
        self._lock = threading.Lock()
        self._notices: dict[str, BillNotice] = {}
        self._claimed: set[str] = set()
        self._waiters: dict[
            str, list[tuple[asyncio.AbstractEventLoop, asyncio.Future[BillNotice]]]
        ] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        state = f"{self.host}:{self.port}" if self._server else "stopped"
        return f"CallbackReceiver({state}, tls={self.cert is not None})"

    # ---- lifecycle -------------------------------------------------------------------

    def start(self) -> CallbackReceiver:
        """Bind and serve in a daemon thread. Raises :class:`ConfigError` when the address
        cannot be bound or the TLS files cannot be loaded."""
        if self._server is not None:
            raise RuntimeError("the receiver is already running")
        context = _server_context(self.cert, self.key) if self.cert else None
        try:
            self._server = _Server((self.host, self._port), self, context)
        except OSError as exc:
            raise ConfigError(
                f"Cannot receive callbacks on {self.host}:{self._port}: "
                f"{exc.strerror or type(exc).__name__}.",
                "Set callback_listen (or --callback-listen / CCFS_CALLBACK_LISTEN) to a free "
                "address:port of this machine that CC-FS can reach.",
            ) from None
        self._thread = serve_in_thread(self._server, f"ccfs-callback:{self.port}", 0.1)
        return self

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        server, self._server = self._server, None
        if server is None:
            return
        stop_serving(server, self._thread)

    def __enter__(self) -> CallbackReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port really bound (the one asked for before ``start``)."""
        return self._server.server_address[1] if self._server else self._port

    @property
    def scheme(self) -> str:
        return "https" if self.cert else "http"

    def default_url(self, path: str = "/ccfs-callback") -> str | None:
        """A callback URL for this receiver when it listens on one address (not a wildcard:
        then only the user knows which address CC-FS can reach); else ``None``."""
        if _wildcard(self.host):
            return None
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{path}"

    # ---- notices ---------------------------------------------------------------------

    async def wait(self, response_id: str) -> BillNotice:
        """The verified notice of ``response_id``: at once if it came already, else when it
        comes. Cancel it (or wrap it in a timeout) to stop waiting."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[BillNotice] = loop.create_future()
        entry = (loop, future)
        with self._lock:
            notice = self._notices.get(response_id)
            if notice is not None:
                self._claimed.add(response_id)
                return notice
            self._waiters.setdefault(response_id, []).append(entry)
        try:
            notice = await future
        finally:
            with self._lock:
                waiting = self._waiters.get(response_id, [])
                if entry in waiting:
                    waiting.remove(entry)
                if not waiting:
                    self._waiters.pop(response_id, None)
        return notice

    def notice(self, response_id: str) -> BillNotice | None:
        """The verified notice of ``response_id``, if it came."""
        with self._lock:
            return self._notices.get(response_id)

    def unclaimed(self) -> list[BillNotice]:
        """Verified notices nobody waited for (e.g. CC-FS retrying an earlier query's)."""
        with self._lock:
            return [n for rid, n in self._notices.items() if rid not in self._claimed]

    def _deliver(self, notice: BillNotice) -> None:
        with self._lock:
            self._notices.setdefault(notice.response_id, notice)
            waiters = self._waiters.pop(notice.response_id, [])
            if waiters:
                self._claimed.add(notice.response_id)
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(_resolve, future, notice)

    def _refused(self, text: str) -> None:
        with self._lock:
            self.refused += 1
        self._event(text)

    def _event(self, text: str) -> None:
        if self.on_event is not None:
            with contextlib.suppress(Exception):  # a failing sink never breaks the server
                self.on_event(visible(text, 300))


def _resolve(future: asyncio.Future[BillNotice], notice: BillNotice) -> None:
    if not future.done():
        future.set_result(notice)
