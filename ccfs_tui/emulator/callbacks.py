"""The queryBillData callback: CC-FS announcing a bill file to the query's ``callBackURL``.

Reference section 6, step 2: a ``POST`` of
``{"request":{"version":"2.0"},"msgBody":{"responseId":..,"billFileName":..,"accountId":..}}``
(``accountId`` only when the query had one), signed with auth-v2 over
``content-length;content-type;host`` by the querying AK/SK (:class:`~ccfs_tui.core.signing.
C2Auth`), sent again every :attr:`Callbacks.retry_interval` seconds until it is answered
HTTP 200 with a non-empty body. Each callback has its own daemon thread, which ends when the
emulator stops. Every attempt is in :attr:`Callbacks.attempts` (never a header or the SK).

The public settings below can be changed at any time, from any thread, e.g.
``emulator.callbacks.retry_interval = 0.2``.
"""

from __future__ import annotations

import json
import secrets
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ccfs_tui.core.clock import Clock
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signing import C2Auth

JSON_TYPE = "application/json;charset=UTF-8"
MAX_ATTEMPTS_KEPT = 1000


@dataclass(frozen=True, slots=True)
class CallbackAttempt:
    """One try at delivering a callback."""

    response_id: str
    url: str
    number: int
    """1 for the first try, 2 for the first retry ..."""
    status: int | None
    """The HTTP status answered (``None``: no answer, see ``error``)."""
    delivered: bool
    """Answered HTTP 200 with a non-empty body: no more tries."""
    forged: bool
    """Signed with a wrong SK (the ``forge_signature`` switch)."""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CallbackJob:
    """One callback to deliver: where, what, and who signs it."""

    url: str
    payload: dict[str, Any]
    app_id: str
    secret: Secret
    clock: Clock

    @property
    def response_id(self) -> str:
        return str(self.payload["msgBody"]["responseId"])


class Callbacks:
    """Sends queryBillData callbacks; its public attributes are the settings."""

    def __init__(self) -> None:
        self.retry_interval: float = 600.0
        """Seconds between tries until one is answered HTTP 200 with a non-empty body (a real
        CC-FS waits 10 minutes). Tests set a fraction of a second."""
        self.first_delay: float = 0.5
        """Seconds from the queryBillData reply to the first try (the bill "being made")."""
        self.timeout: float = 10.0
        """Seconds one try may take (connect, TLS, answer)."""
        self.max_attempts: int | None = None
        """Stop after this many tries (``None``: until delivered or the emulator stops; the
        real limit is not documented)."""
        self.ca_bundle: Path | None = None
        """PEM CA certificates an ``https`` callBackURL's certificate must chain to (``None``:
        the usual public CAs). It is always verified, as an on-premises CC-FS does."""
        self.never_send: bool = False
        """Fault: queries are answered and their bill files made, but while this is on no
        callback is sent (tries are skipped, not counted)."""
        self.forge_signature: bool = False
        """Fault: sign callbacks with a wrong SK under the right AK, as a forger would; a
        receiver that verifies refuses them (and the emulator keeps retrying)."""
        self.attempts: list[CallbackAttempt] = []
        """Every try, oldest first (about the latest 1000)."""
        self.skipped: int = 0
        """Tries skipped because ``never_send`` was on."""
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def send(self, job: CallbackJob, stopping: threading.Event, log: Callable[[str], None]) -> None:
        """Deliver ``job`` in a background thread (tries until delivered or ``stopping``)."""
        thread = threading.Thread(
            target=self._deliver,
            args=(job, stopping, log),
            name=f"ccfs-emulator-callback:{job.response_id}",
            daemon=True,
        )
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def of(self, response_id: str) -> list[CallbackAttempt]:
        """The tries made for one query."""
        with self._lock:
            return [a for a in self.attempts if a.response_id == response_id]

    def join(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for each sending thread (after a stop)."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

    def _deliver(
        self, job: CallbackJob, stopping: threading.Event, log: Callable[[str], None]
    ) -> None:
        if stopping.wait(max(0.0, self.first_delay)):
            return
        number = 0
        while not stopping.is_set():
            if self.max_attempts is not None and number >= self.max_attempts:
                return
            if self.never_send:
                with self._lock:
                    self.skipped += 1
            else:
                number += 1
                attempt = self._try(job, number)
                with self._lock:
                    self.attempts.append(attempt)
                    if len(self.attempts) > MAX_ATTEMPTS_KEPT:
                        del self.attempts[: MAX_ATTEMPTS_KEPT // 2]
                log(
                    f"callback {job.response_id} try {number}"
                    + (" (forged signature)" if attempt.forged else "")
                    + f" -> {attempt.status if attempt.status is not None else attempt.error}"
                    + (" delivered" if attempt.delivered else "")
                )
                if attempt.delivered:
                    return
            if stopping.wait(max(0.0, self.retry_interval)):
                return

    def _try(self, job: CallbackJob, number: int) -> CallbackAttempt:
        forged = self.forge_signature
        secret = Secret(secrets.token_urlsafe(24)) if forged else job.secret
        body = json.dumps(job.payload, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            verify = self._verify()
            with httpx.Client(
                timeout=self.timeout,
                verify=verify,
                trust_env=False,
                follow_redirects=False,
            ) as client:
                response = client.post(
                    job.url,
                    content=body,
                    headers={"Content-Type": JSON_TYPE},
                    auth=C2Auth(job.app_id, secret, clock=job.clock),
                )
        except (httpx.HTTPError, ssl.SSLError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
            return CallbackAttempt(job.response_id, job.url, number, None, False, forged, error)
        delivered = response.status_code == 200 and bool(response.content.strip())
        return CallbackAttempt(
            job.response_id, job.url, number, response.status_code, delivered, forged
        )

    def _verify(self) -> ssl.SSLContext | bool:
        if self.ca_bundle is None:
            return True
        context = ssl.create_default_context(cafile=str(self.ca_bundle))
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context
