"""Every key and paste is handled whole, in the order it was typed, before the next one.

Textual routes a key by posting it to the focused widget's own message queue; a key that
widget does not take itself (Backspace, ctrl+k, Enter, ...) bubbles through the queues of
its parents up to the app, which runs the binding. Meanwhile the next keys are already in
the focused widget's queue, so in a burst they overtake it: "10011", two Backspaces, "23"
reads "10011" (upstream: Textualize/textual#6605; the fix proposed in textual#6631 covers
only an Input's own bindings). And what a key sets off (Enter in the filter moves the focus
to the tree once the search answers) lands after the keys that follow it, which then go to
the wrong widget or act on the recording that was under the cursor before.

:class:`InputGate` takes every key and paste as it arrives at the app and lets the next one
through only when the app has *settled*: no message queue of the app, its screens and their
widgets holds a message other than a repaint or a timer (:data:`PASSIVE`), and no part of
the app holds the input (:meth:`InputGate.hold`:
the app until its main screen is ready, the filter until the answer of the Enter that
submitted it is shown). Keys typed meanwhile wait in order: typeahead, as in any terminal
program. A hold that is never released ends after :data:`MAX_HOLD` seconds, and a queue
that never empties (a handler waiting for a dialog) after :data:`MAX_SETTLE`: the keys go
on then, so the app can never stop taking input.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from time import monotonic
from typing import Any

from textual import events, messages
from textual.message_pump import MessagePump
from textual.widgets import Footer

MAX_HOLD = 10.0
"""Seconds a hold keeps the keys back at most (a search of a huge index that never answers)."""

MAX_SETTLE = 3.0
"""Seconds the gate waits for the message queues to empty before it lets a key through."""

SPINS = 200
"""Looks at the queues, one turn of the event loop apart, before the gate looks only every
:data:`POLL` seconds (a long handler: no need to spin)."""

POLL = 0.002
"""Seconds between two looks at the queues while something is still running."""

BURST_MAX_QUIET = 0.1
"""Seconds a burst may keep the screen from being drawn at most (see :class:`Batch`): a
key that starts something long shows its effect that soon."""

INTERRUPTS = frozenset({"escape", "ctrl+q", "ctrl+c"})
"""Keys that end every hold but the app's start when typed: the user stops waiting."""

START = "start"
"""The hold of the app until its main screen is up."""

Route = Callable[[events.Event], Awaitable[None]]


class Batch:
    """Drawing held back while the keys of a burst (a paste, typeahead, key repeat) are
    let through, then one frame with all of them. Between two keys of a burst the event
    loop would otherwise draw the screen as each key left it (10-20 ms a frame at 120x36
    after ``/`` opens the filter), and the answer to the whole burst waited for every one
    of those frames. ``hold`` holds the drawing back until the function it returns is
    called (:func:`ui.drawing.hold_drawing`)."""

    def __init__(self, hold: Callable[[], Callable[[], None]]) -> None:
        self._hold = hold
        self._release: Callable[[], None] | None = None
        self.since: float | None = None
        """When the current batch began (None: drawing as usual)."""

    def start(self) -> None:
        if self.since is None:
            self._release = self._hold()
            self.since = monotonic()

    def stop(self) -> None:
        release, self._release = self._release, None
        self.since = None
        if release is not None:
            release()

    def overdue(self) -> bool:
        return self.since is not None and monotonic() - self.since > BURST_MAX_QUIET


PASSIVE = (
    messages.Update,
    messages.Layout,
    messages.UpdateScroll,
    messages.Prompt,
    events.Timer,
    events.Idle,
)
"""Messages a key never waits for: repaints, layouts and timers (the screen's refresh is a
timer too). They change what is drawn, not where the next key goes; waiting for a frame
after every key made a 12-key burst 100 ms slower in a real terminal."""


def _busy(pump: MessagePump) -> bool:
    """``pump`` has a message waiting (in its queue, or peeked at to combine it) that is not
    :data:`PASSIVE`."""
    if pump._closing or pump._closed:
        return False
    pending = pump._pending_message
    if pending is not None and not isinstance(pending, PASSIVE):
        return True
    queue: Any = pump._message_queue
    waiting = getattr(queue, "values", None)  # textual._queue.Queue keeps them in a deque
    if waiting is None:
        return not queue.empty()
    return any(not isinstance(message, PASSIVE) for message in waiting)


