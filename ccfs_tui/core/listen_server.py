"""A small HTTP server that lets a browser play recordings downloaded on this machine.

On a jump host reached over SSH, the engineer forwards the server's port with ``ssh -L``
(:mod:`ccfs_tui.core.ssh_hint`) and opens its URL in the laptop's browser. Each recording
registered gets its own URL ``/<token>/`` with a fresh random token of 128 bits (the only
secret: anything else, ``/`` included, is a bare 404):

- ``/<token>/``          an HTML page: an ``<audio controls>`` player, the call's id, time,
                         numbers and duration (all escaped), a download link;
- ``/<token>/audio.wav`` the audio as 16-bit PCM WAV, decoded from A-law / mu-law on the
                         fly (browsers do not all play G.711), with ``Range`` (206/416) so
                         the player can seek;
- ``/<token>/download``  the file as downloaded, as an attachment.

The server binds loopback unless told otherwise (:attr:`ListenServer.warning` says loudly
when it is not); it serves only what this process registered, from memory, and logs
nothing (URLs hold the tokens).
"""

from __future__ import annotations

import hmac
import html
import ipaddress
import re
import secrets
import socket
import socketserver
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from ccfs_tui.core.audio.decode import pcm16_decoder
from ccfs_tui.core.audio.wav import (
    PCM16_HEADER_SIZE,
    WavInfo,
    iter_data,
    pcm16_header,
    wav_info,
)
from ccfs_tui.core.audio.waveform import format_duration
from ccfs_tui.core.errors import CcfsError
from ccfs_tui.core.sanitize import visible
from ccfs_tui.core.ssh_hint import ssh_forward_line, url_host
from ccfs_tui.core.threaded_server import serve_in_thread, stop_serving

if TYPE_CHECKING:
    from ccfs_tui.core.recording import Recording

DEFAULT_BIND = "127.0.0.1"
TOKEN_BYTES = 16
CHUNK = 1 << 16
_FIELD_LIMIT = 200

