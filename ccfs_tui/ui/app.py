"""The ccfs-tui Textual app: holds the store, the token store and ONE client per profile.

Data flows one way: index files -> store -> widgets. The app turns worker results
(messages) and failures (the one ``Worker.StateChanged`` handler) into what the user sees.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from ccfs_tui.core.clock import Clock, utc_now
from ccfs_tui.core.errors import CcfsError, CcfsResendBlockedError
from ccfs_tui.core.recording import Recording, normalize_file_name
from ccfs_tui.core.sanitize import is_valid_token
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.tokens import Token, TokenStore, format_remaining
from ccfs_tui.ui.actions import keymap_for, resolve
from ccfs_tui.ui.commands import palette_commands
from ccfs_tui.ui.formatting import count, shown, shown_lines, token_text
from ccfs_tui.ui.input_gate import START, InputGate, app_pumps
from ccfs_tui.ui.messages import (
    ClientReady,
    FilterApplied,
    IndexChunkLoaded,
    IndexLoadFinished,
    TokenIssued,
)
from ccfs_tui.ui.player import find_player
from ccfs_tui.ui.screens.help import HelpScreen
from ccfs_tui.ui.screens.main import MainScreen
from ccfs_tui.ui.screens.problems import ProblemsScreen
from ccfs_tui.ui.screens.resend_confirm import ResendConfirmScreen
from ccfs_tui.ui.screens.secret_prompt import SecretPromptScreen
from ccfs_tui.ui.screens.tokens import TokensScreen
from ccfs_tui.ui.token_actions import TokenActionsMixin
from ccfs_tui.ui.widgets.detail import Failure, Outcome, Requesting
from ccfs_tui.ui.widgets.token_bar import bar_token, short_name
from ccfs_tui.ui.widgets.tree import group_name
from ccfs_tui.ui.workers import SecretNeeded, WorkersMixin

TREE_REFRESH = 0.4
"""Seconds between two tree refreshes while the index loads (throttle): a refresh costs the
number of groups and populated nodes, not the number of rows."""


class CcfsApp(TokenActionsMixin, WorkersMixin, App[int]):
    """Find a recording, get its playback token, copy/download/play it."""

    CSS_PATH = "app.tcss"
    TITLE = "ccfs-tui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        *,
        index_paths: Sequence[Path] = (),
        profile: Any = None,
        config: Any = None,
        secret: Secret | None = None,
        token_store: TokenStore | None = None,
        clock: Clock = utc_now,
        transport: Any = None,
        audit: Any = None,
        store: Any = None,
        config_path: Path | None = None,
        demo: bool = False,
        insecure: bool = False,
        tick: bool = True,
        player_finder: Callable[[], list[str] | None] = find_player,
        environ: Mapping[str, str] | None = None,
        index_hint: str = "",
        prepare_index: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        if store is None:
            from ccfs_tui.core.recordings import RecordingStore

            store = RecordingStore()
        self.store = store
        self.index_paths = list(index_paths)
        self.profile = profile
        self.config = config
        self.config_path = config_path
        self.insecure = insecure
        self.demo = demo
        self.clock = clock
        self.tokens = token_store if token_store is not None else TokenStore(None, clock)
        self.client = None
        self._secret = secret
        self._transport = transport
        self._audit = audit
        self._audit_warned = False
        self._tick_enabled = tick
        self._player_finder = player_finder
        self._environ = environ
        self.index_hint = index_hint
        self._prepare_index = prepare_index
        self.problems: list[Any] = []
        self.loading = False
        self.revealed = False
        self.outcomes: dict[str, Outcome] = {}
        self.downloads: dict[str, Path] = {}
        self._worker_files: dict[Worker[Any], str] = {}
        self._filter_generation = 0
        self._tree_dirty = False
        self._first_chunk = True
        self._progress = (0, 1)
        self.first_rows_painted = threading.Event()
        """Set once the first rows are on screen: the loader waits for it (see workers)."""
        self._last_live = -1
        user_keys = config.keys if config is not None else {}
        self.action_keys = resolve(user_keys, config.path if config is not None else None)
        """Every action's keys (the table's, with the ``[keys]`` table of the config)."""
        self.set_keymap(keymap_for(user_keys))
        self.main_screen = MainScreen()
        self.input_gate = InputGate(lambda: app_pumps(self), self._route_input)
        """Every key and paste, whole and in order (see input_gate); keys typed before the
        main screen is up wait for it."""
        self.input_gate.hold(START)

    # ================================================================= input
    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes from the terminal go through the gate; the rest as usual."""
        if self.input_gate.takes(event):
            self.store.typing()  # the loader and the column split give way meanwhile
            return
        await super().on_event(event)

    async def _route_input(self, event: events.Event) -> None:
        """The gate lets ``event`` through: Textual routes it (priority bindings, then the
        focused widget); a failure is the app's, as it would be without the gate. Keys
        that come after the app was told to exit are dropped: its screens are going."""
        if self._exit or self._closing or self._closed:
            return
        try:
            await self.on_event(event)
        except Exception as error:  # reported like any handler's error
            self._handle_exception(error)

    # ================================================================= actions
    def run_main_action(self, action_id: str) -> None:
        """Run action ``action_id`` of the main screen as its key would (the palette): the
        screens above the main one are closed first."""
        while len(self.screen_stack) > 1 and self.screen is not self.main_screen:
            self.pop_screen()
        getattr(self.main_screen, f"action_{action_id}")()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette: the app's actions first, then Textual's own commands."""
        return palette_commands(self, iter(super().get_system_commands(screen)))

    # ================================================================= setup
    def get_default_screen(self) -> Screen[Any]:
        """The main screen is the base of the stack."""
        return self.main_screen

    def on_mount(self) -> None:
        self.update_titles()

    def main_ready(self) -> None:
        """Called once the main screen is composed: start the timers and the index load;
        the keys typed meanwhile go to it now."""
        if self._tick_enabled:
            self.set_interval(1.0, self.tick)
        self.set_interval(TREE_REFRESH, self._flush_tree)
        if self.tokens.load_error:
            self.notify(shown(self.tokens.load_error), severity="warning")
        self.warn_bad_tokens()
        self.start_loading()
        if self.profile is not None and self._profile_ready():
            self.prepare_client_worker()
        self.refresh_view()
        self.input_gate.release(START)

    def update_titles(self) -> None:
        """Header: profile and base URL."""
        if self.profile is None:
            self.sub_title = "no profile"
        else:
            base = self.profile.base_url or "no base_url"
            self.sub_title = f"{self.profile.name} · {base}"
        self.title = "ccfs-tui demo" if self.demo else "ccfs-tui"

    @property
    def tls_off(self) -> bool:
        """TLS verification is disabled for the active profile."""
        return bool(self.insecure or (self.profile is not None and not self.profile.verify))

    def banner_text(self) -> str:
        """The persistent warning line, if any."""
        if self.tls_off:
            return (
                "⚠ TLS verification is OFF: the server's identity is not checked. "
                "Prefer ca_bundle over --insecure."
            )
        return ""

    def _profile_ready(self) -> bool:
        from ccfs_tui.core.config import check_profile_ready
        from ccfs_tui.core.errors import ConfigError

        try:
            check_profile_ready(self.profile)
        except ConfigError:
            return False
        return True

    def profile_names(self) -> list[str]:
        """Profiles that can be switched to."""
        return sorted(self.config.profiles) if self.config is not None else []

    # ================================================================= index loading
    def start_loading(self) -> None:
        """Load the index files in the background (first chunk shows at once)."""
        browser = self.main_screen.browser
        if not self.index_paths:
            browser.load_note = ""
            browser.empty_text = self.empty_text()
            browser.update_summary()
            return
        self.loading = True
        self._first_chunk = True
        self.first_rows_painted.clear()
        browser.index_loading = True
        browser.set_progress(0, 1)
        browser.update_summary()
        self.start_index_load(self.index_paths)

    def empty_text(self) -> str:
        """What to do when no index was given."""
        where = self.config_path or (self.config.path if self.config is not None else None)
        hint = f" in {where}" if where else ""
        return (
            "No index loaded. Start with `ccfs-tui PATH` (a recording index file, folder or "
            f"zip), or set index_path in the profile{hint}. `ccfs-tui demo` shows a sample."
            + (f" {self.index_hint}" if self.index_hint else "")
        )

    def reload_index(self) -> None:
        """Read the index files again from scratch."""
        if not self.index_paths:
            self.notify("No index files to reload.", severity="warning")
            return
        from ccfs_tui.core.recordings import RecordingStore

        self.workers.cancel_group(self, "load")
        self.workers.cancel_group(self, "index")
        self.store = RecordingStore()
        self.problems = []
        browser = self.main_screen.browser
        browser.store = self.store
        browser.tree_widget.store = self.store
        browser.tree_widget.ids = None
        browser.total = 0
        browser.problem_count = 0
        browser.tree_widget.rebuild()
        self.start_loading()

    def on_index_chunk_loaded(self, message: IndexChunkLoaded) -> None:
        """The loader added rows to the store: counts now, the tree on the throttle timer."""
        if message.store is not None and message.store is not self.store:
            return  # from the loader of a store that a reload replaced
        browser = self.main_screen.browser
        self.problems.extend(message.problems)
        browser.total = len(self.store)
        browser.problem_count = len(self.problems)
        self._progress = (message.bytes_done, message.bytes_total)
        if self._first_chunk and browser.total:
            self._first_chunk = False
            browser.tree_widget.rebuild()
            browser.tree_widget.highlight_first()  # Enter works at once
            browser.update_summary()
            browser.set_progress(*self._progress)
            self.call_after_refresh(self.first_rows_painted.set)
        else:
            self._tree_dirty = True  # drawn on the throttle timer: a frame costs the loader
        if message.problems and len(self.problems) == len(message.problems):
            self.main_screen.refresh_bindings()

    def _flush_tree(self) -> None:
        if not self._tree_dirty:
            return
        self._tree_dirty = False
        browser = self.main_screen.browser
        if self.loading:
            browser.set_progress(*self._progress)
        tree = browser.tree_widget
        if tree.ids is not None and browser.applied_query.strip():
            # the rows added since: only their blocks are searched (the rest is cached)
            tree.ids = self.store.select(browser.applied_query)
        tree.sync()
        browser.update_summary()
        browser.reveal_when_found()  # Enter typed before the match was read
        if self.selected_row is None:
            self.show_cursor()  # on a group: its count in the detail pane grew with the load

    def on_index_load_finished(self, message: IndexLoadFinished) -> None:
        """The loader stopped: final refresh and a note."""
        self._finish_loading(
            "load cancelled" if message.cancelled else message.error or "",
        )

    def _finish_loading(self, note: str) -> None:
        self.first_rows_painted.set()
        if self.loading and len(self.store):
            self.call_after_refresh(self.index_worker)  # once the loaded tree is drawn
        self.loading = False
        browser = self.main_screen.browser
        browser.index_loading = False
        browser.load_note = note
        browser.set_progress(1, 1)
        if self._first_chunk:
            self._first_chunk = False
            browser.tree_widget.rebuild()
            browser.tree_widget.highlight_first()
        self._tree_dirty = True
        self._flush_tree()
        browser.update_summary()
        self.main_screen.refresh_bindings()

    # ================================================================= filter
    def run_filter(self, query: str) -> None:
        """Start filtering the store (a stale run is cancelled and its answer ignored)."""
        self._filter_generation += 1
        self.filter_worker(query, self._filter_generation)

    def on_filter_applied(self, message: FilterApplied) -> None:
        """Show the answer of the newest filter only."""
        if message.generation != self._filter_generation:
            return  # a newer search runs: its answer releases the input
        ids = message.ids
        if ids is not None and len(self.store) > message.upto:
            ids = self.store.select(message.query)  # rows came meanwhile: only they are new
        self.main_screen.browser.apply_filter(message.query, ids)

    # ================================================================= selection
    @property
    def selected_row(self) -> int | None:
        """The row id of the recording under the tree cursor now: every action reads it
        here, when its key is handled, never from an earlier copy (None on a group, on
        nothing, or before the screen is up)."""
        main = self.main_screen
        if not main.is_mounted:
            return None
        try:
            return main.browser.tree_widget.highlighted_row()
        except NoMatches:  # closing: its widgets are going
            return None

    def selected_recording(self) -> Recording | None:
        """The recording under the tree cursor now."""
        row_id = self.selected_row
        if row_id is None:
            return None
        return self.store.recording(row_id)  # type: ignore[no-any-return]

    def _profile_name(self) -> str | None:
        return self.profile.name if self.profile is not None else None

    def token_for(self, file_name: str) -> Token | None:
        """The latest token of ``file_name`` for the active profile (live or expired)."""
        return self.tokens.latest_for(normalize_file_name(file_name), self._profile_name())

    def live_token_for_selection(self) -> Token | None:
        """The selected recording's token, if still live."""
        rec = self.selected_recording()
        return None if rec is None else self._live_token(rec)

    def _live_token(self, rec: Recording) -> Token | None:
        """``rec``'s token, if still live."""
        token = self.token_for(rec.play_file_name)
        if token is None or token.is_expired(self.clock()):
            return None
        return token

    def renewable_token(self) -> Token | None:
        """``n`` renews this: the selected recording's token, else the expired bar token."""
        rec = self.selected_recording()
        if rec is not None:
            token = self.token_for(rec.play_file_name)
            if token is not None:
                return token
        shown = bar_token(self.tokens.all(), self.clock())
        if shown is not None and shown.is_expired(self.clock()):
            return shown
        return None

    def show_cursor(self) -> None:
        """Show what the tree cursor is on now in the detail pane (a recording, a group)."""
        main = self.main_screen
        if not main.is_mounted or not self.is_running:
            return
        row_id, group, n = main.browser.cursor()
        detail = main.detail
        if row_id is None:
            text = ""
            if group:
                names = " › ".join(group_name(group[: i + 1]) for i in range(len(group)))
                text = f"{names} · {count(n)} recording{'s' if n != 1 else ''}"
            detail.show(None, group_text=text)
        else:
            rec = self.store.recording(row_id)
            preview, note = self._preview(rec)
            detail.show(rec, preview=preview, preview_note=note, **self._playback_state(rec))
        self.main_screen.refresh_bindings()

    def _preview(self, rec: Recording) -> tuple[Any, str]:
        if self.profile is None:
            return None, "No profile: nothing can be signed."
        if self.client is None:
            if not self._profile_ready():
                return None, "The profile is not ready (base_url / app_id missing)."
            return None, "Signed with the SK when sent (the SK is not loaded yet)."
        try:
            return self.client.preview(rec.play_file_name), ""
        except CcfsError as exc:
            return None, exc.message

    def _playback_state(self, rec: Recording) -> dict[str, Any]:
        now = self.clock()
        token = self.token_for(rec.play_file_name)
        outcome = self.outcomes.get(rec.play_file_name)
        url = ""
        if token is not None and not token.is_expired(now):
            try:
                url = self.playback_url(token)
            except CcfsError:  # a token that is not plain text: never in a URL
                url = ""
        return {"outcome": outcome, "token": token, "url": url, "now": now}

    def refresh_view(self) -> None:
        """Redraw the playback state, the status bar and the footer keys."""
        main = self.main_screen
        if not main.is_mounted or not self.is_running:  # closing: its widgets are going
            return
        rec = self.selected_recording()
        if rec is not None:
            main.detail.set_playback(**self._playback_state(rec))
        self._update_token_bar(self.clock())
        main.refresh_bindings()
        if isinstance(self.screen, TokensScreen):
            self.screen.reload()

    # ================================================================= the one timer
    def tick(self) -> None:
        """Once a second: every countdown, recomputed from absolute expiries."""
        now = self.clock()
        main = self.main_screen
        if not main.is_mounted or not self.is_running or self._exit:
            return  # closing: its widgets are going (a tick then raised NoMatches once)
        self._update_token_bar(now)
        main.detail.tick(now)
        if isinstance(self.screen, TokensScreen):
            self.screen.tick(now)
        live = len(self.tokens.live())
        if live != self._last_live:
            self._last_live = live
            main.refresh_bindings()
            rec = self.selected_recording()
            if rec is not None:
                main.detail.set_playback(**self._playback_state(rec))

    def _update_token_bar(self, now: datetime) -> None:
        busy = ""
        if self.request_running():
            busy = "Requesting…"
        elif self.download_running():
            busy = "Downloading…"
        self.main_screen.token_bar.update_tokens(self.tokens.all(), now, busy=busy)

    # ================================================================= requests
    def request_running(self) -> bool:
        """A requestPlayVoice is in flight."""
        return any(w.group == "request" and w.is_running for w in self.workers)

    def download_running(self) -> bool:
        """A download is in flight."""
        return any(w.group == "download" and w.is_running for w in self.workers)

    def cancellable(self) -> bool:
        """Escape would cancel something."""
        return self.request_running() or self.download_running() or self.loading

    def request_selected(self) -> None:
        """Request a token for the recording under the cursor (not while one is live)."""
        self.request_row(self.selected_row)

    def request_row(self, row_id: int | None) -> None:
        """Request a token for recording ``row_id`` (not while one is live)."""
        if row_id is None:
            self.notify("Pick a recording first (↑↓ in the tree).", severity="warning")
            return
        rec = self.store.recording(row_id)
        live = self._live_token(rec)
        if live is not None and is_valid_token(live.token):
            left = format_remaining(live.remaining(self.clock()))
            self.notify(f"Its token is still live ({left} left): c copies the URL, n renews it.")
            return
        self.request_token(rec.play_file_name)

    def request_token(self, file_name: str) -> None:
        """Sign and send requestPlayVoice for ``file_name`` in a worker."""
        from ccfs_tui.core.config import check_profile_ready
        from ccfs_tui.core.errors import ConfigError

        name = normalize_file_name(file_name)
        if self.profile is None:
            self._set_outcome(
                name, Failure("No CC-FS profile is configured.", self.empty_profile_hint())
            )
            return
        try:
            check_profile_ready(self.profile)
        except ConfigError as exc:
            self._set_outcome(name, Failure(exc.message, exc.hint, exc.kind))
            return
        if isinstance(self.outcomes.get(name), Requesting) and name in self._worker_files.values():
            self.notify("Already requesting this one; Esc cancels.")
            return
        self._set_outcome(name, Requesting())
        worker = self.request_worker(name)
        self._worker_files[worker] = name
        self.refresh_view()

    def empty_profile_hint(self) -> str:
        """How to configure a profile."""
        where = self.config_path or (self.config.path if self.config is not None else None)
        return (
            f"Add a [profiles.NAME] table with base_url and app_id to {where or 'config.toml'} "
            "(ccfs-tui locate shows where), or set CCFS_BASE_URL and CCFS_APP_ID."
        )

    def _set_outcome(self, file_name: str, outcome: Outcome) -> None:
        if outcome is None:
            self.outcomes.pop(file_name, None)
        else:
            self.outcomes[file_name] = outcome
        self.refresh_view()

    def renew(self, token: Token) -> None:
        """Request a new token for the same file."""
        if self.profile is not None and token.profile != self.profile.name:
            self.notify(
                f"This token is from profile {token.profile!r}: switch to it (ctrl+p) to renew.",
                severity="warning",
            )
            return
        self.request_token(token.file_name)

    def on_token_issued(self, message: TokenIssued) -> None:
        """Keep the token (persisted) and show it."""
        token = message.token
        try:
            self.tokens.add(token)
        except OSError as exc:
            self.notify(f"Token kept for this session only: {exc}", severity="warning")
        self._set_outcome(token.file_name, None)
        self._last_live = -1
        self.notify(
            f"Token {token_text(token)} for {short_name(token.file_name)}: valid 30:00. "
            "c copies the URL, d downloads, p plays.",
            title="resultCode 0",
        )

    def on_client_ready(self, _message: ClientReady) -> None:
        """The SK is loaded: sign the preview of the selected recording."""
        self.show_cursor()

    def cancel_running(self) -> None:
        """Escape: cancel the request, else the download, else the index load."""
        if self.request_running():
            self.workers.cancel_group(self, "request")
            self.notify("Request cancelled.")
        elif self.download_running():
            self.workers.cancel_group(self, "download")
            self.notify("Download cancelled; no partial file is left.")
        elif self.loading:
            self.workers.cancel_group(self, "load")
            self._finish_loading("load cancelled")
            self.notify("Index load cancelled: showing what was read so far.")

    # ================================================================= worker failures
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where worker failures become something the user sees."""
        worker, state = event.worker, event.state
        if worker.group == "filter" and state == WorkerState.ERROR:
            self.main_screen.browser.release_input()  # no answer will come for that Enter
        if worker.group in ("filter", "index") and state != WorkerState.ERROR:
            return  # a search or the index starting or ending changes nothing shown
        if state in (WorkerState.PENDING, WorkerState.RUNNING):
            self.refresh_view()
            return
        file_name = self._worker_files.pop(worker, None)
        group = worker.group
        if group in ("request", "download"):
            self._warn_audit()
        error = worker.error if state == WorkerState.ERROR else None
        if group == "request" and file_name is not None:
            still_running = file_name in self._worker_files.values()
            if isinstance(error, SecretNeeded):
                self._set_outcome(file_name, None)
                self._ask_secret(file_name)
            elif isinstance(error, CcfsResendBlockedError):
                self._set_outcome(file_name, self._failure(error))
                self._confirm_resend(file_name, error)
            elif error is not None:
                self._set_outcome(file_name, self._failure(error))
                self._notify_error(error)
            elif state == WorkerState.CANCELLED and not still_running:
                self._set_outcome(file_name, None)
        elif group == "download" and error is not None:
            self._notify_error(error)
            self.main_screen.detail.set_download_note(
                f"Download failed: {self._failure(error).message}", hide_bar=True
            )
        elif group == "download" and state == WorkerState.CANCELLED:
            self.main_screen.detail.set_download_note("Download cancelled.", hide_bar=True)
        elif group == "load" and error is not None:
            self._notify_error(error)
            self._finish_loading(f"load failed: {self._failure(error).message}")
        elif group == "client" and error is not None:
            self.main_screen.detail.show_preview_note(
                f"{self._failure(error).message} {self._failure(error).hint}"
            )
        elif error is not None and not isinstance(error, SecretNeeded):
            self._notify_error(error)
        self.refresh_view()

    def _warn_audit(self) -> None:
        """Once: the audit log could not be written (a request is never unrecorded quietly)."""
        warning = getattr(self._audit, "warning", None)
        if warning and not self._audit_warned:
            self._audit_warned = True
            self.notify(warning, title="Audit log", severity="warning", timeout=12)

    @staticmethod
    def _failure(error: BaseException) -> Failure:
        if isinstance(error, CcfsError):
            return Failure(error.message, error.hint, error.kind)
        if isinstance(error, OSError):
            where = f": {error.filename}" if error.filename else ""
            return Failure(f"{error.strerror or error}{where}", "Check the path and permissions.")
        return Failure(f"{type(error).__name__}: {error}", "This is a bug; please report it.")

    def _notify_error(self, error: BaseException) -> None:
        failure = self._failure(error)
        text = f"{failure.message}\n{failure.hint}".strip()
        self.notify(text, title="Error", severity="error", timeout=8)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast (screens' too): plain text, never markup, its control characters
        shown as escapes line by line (a server's, a file's or the token store's text may
        be in it: a ``[`` is shown as typed, an ESC never reaches the terminal)."""
        super().notify(
            shown_lines(str(message)),
            title=shown(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def _confirm_resend(self, file_name: str, error: CcfsResendBlockedError) -> None:
        """The profile is on hold after refused signatures (CC-FS locks the address of a
        host that keeps sending them): ask before sending again."""
        profile = self.profile

        def done(send: bool | None) -> None:
            if send and self.client is not None:
                self.client.confirm_resend()
                self.request_token(file_name)
            else:
                self.notify("Nothing was sent.", severity="warning")

        self.push_screen(ResendConfirmScreen(profile.name, profile.app_id, error.message), done)

    def _ask_secret(self, file_name: str) -> None:
        profile = self.profile

        def done(secret: Secret | None) -> None:
            if secret:
                self._secret = secret
                self.request_token(file_name)
            else:
                self.notify("No SK given: nothing was sent.", severity="warning")

        self.push_screen(SecretPromptScreen(profile.name, profile.app_id), done)

    # ================================================================= screens
    def open_tokens(self) -> None:
        """Every token with its time left."""
        if not isinstance(self.screen, TokensScreen):
            self.push_screen(TokensScreen())

    def open_problems(self) -> None:
        """Index lines that were skipped."""
        self.push_screen(ProblemsScreen(self.problems))

    def open_help(self) -> None:
        """Keys and hints."""
        self.push_screen(HelpScreen())

    # ================================================================= profiles
    def switch_profile(self, name: str) -> None:
        """Use another profile: a new client (the old one is closed), its SK resolved anew."""
        from ccfs_tui.core.config import select_profile
        from ccfs_tui.core.errors import ConfigError

        if self.config is None:
            return
        try:
            profile = select_profile(self.config, name, self._environ or os.environ)
        except ConfigError as exc:
            self._notify_error(exc)
            return
        if self.insecure:
            profile = profile.with_overrides(verify=False)
        self.workers.cancel_group(self, "request")
        self.workers.cancel_group(self, "download")
        old, self.client = self.client, None
        if old is not None:
            self.close_client_worker(old)
        self._secret = None
        self.profile = profile
        self.update_titles()
        self.main_screen.update_banner()
        if self._profile_ready():
            self.prepare_client_worker()
        self.show_cursor()
        self.refresh_view()
        self.notify(f"Profile {name}: {profile.base_url or 'no base_url'}", title="Profile")

    async def on_unmount(self) -> None:
        """Close the HTTP client; thaw what :func:`~ccfs_tui.ui.workers.settle_memory`
        froze, so that it can be collected again."""
        self.input_gate.close()
        gc.unfreeze()
        if self.client is not None:
            await self.client.aclose()