class InputGate:
    """One key (or paste) at a time, each once the app has settled after the last.

    ``pumps`` lists what must be idle (the app, its screens and their widgets); ``route``
    hands an event to Textual's own routing (priority bindings, then the focused widget).
    """

    def __init__(
        self,
        pumps: Callable[[], Iterator[MessagePump]],
        route: Route,
        batch: Batch | None = None,
    ) -> None:
        self._pumps = pumps
        self._route = route
        self._batch = batch
        self._pending: deque[events.Event] = deque()
        self._routing: events.Event | None = None
        self._holds: dict[str, float] = {}
        self._released = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # ----------------------------------------------------------------- taking input
    def takes(self, event: events.Event) -> bool:
        """Queue ``event`` if it is a key or paste straight from the terminal (True), or
        leave it to Textual (False: anything else, or the event being routed right now)."""
        if not isinstance(event, events.Key | events.Paste) or event.is_forwarded:
            return False
        if event is self._routing:
            return False
        if isinstance(event, events.Key) and event.key == "ctrl+j":
            # Enter typed ahead while the terminal was still in cooked mode (before the app
            # switched it to raw) arrives as a line feed: it is Enter all the same
            event = events.Key("enter", "\r")
        self._pending.append(event)
        if isinstance(event, events.Key) and event.key in INTERRUPTS:
            self._interrupt()  # a hold already on
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="ccfs-input-gate")
        return True

    @property
    def waiting(self) -> int:
        """Keys and pastes typed but not yet let through."""
        return len(self._pending)

    # ----------------------------------------------------------------- holds
    def hold(self, reason: str) -> None:
        """Keep the next keys back until :meth:`release` (or :data:`MAX_HOLD` seconds)."""
        self._holds[reason] = monotonic() + MAX_HOLD
        self._released.clear()

    def release(self, reason: str) -> None:
        """End a hold (a hold that is not there is fine)."""
        if self._holds.pop(reason, None) is not None and not self._holds:
            self._released.set()

    def _interrupt(self) -> None:
        """Escape or ctrl+q typed while something holds the keys: stop waiting for it (the
        app's own start is not waited for: it is a moment)."""
        for reason in [r for r in self._holds if r != START]:
            self.release(reason)

    def _interrupt_if_typed(self) -> None:
        """A hold put on after an Escape was typed (Enter, then Escape, in one burst)."""
        if any(isinstance(e, events.Key) and e.key in INTERRUPTS for e in self._pending):
            self._interrupt()

    # ----------------------------------------------------------------- the pump
    async def _run(self) -> None:
        batch = self._batch
        try:
            while self._pending:
                await self._settle()
                event = self._pending.popleft()
                if batch is not None and self._pending:
                    batch.start()  # more of a burst to come: draw once, at its end
                self._routing = event
                try:
                    await self._route(event)
                finally:
                    self._routing = None
                if not self._pending and batch is not None and batch.since is not None:
                    # the burst's last key is through; what it sets off (its search starts
                    # on another thread) goes first, then the one frame (keys typed
                    # meanwhile join the burst)
                    await self._settle()
        finally:
            if batch is not None:
                batch.stop()

    async def _settle(self) -> None:
        """Return once no queue holds a message and nothing holds the input, at two looks
        one turn of the event loop apart (a handler that was waiting on something posts
        its next message in that turn: a key that bubbles is always in some queue)."""
        deadline = monotonic() + MAX_SETTLE
        spins = 0
        quiet = False
        while True:
            self._drop_expired_holds()
            self._interrupt_if_typed()
            if self._holds:
                if self._batch is not None:
                    self._batch.stop()  # what the keys so far did shows while they wait
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._released.wait(), self._hold_left())
                quiet = False
                continue
            if self._batch is not None and self._batch.overdue():
                self._batch.stop()
            if any(_busy(pump) for pump in self._pumps()):
                quiet = False
                if monotonic() > deadline:
                    return  # a queue that never empties must not stop the keys for good
                spins += 1
                await asyncio.sleep(0 if spins < SPINS else POLL)
                continue
            if quiet:
                return
            quiet = True
            await asyncio.sleep(0)

    def _hold_left(self) -> float:
        return max(0.0, min(self._holds.values()) - monotonic())

    def _drop_expired_holds(self) -> None:
        now = monotonic()
        for reason in [r for r, until in self._holds.items() if until <= now]:
            self.release(reason)

    def close(self) -> None:
        """Stop the pump (the app is closing): keys not yet let through are dropped."""
        self._pending.clear()
        if self._task is not None:
            self._task.cancel()


def gate_of(node: Any) -> InputGate | None:
    """The gate of ``node``'s app (None for an app without one, as in a widget's own test)."""
    gate = getattr(node.app, "input_gate", None)
    return gate if isinstance(gate, InputGate) else None


def app_pumps(app: Any) -> Iterator[MessagePump]:
    """The app, every screen on its stack and every widget of those screens but the key
    footers.

    A footer never takes a key nor moves the focus, and it rebuilds its keys after the
    refresh that follows a change of focus (``/`` opens the filter, Escape closes it):
    waiting for the mounting of its keys held the next key of a burst back by 25-50 ms
    in a real terminal, for nothing a key could depend on."""
    yield app
    for screen in list(app.screen_stack):
        stack = [screen]
        while stack:
            node = stack.pop()
            if isinstance(node, Footer):
                continue
            yield node
            stack.extend(reversed(node._nodes))