_COMMON_HEADERS = (
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),  # the token is in the URL
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
)
_PAGE_POLICY = (
    "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class ListenError(CcfsError):
    """The listening server cannot start (address in use, not an address of this machine)."""

    kind = "listen"


@dataclass(frozen=True, slots=True)
class ListenEntry:
    """A recording on disk and what the page says about it (foreign text, shown escaped)."""

    path: Path
    file_name: str
    call_id: str = ""
    time: str = ""
    caller: str = ""
    callee: str = ""

    @classmethod
    def from_recording(cls, recording: Recording, path: Path) -> ListenEntry:
        """The entry of an index row whose audio was downloaded to ``path``."""
        return cls(
            path=path,
            file_name=recording.original_file_name,
            call_id=recording.call_id,
            time=f"{recording.call_begin:%Y-%m-%d %H:%M:%S}",
            caller=recording.caller_no,
            callee=recording.callee_no,
        )


@dataclass(frozen=True, slots=True)
class Listening:
    """A registered recording: its token and URLs."""

    entry: ListenEntry
    info: WavInfo
    token: str
    url: str
    """The page (``http://HOST:PORT/<token>/``)."""

    @property
    def audio_url(self) -> str:
        """The decoded 16-bit PCM WAV."""
        return self.url + "audio.wav"

    @property
    def download_url(self) -> str:
        """The file as downloaded."""
        return self.url + "download"


def attachment_name(file_name: str) -> str:
    """A plain ASCII file name for ``Content-Disposition``, from the CC-FS name."""
    base = re.split(r"[\\/]", file_name)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", stem).strip("._")[:100]
    return f"{safe or 'recording'}.wav"


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one byte range ``(first, last)`` asked for, ``None`` for the whole file (no
    header, several ranges, or a header not understood: RFC 9110 lets a server ignore
    those). Raises ``ValueError`` when the range is out of the file (a 416)."""
    if not header:
        return None
    match = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if match is None or (not match[1] and not match[2]):
        return None
    if not match[1]:  # the last N bytes
        suffix = int(match[2])
        if suffix == 0:
            raise ValueError("empty suffix range")
        return max(0, size - suffix), size - 1
    first = int(match[1])
    if first >= size:
        raise ValueError("range starts after the end")
    last = int(match[2]) if match[2] else size - 1
    if last < first:
        return None
    return first, min(last, size - 1)


def _page(listening: Listening) -> bytes:
    entry, info = listening.entry, listening.info

    def text(value: str) -> str:
        return html.escape(visible(value, _FIELD_LIMIT), quote=True) if value else "—"

    title = text(entry.call_id) if entry.call_id else text(entry.file_name)
    rows = (
        ("Call id", text(entry.call_id)),
        ("Time", text(entry.time)),
        ("Caller", text(entry.caller)),
        ("Callee", text(entry.callee)),
        ("Duration", format_duration(info.duration)),
        ("File", text(entry.file_name)),
    )
    table = "\n".join(f"<tr><th>{name}</th><td>{value}</td></tr>" for name, value in rows)
    size_kib = max(1, (info.data_offset + info.data_size) // 1024)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Call {title} - ccfs-tui</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 40em; padding: 0 1em; }}
audio {{ width: 100%; margin: 1em 0; }}
th {{ text-align: left; padding-right: 1em; font-weight: normal; color: #555; }}
td {{ font-family: ui-monospace, monospace; word-break: break-all; }}
</style></head>
<body>
<h1>Call {title}</h1>
<audio controls preload="metadata" src="audio.wav"></audio>
<table>
{table}
</table>
<p><a href="download" download>Download the recording</a> (as CC-FS sent it, {size_kib} KiB)</p>
</body></html>
""".encode()


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer
    server_version = "ccfs-tui"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    error_message_format = "%(code)d\n"
    error_content_type = "text/plain; charset=utf-8"

    def log_message(self, format: str, *args: object) -> None:
        """Nothing is logged: request lines hold the tokens."""

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _start(self, status: int, content_type: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for name, value in _COMMON_HEADERS:
            self.send_header(name, value)

    def _not_found(self, head: bool) -> None:
        body = b"Not found\n"
        self._start(404, "text/plain; charset=utf-8", len(body))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _serve(self, head: bool) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        parts = path.split("/")
        listening = self.server.owner.lookup(parts[1]) if len(parts) >= 2 else None
        if listening is None or len(parts) > 3:
            self._not_found(head)
            return
        try:
            if len(parts) == 2:  # /<token> without the slash: the page's links need it
                self._start(308, "text/plain; charset=utf-8", 0)
                self.send_header("Location", f"/{listening.token}/")
                self.end_headers()
            elif parts[2] == "":
                self._send_page(listening, head)
            elif parts[2] == "audio.wav":
                self._send_audio(listening, head)
            elif parts[2] == "download":
                self._send_original(listening, head)
            else:
                self._not_found(head)
        except (BrokenPipeError, ConnectionResetError):  # the player seeks or closes
            self.close_connection = True
        except OSError:  # the file went away: nothing sensible to send after the headers
            self.close_connection = True

    def _send_page(self, listening: Listening, head: bool) -> None:
        body = _page(listening)
        self._start(200, "text/html; charset=utf-8", len(body))
        self.send_header("Content-Security-Policy", _PAGE_POLICY)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _send_audio(self, listening: Listening, head: bool) -> None:
        info = listening.info
        size = PCM16_HEADER_SIZE + info.pcm16_size
        try:
            wanted = parse_range(self.headers.get("Range"), size)
        except ValueError:
            self._start(416, "text/plain; charset=utf-8", 0)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return
        first, last = wanted if wanted is not None else (0, size - 1)
        self._start(206 if wanted else 200, "audio/wav", last - first + 1)
        self.send_header("Accept-Ranges", "bytes")
        if wanted:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.end_headers()
        if head:
            return
        sent = 0
        for piece in _pcm16_span(listening, first, last + 1):
            self.wfile.write(piece)
            sent += len(piece)
        if sent != last - first + 1:  # the file shrank: the client must not wait for more
            self.close_connection = True

    def _send_original(self, listening: Listening, head: bool) -> None:
        with listening.entry.path.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(0)
            self._start(200, "audio/wav", size)
            name = attachment_name(listening.entry.file_name)
            self.send_header("Content-Disposition", f'attachment; filename="{name}"')
            self.end_headers()
            if head:
                return
            sent = 0
            while sent < size:
                data = handle.read(min(CHUNK, size - sent))
                if not data:
                    self.close_connection = True
                    return
                self.wfile.write(data)
                sent += len(data)


def _pcm16_span(listening: Listening, first: int, end: int) -> Iterator[bytes]:
    """Bytes ``[first, end)`` of the recording as a 16-bit PCM WAV (header, then samples
    decoded from the part of the file they come from)."""
    info = listening.info
    if first < PCM16_HEADER_SIZE:
        header = pcm16_header(info.pcm16_size, info.sample_rate, info.channels)
        yield header[first : min(end, PCM16_HEADER_SIZE)]
    pcm_first = max(first, PCM16_HEADER_SIZE) - PCM16_HEADER_SIZE
    pcm_end = end - PCM16_HEADER_SIZE
    if pcm_end <= pcm_first:
        return
    ratio = 2 // info.sample_bytes  # PCM bytes per byte of the file
    source_first = pcm_first // ratio
    skip = pcm_first - source_first * ratio
    left = pcm_end - pcm_first
    decode = pcm16_decoder(info.encoding)
    with listening.entry.path.open("rb") as handle:
        for data in iter_data(handle, info, source_first, -(-pcm_end // ratio), CHUNK):
            pcm = decode(data)[skip:]
            skip = 0
            piece = pcm[:left]
            left -= len(piece)
            yield piece
            if left <= 0:
                return


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, owner: ListenServer, address: tuple[str, int], family: int) -> None:
        self.owner = owner
        self.address_family = family
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn): slow, and not needed
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]


class ListenServer:
    """The listening server: :meth:`start`, :meth:`register` recordings, :meth:`stop`."""

    def __init__(self, bind: str = DEFAULT_BIND, port: int = 0) -> None:
        self.bind = bind
        self.requested_port = port
        self._http: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._entries: dict[str, Listening] = {}

    def __enter__(self) -> ListenServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._http is not None

    def start(self) -> ListenServer:
        """Bind and serve in a background thread. Raises :class:`ListenError`."""
        if self._http is not None:
            return self
        family = socket.AF_INET6 if ":" in self.bind else socket.AF_INET
        try:
            self._http = _HttpServer(self, (self.bind, self.requested_port), family)
        except (OSError, OverflowError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ListenError(
                f"Cannot listen on {visible(self.bind, 100)} port {self.requested_port}: "
                f"{visible(reason, 100)}.",
                "Pick another listen_port (or --port 0 for a free one) or a listen_bind "
                "address of this machine (default 127.0.0.1).",
            ) from None
        self._thread = serve_in_thread(self._http, "ccfs-listen", 0.2)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (registered URLs stop working)."""
        http, self._http = self._http, None
        if http is None:
            return
        stop_serving(http, self._thread)
        with self._lock:
            self._entries.clear()

    def _server(self) -> _HttpServer:
        if self._http is None:
            raise ListenError("The listening server is not running.")
        return self._http

    @property
    def address(self) -> str:
        """The address really bound."""
        return str(self._server().server_address[0])

    @property
    def port(self) -> int:
        """The port really bound (a free one when asked for 0)."""
        return int(self._server().server_address[1])

    @property
    def loopback(self) -> bool:
        """True when only this machine can connect."""
        try:
            return ipaddress.ip_address(self.address.split("%")[0]).is_loopback
        except ValueError:
            return False

    @property
    def host(self) -> str:
        """The host of the URLs: the bound address, or loopback for a wildcard bind."""
        address = self.address
        if address in ("0.0.0.0", ""):
            return "127.0.0.1"
        if address == "::":
            return "::1"
        return address

    @property
    def warning(self) -> str | None:
        """A loud sentence when the server is reachable from other machines, else None."""
        if self.loopback:
            return None
        return (
            f"WARNING: the listening server is bound to {self.address}, not to loopback: "
            f"anyone who can reach port {self.port} of this machine and learns a URL can hear "
            "the recording. Unless you mean it, use listen_bind = 127.0.0.1 (--bind 127.0.0.1) "
            "and ssh -L."
        )

    def ssh_line(self, env: Mapping[str, str] | None = None) -> str:
        """The ``ssh -L`` line that brings this server to the laptop (see :mod:`ssh_hint`)."""
        return ssh_forward_line(self.port, self.host, env)

    def register(self, entry: ListenEntry) -> Listening:
        """Serve ``entry`` at a new URL. Raises ``WavError`` when the file is not a WAV it
        can decode, ``OSError`` when it cannot be read, :class:`ListenError` when stopped."""
        base = f"http://{url_host(self.host)}:{self.port}/"
        info = wav_info(entry.path)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        listening = Listening(entry, info, token, f"{base}{token}/")
        with self._lock:
            self._entries[token] = listening
        return listening

    def registered(self) -> list[Listening]:
        """Every recording served, in the order registered."""
        with self._lock:
            return list(self._entries.values())

    def lookup(self, token: str) -> Listening | None:
        """The recording registered under ``token`` (compared in constant time)."""
        wanted = token.encode("utf-8", "surrogateescape")
        found = None
        with self._lock:
            for key, listening in self._entries.items():
                if hmac.compare_digest(key.encode(), wanted):
                    found = listening
        return found
