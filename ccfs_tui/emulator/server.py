"""The embedded CC-FS emulator: a real HTTP(S) server on loopback in a background thread."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import ssl
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from datetime import timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from ccfs_tui.core.clock import Clock, utc_now
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.threaded_server import serve_in_thread, stop_serving
from ccfs_tui.core.tokens import TOKEN_LIFETIME
from ccfs_tui.emulator.bills import Bills
from ccfs_tui.emulator.callbacks import Callbacks
from ccfs_tui.emulator.catalogue import Catalogue
from ccfs_tui.emulator.faults import Faults
from ccfs_tui.emulator.grants import Grants
from ccfs_tui.emulator.handlers import API_PREFIX, Handler
from ccfs_tui.emulator.state import AddressLocks, EmulatorState, SeenRequest
from ccfs_tui.emulator.tls import load_or_make_certificate, server_context

DEFAULT_RECORDINGS = 200
"""Recordings in the catalogue made up when none is given."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], state: EmulatorState, context: ssl.SSLContext | None
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.state = state
        self.ssl_context = context
        super().__init__(address, Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        # The TLS handshake runs here, in the connection's own thread, never in the
        # accept loop: a slow or failing client cannot stall the server.
        request.settimeout(Handler.timeout)
        try:
            wrapped = self.ssl_context.wrap_socket(request, server_side=True)
        except (OSError, ValueError) as exc:
            self.state.log(f"{client_address[0]} TLS handshake failed: {exc}")
            return
        try:
            super().finish_request(wrapped, client_address)
        finally:
            with contextlib.suppress(OSError):
                wrapped.shutdown(socket.SHUT_WR)
            wrapped.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: one log line, never a traceback on stderr."""
        exc = sys.exc_info()[1]
        self.state.log(f"{client_address[0]} connection error: {type(exc).__name__}: {exc}")


class Emulator:
    """An emulated CC-FS. ``start()`` it (or use ``with``), then point a client at ``base_url``.

    ``credentials`` maps app ids to their SK (``None`` makes one pair up); ``catalogue``
    holds the recordings (``None``: a small generated one owned by the first app id);
    ``clock`` is the server's clock (pass a ``FakeClock`` for skew and token expiry tests).
    ``faults`` can be changed at any time; ``requests_seen`` records recent requests.

    ``lock_after``: like a real CC-FS (reference section 8), lock a client address after
    that many bad signatures within ``lock_window``: its signed requests are then answered
    HTTP 403 with a Spring-style JSON body for ``lock_time`` (``None``: never lock).
    ``faults.status = 403`` answers that same 403 at once.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
        credentials: Mapping[str, Secret] | None = None,
        catalogue: Catalogue | None = None,
        clock: Clock = utc_now,
        cert_dir: Path | None = None,
        max_skew: timedelta = timedelta(minutes=15),
        token_lifetime: timedelta = TOKEN_LIFETIME,
        log: Callable[[str], None] | None = None,
        lock_after: int | None = None,
        lock_window: timedelta = timedelta(minutes=10),
        lock_time: timedelta = timedelta(minutes=30),
    ) -> None:
        self.host = host
        self.tls = tls
        credentials = dict(credentials) if credentials else {make_app_id(): make_secret()}
        self.state = EmulatorState(
            credentials=credentials,
            catalogue=catalogue if catalogue is not None else _default_catalogue(credentials),
            clock=clock,
            max_skew=max_skew,
            grants=Grants(token_lifetime),
            locks=AddressLocks(lock_after, lock_window, lock_time),
            log_to=log,
        )
        self.ca_bundle: Path | None = None
        self._requested_port = port
        self._cert_dir = cert_dir
        self._own_cert_dir: Path | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        state = self.base_url if self._server is not None else "stopped"
        return f"Emulator({state}, app_ids={sorted(self.credentials)!r})"

    # ---- lifecycle -----------------------------------------------------------------

    def start(self) -> Emulator:
        """Bind, then serve in a daemon thread. Returns self."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        context = None
        if self.tls:
            directory = self._cert_dir
            if directory is None:
                directory = self._own_cert_dir = Path(tempfile.mkdtemp(prefix="ccfs-emu-tls-"))
            pair = load_or_make_certificate(directory)
            context = server_context(pair)
            self.ca_bundle = pair.cert
        self.state.stopping.clear()
        self._server = _Server((self.host, self._requested_port), self.state, context)
        self._thread = serve_in_thread(self._server, f"ccfs-emulator:{self.port}", 0.05)
        return self

    def stop(self) -> None:
        """Stop serving, drop open connections, remove a temporary certificate folder."""
        server, self._server = self._server, None
        if server is None:
            return
        self.state.stopping.set()
        stop_serving(server, self._thread, self._drop_connections)
        if self._own_cert_dir is not None:
            shutil.rmtree(self._own_cert_dir, ignore_errors=True)
            self._own_cert_dir = None
            self.ca_bundle = None

    def _drop_connections(self) -> None:
        """Connections still open (a client holding a keep-alive) are shut down."""
        for connection in self.state.connections.snapshot():
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True between ``start()`` and ``stop()``."""
        return self._server is not None

    @property
    def port(self) -> int:
        """The bound port (valid after start)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http(s)://host:port`` (valid after start)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    def url(self, endpoint: str) -> str:
        """The full URL of an endpoint, e.g. ``url("requestPlayVoice")``."""
        return f"{self.base_url}{API_PREFIX}{endpoint}"

    # ---- the state, for tests and the demo --------------------------------------------

    @property
    def credentials(self) -> dict[str, Secret]:
        """App id (AK) -> SK; add pairs at any time."""
        return self.state.credentials

    @property
    def catalogue(self) -> Catalogue:
        """The recordings served."""
        return self.state.catalogue

    @property
    def clock(self) -> Clock:
        """The server's clock (token expiry, signature skew, address locks)."""
        return self.state.clock

    @property
    def max_skew(self) -> timedelta:
        """How far a signature's timestamp may be from the server's clock."""
        return self.state.max_skew

    @property
    def faults(self) -> Faults:
        """The fault switches (see :class:`~ccfs_tui.emulator.faults.Faults`)."""
        return self.state.faults

    @property
    def grants(self) -> Grants:
        """The play tokens granted by requestPlayVoice."""
        return self.state.grants

    @property
    def bills(self) -> Bills:
        """The bill files queryBillData made; settings ``part_rows``, ``time_zone``, ``keep``."""
        return self.state.bills

    @property
    def callbacks(self) -> Callbacks:
        """queryBillData callbacks: their tries (``attempts``) and settings
        (``retry_interval``, ``first_delay``, ``ca_bundle``, ``max_attempts``) and fault
        switches (``never_send``, ``forge_signature``); see :mod:`.callbacks`."""
        return self.state.callbacks

    @property
    def requests_seen(self) -> list[SeenRequest]:
        """The latest requests, oldest first (about 2000 kept)."""
        return self.state.requests.seen

    @property
    def open_connections(self) -> int:
        """How many connections are being served now."""
        return len(self.state.connections)

    def address_locked(self, address: str) -> bool:
        """True while ``address`` is locked after bad signatures."""
        return self.state.locks.locked(address, self.state.clock())

    def unlock(self) -> None:
        """Forget every bad signature and lock (the administrators lifted them)."""
        self.state.locks.clear()


def _default_catalogue(credentials: Mapping[str, Secret]) -> Catalogue:
    from datetime import date

    from ccfs_tui.emulator.sample_index import SAMPLE_TRANSFERS, generate_recordings

    owner = next(iter(credentials))
    recordings = generate_recordings(
        DEFAULT_RECORDINGS,
        start=date.today() - timedelta(days=7),
        days=7,
        app_id=owner,
        transfers=SAMPLE_TRANSFERS,
    )
    return Catalogue.from_recordings(recordings, owner)


def make_app_id() -> str:
    """A made-up app id (AK)."""
    return f"emu-{secrets.token_hex(4)}"


def make_secret() -> Secret:
    """A made-up SK."""
    return Secret(secrets.token_urlsafe(24))
