"""What a running emulator knows and counts, shared by its HTTP handler and its owner.

:class:`EmulatorState` is the one object the request handler works on (through
``server.state``): credentials, catalogue, clock, fault switches, granted play tokens, the
log of recent requests, the address-lock counters, open connections, bill files and their
callbacks. The
:class:`~ccfs_tui.emulator.server.Emulator` owns one and exposes the parts tests use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ccfs_tui.core.clock import Clock
from ccfs_tui.core.secret import Secret
from ccfs_tui.emulator.bills import Bills
from ccfs_tui.emulator.callbacks import Callbacks
from ccfs_tui.emulator.catalogue import Catalogue
from ccfs_tui.emulator.faults import Faults
from ccfs_tui.emulator.grants import Grants

MAX_SEEN = 2000
"""The request log keeps about this many of the latest requests."""


@dataclass(frozen=True, slots=True)
class SeenRequest:
    """What the emulator remembers of one request (never headers, bodies or tokens)."""

    method: str
    path: str
    endpoint: str | None
    app_id: str | None
    status: int
    result_code: str | None
    faults: tuple[str, ...] = ()


class RequestLog:
    """The latest requests, oldest first; ``seen`` is the live list (read it, don't edit it)."""

    def __init__(self, limit: int = MAX_SEEN) -> None:
        self.limit = limit
        self.seen: list[SeenRequest] = []
        self._lock = threading.Lock()

    def add(self, seen: SeenRequest) -> None:
        """Append one request, forgetting the older half when the log is full."""
        with self._lock:
            self.seen.append(seen)
            if len(self.seen) > self.limit:
                del self.seen[: self.limit // 2]


class AddressLocks:
    """Bad-signature counters per client address, and the addresses they locked.

    Like a real CC-FS (reference section 8): ``lock_after`` bad signatures within
    ``window`` lock the address for ``lock_time`` (``lock_after=None``: never lock).
    """

    def __init__(
        self,
        lock_after: int | None = None,
        window: timedelta = timedelta(minutes=10),
        lock_time: timedelta = timedelta(minutes=30),
    ) -> None:
        self.lock_after = lock_after
        self.window = window
        self.lock_time = lock_time
        self._bad: dict[str, list[datetime]] = {}
        self._locked_until: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def locked(self, address: str, now: datetime) -> bool:
        """True while ``address`` is locked."""
        with self._lock:
            until = self._locked_until.get(address)
        return until is not None and now < until

    def bad_signature(self, address: str, now: datetime) -> None:
        """Count a bad signature from ``address``; lock it at ``lock_after`` of them."""
        if self.lock_after is None:
            return
        with self._lock:
            recent = [t for t in self._bad.get(address, []) if now - t < self.window]
            recent.append(now)
            self._bad[address] = recent
            if len(recent) >= self.lock_after:
                self._locked_until[address] = now + self.lock_time
                del self._bad[address]

    def clear(self) -> None:
        """Forget every count and lock."""
        with self._lock:
            self._bad.clear()
            self._locked_until.clear()


class Connections:
    """The sockets being served (so ``stop()`` can close them)."""

    def __init__(self) -> None:
        self._open: set[Any] = set()
        self._lock = threading.Lock()

    def add(self, connection: Any) -> None:
        with self._lock:
            self._open.add(connection)

    def discard(self, connection: Any) -> None:
        with self._lock:
            self._open.discard(connection)

    def snapshot(self) -> list[Any]:
        """The open connections now."""
        with self._lock:
            return list(self._open)

    def __len__(self) -> int:
        return len(self._open)


@dataclass
class EmulatorState:
    """Everything the handler reads or changes; every member is safe to use from any thread."""

    credentials: dict[str, Secret]
    catalogue: Catalogue
    clock: Clock
    max_skew: timedelta = timedelta(minutes=15)
    faults: Faults = field(default_factory=Faults)
    grants: Grants = field(default_factory=Grants)
    requests: RequestLog = field(default_factory=RequestLog)
    locks: AddressLocks = field(default_factory=AddressLocks)
    connections: Connections = field(default_factory=Connections)
    bills: Bills = field(default_factory=Bills)
    callbacks: Callbacks = field(default_factory=Callbacks)
    stopping: threading.Event = field(default_factory=threading.Event)
    """Set while the emulator stops: slow answers (latency, trickle) end at once."""
    log_to: Callable[[str], None] | None = None

    def log(self, line: str) -> None:
        """One line to the emulator's log callback, if it has one."""
        if self.log_to is not None:
            self.log_to(line)
