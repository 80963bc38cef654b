"""The "Fetch index" screen: a time range (and filters) to index zips, opened at once.

From/To take the forms of ``ccfs-tui fetch`` (``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM[:SS]``,
the tenant's time; a bare day as To means its end); the default is today from 00:00 to now.
Enter starts: each window of at most 3 days is queried (queryBillData), then waits for
CC-FS's verified callback (the elapsed time shown), then its zip is downloaded into the
profile's ``index_dir`` and handed to ``on_saved``, which merges it into the open index.
Escape cancels whatever runs (no partial file is left: the zips already saved stay open)
and closes. A failure is one line under the windows.

The work is :func:`~ccfs_tui.core.fetch_index.fetch_index` on the session's client, in a
worker of this screen; it posts what happens back as messages and touches no widget.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from ccfs_tui.core.bill_window import DATA_TYPES, BillWindow, parse_bill_time, split_range
from ccfs_tui.core.fetch_index import (
    FetchPlan,
    WindowProgress,
    callback_url,
    fetch_index,
    listen_address,
)
from ccfs_tui.core.outcomes import failure_of
from ccfs_tui.core.session import SecretNeeded, Session
from ccfs_tui.ui.formatting import shown
from ccfs_tui.ui.secret_ask import ask_secret

FILTERS: tuple[tuple[str, str, str], ...] = (
    ("agent", "Agent", "agentId"),
    ("call", "Call id", "callId"),
    ("caller", "Caller", "callerNo"),
    ("callee", "Callee", "calleeNo"),
)
"""The optional filters: input id suffix, label, queryBillData field."""

TIME_HINT = "YYYY-MM-DD [HH:MM[:SS]]"


def window_text(window: BillWindow) -> str:
    """A window in 29 columns: ``10-01 00:00:00–10-03 23:59:59``."""
    return f"{window.begin:%m-%d %H:%M:%S}–{window.end:%m-%d %H:%M:%S}"


def state_text(progress: WindowProgress) -> str:
    """What a window is doing, as the screen says it."""
    if progress.state == "queried":
        return "queried"
    if progress.state == "waiting":
        minutes, seconds = divmod(int(progress.waited), 60)
        return f"waiting for the callback {minutes}:{seconds:02d}"
    if progress.state == "downloading":
        return "downloading"
    return "✓ opened"


class FetchScreen(ModalScreen[None]):
    """Fetch the index of a time range; each zip joins the open index as it is saved."""

    DEFAULT_CSS = """
    FetchScreen {
        align: center middle;
    }
    #fetch-box {
        width: 80;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        background: $surface;
        padding: 0 1;
    }
    .fetch-row {
        height: 1;
        margin-bottom: 1;
    }
    .fetch-label {
        width: 8;
        color: $text-muted;
    }
    .fetch-row Input {
        width: 1fr;
        margin-right: 1;
    }
    .fetch-row Select {
        width: 22;
    }
    #fetch-hint, #fetch-note, #fetch-error {
        height: auto;
    }
    #fetch-windows {
        height: auto;
        max-height: 6;
        margin-top: 1;
    }
    #fetch-states {
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel and close"),
    ]

    @dataclass
    class WindowChanged(Message):
        """A window's state changed (from the fetch worker)."""

        progress: WindowProgress

    @dataclass
    class ReceiverNote(Message):
        """The callback receiver refused a callback or lost a connection (one line)."""

        text: str

    def __init__(
        self,
        session: Session,
        on_saved: Callable[[Sequence[Path]], None],
        *,
        now: datetime | None = None,
        **kwargs: Any,
    ) -> None:
        """``on_saved`` gets each saved zip (on the UI thread) to merge it into the index;
        ``now`` (naive, local time) makes the default range (today 00:00 to now)."""
        super().__init__(**kwargs)
        self.session = session
        self.on_saved = on_saved
        local = now if now is not None else session.clock().astimezone().replace(tzinfo=None)
        self._default_from = f"{local:%Y-%m-%d} 00:00"
        self._default_to = f"{local:%Y-%m-%d %H:%M}"
        self.windows: list[BillWindow] = []
        self.states: dict[int, str] = {}
        """Window number (1-based) -> what it is doing, as shown."""
        self.saved: list[Path] = []
        self.error = ""
        """The failure of the last run, as shown (one line)."""
        self._worker: Worker[None] | None = None

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Vertical(id="fetch-box"):
            with Horizontal(classes="fetch-row"):
                yield Label("From", classes="fetch-label")
                yield Input(self._default_from, id="fetch-from", compact=True)
                yield Label("To", classes="fetch-label")
                yield Input(self._default_to, id="fetch-to", compact=True)
            with Horizontal(classes="fetch-row"):
                yield Label("Type", classes="fetch-label")
                yield Select(
                    [(kind, kind) for kind in DATA_TYPES],
                    value="call_record",
                    allow_blank=False,
                    compact=True,
                    id="fetch-type",
                )
            for pair in (FILTERS[:2], FILTERS[2:]):
                with Horizontal(classes="fetch-row"):
                    for key, label, _field in pair:
                        yield Label(label, classes="fetch-label")
                        yield Input(id=f"fetch-{key}", compact=True, placeholder="any")
            yield Static(id="fetch-hint")
            with VerticalScroll(id="fetch-windows"):
                yield Static(id="fetch-states")
            yield Static(id="fetch-note")
            yield Static(id="fetch-error")

    def on_mount(self) -> None:
        box = self.query_one("#fetch-box")
        box.border_title = "Fetch index"
        box.border_subtitle = "Enter starts · Esc cancels and closes"
        self.query_one("#fetch-from", Input).focus()
        self.query_one("#fetch-note").display = False
        self._show_state()

    # ----------------------------------------------------------------- state shown
    @property
    def running(self) -> bool:
        """A fetch is under way."""
        return self._worker is not None and self._worker.is_running

    def _show_state(self) -> None:
        hint = self.query_one("#fetch-hint", Static)
        if self.running:
            hint.update(f"Fetching {len(self.windows)} window(s)… Esc cancels")
        elif self.windows and len(self.saved) == len(self.windows):
            hint.update(
                f"Done: {len(self.saved)} zip(s) saved in index_dir and opened. Esc closes."
            )
        else:
            hint.update(Content.from_markup("[dim]Times: $forms (tenant time)[/]", forms=TIME_HINT))
        lines = [
            Content.assemble(
                (f"{n}/{len(self.windows)} ", "bold"),
                window_text(window),
                "  ",
                self.states.get(n, "to do"),
            )
            for n, window in enumerate(self.windows, 1)
        ]
        states = self.query_one("#fetch-states", Static)
        states.update(Content("\n").join(lines))
        self.query_one("#fetch-windows").display = bool(lines)
        error = self.query_one("#fetch-error", Static)
        error.display = bool(self.error)
        error.update(Content.from_markup("[$error]✗ $text[/]", text=self.error))

    def _fail(self, text: str) -> None:
        self.error = shown(text)
        self._show_state()

    # ----------------------------------------------------------------- starting
    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.start()

    def start(self) -> None:
        """Read the form and start the fetch (a wrong field: one line, nothing sent)."""
        if self.running:
            self.notify("A fetch is running: Esc cancels it.", severity="warning")
            return
        try:
            plan_args = self._read_form()
        except ValueError as exc:
            self._fail(str(exc))
            return
        windows, data_type, filters = plan_args
        self.windows = windows
        self.states = {}
        self.saved = []
        self.error = ""
        self.query_one("#fetch-note", Static).display = False
        self._worker = self._fetch(windows, data_type, filters)
        self._show_state()

    def _read_form(self) -> tuple[list[BillWindow], str, dict[str, str]]:
        begin = parse_bill_time(self.query_one("#fetch-from", Input).value)
        end = parse_bill_time(self.query_one("#fetch-to", Input).value, end=True)
        windows = split_range(begin, end)
        data_type = str(self.query_one("#fetch-type", Select).value)
        filters: dict[str, str] = {}
        for key, label, field in FILTERS:
            value = self.query_one(f"#fetch-{key}", Input).value.strip()
            if value and not value.isprintable():
                raise ValueError(f"{label}: only printable characters")
            if value:
                filters[field] = value
        return windows, data_type, filters

    @work(exclusive=True, group="fetch", exit_on_error=False)
    async def _fetch(
        self, windows: list[BillWindow], data_type: str, filters: dict[str, str]
    ) -> None:
        session = self.session
        profile = session.check_ready()
        client = await session.get_client()
        url = profile.callback_url
        listen = listen_address(profile.callback_listen, url)
        receiver = client.callback_receiver(
            listen, on_event=lambda text: self.post_message(self.ReceiverNote(text))
        )
        options = ""
        if session.config is not None and profile.name in session.config.profiles:
            options = shlex.join(["--profile", profile.name])
        with receiver:
            plan = FetchPlan(
                windows=windows,
                callback_url=callback_url(url, receiver),
                dest_dir=profile.index_dir,
                data_type=data_type,
                filters=filters,
                wait=profile.callback_wait,
                resume_options=options,
            )
            await fetch_index(
                client,
                receiver,
                plan,
                progress=self._report,
            )

    def _report(self, progress: WindowProgress) -> None:
        """Called by fetch_index (on the event loop) at each window's change."""
        self.post_message(self.WindowChanged(progress))

    # ----------------------------------------------------------------- what happens
    def on_fetch_screen_window_changed(self, message: FetchScreen.WindowChanged) -> None:
        progress = message.progress
        if progress.state == "saved" and progress.path is not None:
            self.saved.append(progress.path)
            self.on_saved([progress.path])
        self.states[progress.number] = state_text(progress)
        self._show_state()

    def on_fetch_screen_receiver_note(self, message: FetchScreen.ReceiverNote) -> None:
        note = self.query_one("#fetch-note", Static)
        note.display = True
        note.update(Content.from_markup("[$warning]$text[/]", text=shown(message.text)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        event.stop()
        if event.worker is not self._worker:
            return
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self._stop_states("stopped")
            if isinstance(error, SecretNeeded):
                self.error = ""
                ask_secret(self, self.session, self.start)
            else:
                failure = failure_of(error)
                self.error = shown(f"{failure.message} {failure.hint}".strip())
        elif event.state == WorkerState.CANCELLED:
            self._stop_states("cancelled")
        if not self.is_attached:
            return
        self._show_state()

    def _stop_states(self, word: str) -> None:
        for n in range(1, len(self.windows) + 1):
            if self.states.get(n) != "✓ opened":
                self.states[n] = word

    # ----------------------------------------------------------------- closing
    def action_close(self) -> None:
        """Cancel the fetch (its partial file is removed) and close."""
        if self.running:
            self.workers.cancel_group(self, "fetch")
            self.notify(
                "Fetch cancelled: no partial file is left"
                + (f"; {len(self.saved)} zip(s) already opened." if self.saved else ".")
            )
        self.dismiss(None)
