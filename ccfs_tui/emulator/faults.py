"""Faults the emulator can inject, switchable at runtime from any thread.

Set fields directly (``emulator.faults.latency = 2``) or several at once with
:meth:`Faults.set`. Each request takes an immutable :class:`FaultPlan` snapshot, so a
change never affects a request already being answered. ``times`` limits the faults to the
next N matching requests, after which every fault clears itself; ``endpoints`` limits them to
some endpoints (e.g. ``{"playVoice"}``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

FAULT_NAMES: tuple[str, ...] = (
    "latency",
    "status",
    "result_code",
    "result_desc",
    "drop",
    "non_json",
    "json_error_as_audio",
    "drop_mid_body",
    "endless_body",
    "declared_length",
    "trickle",
    "gzip",
    "reply_body",
)
"""The names of the fault switches (``times`` and ``endpoints`` scope them)."""


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """The faults applied to one request (a snapshot of :class:`Faults`)."""

    latency: float = 0.0
    status: int | None = None
    result_code: str | None = None
    result_desc: str | None = None
    drop: bool = False
    non_json: bool = False
    json_error_as_audio: bool = False
    drop_mid_body: bool = False
    endless_body: bool = False
    declared_length: int | None = None
    trickle: float = 0.0
    gzip: bool = False
    reply_body: bytes | None = None

    def names(self) -> list[str]:
        """The faults switched on, for ``requests_seen`` and the log."""
        default = FaultPlan()
        return [name for name in FAULT_NAMES if getattr(self, name) != getattr(default, name)]


@dataclass
class Faults:
    """Runtime fault switches.

    - ``latency``: seconds to wait before answering.
    - ``status``: answer this HTTP status (500/502/503 ...) with an HTML body.
    - ``result_code`` / ``result_desc``: C2 endpoints answer this resultCode (e.g.
      ``0300008`` download flow control, ``0300009`` query flow control).
    - ``drop``: read the request, then close the connection without any reply.
    - ``non_json``: JSON endpoints answer 200 with a ``text/html`` body.
    - ``json_error_as_audio``: playVoice / downloads answer a JSON error under
      ``application/octet-stream`` even when the request was good.
    - ``drop_mid_body``: send the headers with the full Content-Length, half the body, close.
    - ``endless_body``: send the reply's headers without a Content-Length (or with
      ``declared_length``), then zeros until the client goes away or the emulator stops.
    - ``declared_length``: the Content-Length to announce (with ``endless_body``: the body
      then stops after that many bytes).
    - ``trickle``: send the reply one byte every ``trickle`` seconds.
    - ``gzip``: send the reply gzip-encoded (``Content-Encoding: gzip``; Content-Length is
      the encoded size).
    - ``reply_body``: send these bytes instead of the real reply body (any endpoint).
    - ``times``: apply the faults to the next N matching requests only, then clear them.
    - ``endpoints``: endpoint names the faults apply to; ``None`` = all.
    """

    latency: float = 0.0
    status: int | None = None
    result_code: str | None = None
    result_desc: str | None = None
    drop: bool = False
    non_json: bool = False
    json_error_as_audio: bool = False
    drop_mid_body: bool = False
    endless_body: bool = False
    declared_length: int | None = None
    trickle: float = 0.0
    gzip: bool = False
    reply_body: bytes | None = None
    times: int | None = None
    endpoints: frozenset[str] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def set(self, **changes: Any) -> Faults:
        """Change several switches at once (unknown names raise ``TypeError``); returns self."""
        allowed = {f.name for f in fields(self)} - {"_lock"}
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        if changes.get("endpoints") is not None:
            changes["endpoints"] = frozenset(_as_names(changes["endpoints"]))
        with self._lock:
            for name, value in changes.items():
                setattr(self, name, value)
        return self

    def clear(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._clear_locked()

    def _clear_locked(self) -> None:
        default = FaultPlan()
        for name in FAULT_NAMES:
            setattr(self, name, getattr(default, name))
        self.times = None
        self.endpoints = None

    @property
    def active(self) -> bool:
        """True when any fault is switched on."""
        return bool(self._snapshot().names())

    def _snapshot(self) -> FaultPlan:
        return FaultPlan(**{name: getattr(self, name) for name in FAULT_NAMES})

    def take(self, endpoint: str) -> FaultPlan | None:
        """The faults for one request to ``endpoint``, counting it against ``times``."""
        with self._lock:
            plan = self._snapshot()
            if not plan.names():
                return None
            if self.endpoints is not None and endpoint not in self.endpoints:
                return None
            if self.times is not None:
                if self.times <= 0:
                    self._clear_locked()
                    return None
                self.times -= 1
                if self.times == 0:
                    self._clear_locked()
            return plan


def _as_names(value: str | Iterable[str]) -> Iterable[str]:
    return (value,) if isinstance(value, str) else value
