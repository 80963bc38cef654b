"""The main screen: recordings tree (left), detail pane (right), token status bar.

It owns the main screen's keys (from the action table) and its view state, as reactives:
the recording shown, whether tokens are revealed, the time of the last tick. It is given
what it needs: the :class:`~ccfs_tui.core.session.Session`, the store, the index files.
The browser loads and filters the recordings; :class:`TokenJobs` does the token work and
holds the player; :class:`ListenJobs` runs the listening server (``l``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Header, Static

from ccfs_tui.core.cdr import CdrLeg
from ccfs_tui.core.clock import utc_now
from ccfs_tui.core.errors import CcfsError, ConfigError
from ccfs_tui.core.recording import Recording
from ccfs_tui.core.recordings import RecordingStore
from ccfs_tui.core.session import Session
from ccfs_tui.core.tokens import Token, format_remaining
from ccfs_tui.ui.actions import BY_ID, MAIN, bindings_for, first_key, key_display
from ccfs_tui.ui.failures import notify_error
from ccfs_tui.ui.fit import path_lines
from ccfs_tui.ui.formatting import count, home_short, short_name, shown
from ccfs_tui.ui.input_gate import gate_of
from ccfs_tui.ui.messages import (
    ClientReady,
    DownloadFinished,
    DownloadProgress,
    DownloadStopped,
    JobsChanged,
    ListenReady,
    MainReady,
    PreviewNote,
    ProfileSwitched,
    TokenIssued,
    TokensChanged,
)
from ccfs_tui.ui.screens.audit import AuditScreen, user_audit_log
from ccfs_tui.ui.screens.goto_call import GotoCallScreen
from ccfs_tui.ui.screens.help import HelpScreen
from ccfs_tui.ui.screens.problems import ProblemsScreen
from ccfs_tui.ui.screens.tokens import TokensScreen
from ccfs_tui.ui.widgets.browser import Cursor, RecordingBrowser
from ccfs_tui.ui.widgets.call_jobs import CallJobs
from ccfs_tui.ui.widgets.detail import DetailPane
from ccfs_tui.ui.widgets.footer import KeyFooter
from ccfs_tui.ui.widgets.listen_jobs import ListenJobs
from ccfs_tui.ui.widgets.loose_call import LooseCall
from ccfs_tui.ui.widgets.token_bar import TokenBar, bar_token
from ccfs_tui.ui.widgets.token_jobs import TokenJobs
from ccfs_tui.ui.widgets.tree import group_name

PATH_CELLS = 33
"""Cells of a path's line in the detail pane: its text width at 80 columns, less indent."""

TLS_OFF = (
    "⚠ TLS verification is OFF: the server's identity is not checked. "
    "Prefer ca_bundle over --insecure."
)


class MainScreen(Screen[None]):
    """Where the engineer finds a recording and gets its token."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (72, "-wide")]  # noqa: RUF012
    """Below 72 columns the panes stack; from 72 they sit side by side."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for(MAIN))
    """From the action table (ui/actions.py); each binding's id is its action id."""

    # View state is ``var`` (no repaint): the watchers redraw exactly the widgets concerned.
    # A ``reactive`` here repainted the whole screen at every tick of ``now``: 12 KB/s to
    # the terminal with no token at all (0.3 KB/s this way), and slower filters.
    recording: var[Recording | None] = var(None, bindings=True, init=False)
    """The recording the detail pane shows (the keys that act on it follow)."""
    revealed: var[bool] = var(False, init=False)
    """Tokens are shown in full, here and on the tokens screen."""
    now: var[datetime] = var(utc_now, always_update=True, init=False)
    """The time of the last tick: every countdown is recomputed from it."""
    token_counts: var[tuple[int, int]] = var((0, 0), bindings=True, init=False)
    """Tokens in the store, and how many are live."""
    working: var[bool] = var(False, bindings=True, init=False)
    """A request or a download is in flight (Escape cancels it)."""
    loose: var[LooseCall | None] = var(None, bindings=True, init=False)
    """A call fetched by its id ("go to call id"), shown instead of the tree's recording
    until the tree cursor moves: ``d``, ``p`` and ``l`` act on it (no index row, no token)."""

    def __init__(
        self,
        session: Session,
        store: RecordingStore,
        index_paths: Sequence[Path] = (),
        *,
        keys: Mapping[str, Sequence[str]],
        player_finder: Callable[[], list[str] | None],
        environ: Mapping[str, str] | None = None,
        index_hint: str = "",
        prepare_index: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.keys = keys
        """Every action's keys in effect (the table's, with the ``[keys]`` of the config)."""
        self.index_hint = index_hint
        self._browser_args = (store, index_paths, prepare_index)
        self._jobs_args = (player_finder, environ)
        self._loose_cursor: Cursor | None = None
        """Where the tree cursor was when the loose call was shown."""

    def compose(self) -> ComposeResult:
        store, index_paths, prepare_index = self._browser_args
        player_finder, environ = self._jobs_args
        yield Header(icon="▶")
        yield Static(id="banner")
        with Horizontal(id="panes"):
            yield RecordingBrowser(
                store,
                index_paths,
                prepare_index=prepare_index,
                empty_text="No index loaded: the Recording pane says how to open one.",
                id="browser",
            )
            yield DetailPane(self.keys, id="detail")
        yield TokenBar(self.keys, id="token-bar")
        yield KeyFooter(compact=True)
        yield TokenJobs(self.session, keys=self.keys, player_finder=player_finder, environ=environ)
        yield ListenJobs(self.session, environ=environ)
        yield CallJobs(self.session)

    def on_mount(self) -> None:
        self.update_banner()
        self.browser.tree_widget.focus()
        if self.session.tokens.load_error:
            self.notify(shown(self.session.tokens.load_error), severity="warning")
        self.jobs.warn_bad_tokens()
        self.browser.start_loading()
        self.jobs.prepare_client()
        self.refresh_view()
        self.post_message(MainReady())

    # ----------------------------------------------------------------- parts
    @property
    def browser(self) -> RecordingBrowser:
        """The left pane."""
        return self.query_one(RecordingBrowser)

    @property
    def detail(self) -> DetailPane:
        """The right pane."""
        return self.query_one(DetailPane)

    @property
    def token_bar(self) -> TokenBar:
        """The status bar."""
        return self.query_one(TokenBar)

    @property
    def jobs(self) -> TokenJobs:
        """The token work (requests, downloads, the player)."""
        return self.query_one(TokenJobs)

    @property
    def listen_jobs(self) -> ListenJobs:
        """The listening server and the recordings it serves."""
        return self.query_one(ListenJobs)

    @property
    def calls(self) -> CallJobs:
        """Going to a call id: the search, the fetch by downloadRecord, the copy."""
        return self.query_one(CallJobs)

    @property
    def store(self) -> RecordingStore:
        """The recordings (a reload replaces the store)."""
        if not self.is_mounted:
            return self._browser_args[0]
        return self.browser.store

    def empty_text(self) -> str:
        """What to do when no index was given (the detail pane shows it; the config file's
        path on a line of its own, so that it is not cut mid-word)."""
        lines = [
            "No index loaded. To open one:",
            "• ccfs-tui PATH: an index file (*_record*.csv), a folder or a zip",
            "• ccfs-tui fetch: ask CC-FS for the index of a day range",
            "• or set index_path in the profile, in",
        ]
        if (where := self.session.config_path) is not None:
            # broken after a "/" to fit the narrowest pane (80 columns), never mid-word
            lines += [f"  {line}" for line in path_lines(home_short(where), PATH_CELLS)]
        lines.append("• ccfs-tui demo: a sample on the embedded emulator")
        if self.index_hint:
            lines += ["", self.index_hint]
        return "\n".join(lines)

    def idle_text(self) -> str:
        """What the detail pane says when the cursor is on nothing: no index, or a filter
        nothing matches ("" otherwise)."""
        browser = self.browser
        if not browser.total and not browser.index_loading and not browser.index_paths:
            return self.empty_text()
        query = browser.applied_query.strip()
        if query and browser.matches() == 0:
            help_keys = "/".join(key_display(k) for k in self.keys.get("help", ()))
            return (
                f"Nothing matches “{shown(query)}”.\n"
                f"Esc clears the filter; {help_keys or 'Help'} then 2 shows its syntax."
            )
        return ""

    def update_banner(self) -> None:
        """The persistent warning: TLS verification off."""
        banner = self.query_one("#banner", Static)
        tls_off = self.session.tls_off
        banner.display = tls_off
        banner.set_class(tls_off, "-danger")
        banner.update(TLS_OFF if tls_off else "")

    # ----------------------------------------------------------------- the selection
    @property
    def selected_row(self) -> int | None:
        """The row id of the recording under the tree cursor now: every action reads it
        when its key is handled, never an earlier copy (None on a group, on nothing, or
        while the screen is not up)."""
        try:
            return self.browser.selected_row if self.is_mounted else None
        except NoMatches:  # closing: its widgets are going
            return None

    def selected_recording(self) -> Recording | None:
        """The recording under the tree cursor now (see :attr:`selected_row`); None while
        a call fetched by its id is shown instead (:attr:`loose`)."""
        if self.loose is not None:
            return None
        try:
            return self.browser.selected_recording() if self.is_mounted else None
        except NoMatches:
            return None

    def live_token_for_selection(self) -> Token | None:
        """The selected recording's token, if still live."""
        rec = self.selected_recording()
        return None if rec is None else self.session.live_token(rec.play_file_name)

    def renewable_token(self) -> Token | None:
        """``n`` renews this: the selected recording's token, else the expired bar token."""
        rec = self.selected_recording()
        if rec is not None and (token := self.session.token_for(rec.play_file_name)):
            return token
        now = self.session.clock()
        token = bar_token(self.session.tokens.all(), now)
        return token if token is not None and token.is_expired(now) else None

    # ----------------------------------------------------------------- the view
    def show_cursor(self) -> None:
        """Show what the tree cursor is on now in the detail pane (a recording, a group)."""
        if not self.is_mounted or not self.app.is_running:
            return  # closing: its widgets are going
        self.loose = None
        row_id, group, n = self.browser.cursor()
        rec = self.selected_recording() if row_id is not None else None
        call_id = rec.call_id if rec is not None else None
        self.detail.show_legs(call_id, self._legs(call_id))
        if rec is None:
            text = ""
            if group:
                names = " › ".join(group_name(group[: i + 1]) for i in range(len(group)))
                text = f"{names} · {count(n)} recording{'s' if n != 1 else ''}"
            self.detail.idle_text = "" if group else self.idle_text()
            self.detail.show(None, group_text=text)
        else:
            preview, note = self.session.preview(rec.play_file_name)
            self.detail.show(rec, preview=preview, preview_note=note, **self._playback(rec))
        self._show_audio(rec)
        self.recording = rec

    def _show_audio(self, rec: Recording | None) -> None:
        """The waveform of ``rec`` once downloaded, and its listening URL once served."""
        if rec is None:
            self.detail.set_audio(None)
            self.detail.set_listen("")
            return
        self.detail.set_audio(self.session.downloaded(rec.play_file_name))
        listen = self.listen_jobs
        listening = listen.listening(rec.play_file_name)
        self.detail.set_listen(listening.url if listening else "", listen.ssh_line())

    def _playback(self, rec: Recording) -> dict[str, Any]:
        session = self.session
        now = session.clock()
        token = session.token_for(rec.play_file_name)
        url = ""
        if token is not None and not token.is_expired(now):
            try:
                url = session.playback_url(token)
            except CcfsError:  # a token that is not plain text: never in a URL
                url = ""
        return {
            "outcome": session.outcome(rec.play_file_name),
            "token": token,
            "url": url,
            "now": now,
        }

    def refresh_view(self) -> None:
        """Redraw the playback state and the status bar; the keys follow the reactives."""
        if not self.is_mounted or not self.app.is_running:
            return
        rec = self.selected_recording()
        if rec is not None:
            self.detail.set_playback(**self._playback(rec))
            self._show_audio(rec)
        elif self.loose is not None:
            self._show_loose_listen(self.loose)
        jobs = self.jobs
        self.working = (
            jobs.request_running() or jobs.download_running() or self.listen_jobs.running()
        )
        self._update_token_bar(self.session.clock())
        self._count_tokens()

    def _count_tokens(self) -> None:
        tokens = self.session.tokens
        self.token_counts = (len(tokens.all()), len(tokens.live()))

    def _update_token_bar(self, now: datetime) -> None:
        busy = ""
        if self.jobs.request_running():
            busy = "Requesting…"
        elif self.jobs.download_running() or self.listen_jobs.running():
            busy = "Downloading…"
        self.token_bar.update_tokens(self.session.tokens.all(), now, busy=busy)

    def watch_now(self, now: datetime) -> None:
        """The one timer ticked: every countdown, recomputed from absolute expiries."""
        if not self.is_mounted:
            return
        self._update_token_bar(now)
        self.detail.tick(now)
        self._count_tokens()

    def watch_token_counts(self) -> None:
        """A token came, went or expired: the selected recording's state may change."""
        rec = self.selected_recording()
        if rec is not None:
            self.detail.set_playback(**self._playback(rec))

    def watch_revealed(self, revealed: bool) -> None:
        self.detail.set_revealed(revealed)

    # ----------------------------------------------------------------- messages
    def on_recording_browser_highlighted(self, event: RecordingBrowser.Highlighted) -> None:
        """Show what the cursor is on now (recording or group) in the detail pane (a call
        fetched by its id stays until the cursor moves)."""
        kept = self._loose_cursor
        if self.loose is not None and kept is not None and (event.row_id, event.group) == kept[:2]:
            return
        self.show_cursor()

    def on_recording_browser_chosen(self, event: RecordingBrowser.Chosen) -> None:
        """Enter on a recording: request the token of the one Enter was pressed on."""
        self.show_cursor()
        self.request_recording(self.store.recording(event.row_id))

    def on_jobs_changed(self, _message: JobsChanged) -> None:
        self.refresh_view()

    def on_token_issued(self, _message: TokenIssued) -> None:
        self.refresh_view()
        for screen in self.app.screen_stack:  # the tokens screen, if it is open
            if screen is not self:
                screen.post_message(TokensChanged())

    def on_client_ready(self, _message: ClientReady) -> None:
        """The SK is loaded: sign the preview of the selected recording."""
        self.show_cursor()

    def on_preview_note(self, message: PreviewNote) -> None:
        self.detail.show_preview_note(message.note)

    def on_download_progress(self, message: DownloadProgress) -> None:
        """Feed the progress bar."""
        name = short_name(message.file_name)
        if message.total:
            note = f"Downloading {name}… {message.done * 100 // message.total}%"
        else:
            note = f"Downloading {name}… {message.done // 1024} KiB"
        self.detail.set_download(message.done, message.total, note, file_name=message.file_name)

    def on_download_finished(self, message: DownloadFinished) -> None:
        """Say where the file is."""
        size = message.path.stat().st_size if message.path.exists() else 0
        note = f"Saved {shown(message.path)}"
        self.detail.set_download(size, size or None, note, file_name=message.file_name)

    def on_download_stopped(self, message: DownloadStopped) -> None:
        self.detail.set_download_note(message.note, hide_bar=True)

    def on_listen_ready(self, message: ListenReady) -> None:
        """A recording is served: the pane shows its URL (and its waveform)."""
        if message.downloaded is not None:  # the URL says it all: no bar, no note
            self.detail.set_download(0, None, "", file_name=message.file_name)
            self.detail.set_download_note("", hide_bar=True)
        self.refresh_view()

    def on_screen_resume(self, _event: Any) -> None:
        self.refresh_view()

    def on_resize(self, _event: Any) -> None:
        self.refresh_bindings()  # some footer keys depend on the width (footer_from)

    # ----------------------------------------------------------------- actions
    # One method per action of the table (ui/actions.py): its key and the palette run it.
    def can_act(self, action: str) -> bool:
        """The action would do something right now (its footer key and palette entry show)."""
        try:
            if action == "request_token":
                return self.selected_recording() is not None and (
                    self.live_token_for_selection() is None
                )
            if action == "renew_token":
                return self.renewable_token() is not None
            if action == "play" and self.jobs.player.playing:
                return True  # a second p stops it
            if action in ("download", "play", "listen") and self.loose is not None:
                return self.loose.state == "ready"
            if action in ("copy_url", "download", "play", "reveal_token"):
                return self.live_token_for_selection() is not None
            if action == "listen":
                return self.selected_recording() is not None
            if action == "problems":
                return bool(self.browser.problems)
            if action == "cancel":
                browser = self.browser
                return (
                    self.working
                    or browser.index_loading
                    or self.calls.fetching()
                    or bool(browser.applied_query.strip())  # Esc clears the filter
                )
        except NoMatches:  # not composed yet, or closing
            return False
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the keys that do something right now are shown (False hides a key).

        An action's hidden twin (``action(1)``, see ``actions.bindings_for``) acts where
        its footer binding does not: below the footer's width, and, for an action that
        ``explains``, when it cannot act (it then says why)."""
        spec = BY_ID.get(action)
        can = self.can_act(action)
        wide_from = spec.footer_from if spec is not None else 0
        shown = can and (not wide_from or self.size.width >= wide_from)
        if not parameters:
            return shown
        return not shown and (can or (spec is not None and spec.explains))

    def run_from_palette(self, action_id: str) -> None:
        """Run an action as its key would (the palette): screens above this one close."""
        while len(self.app.screen_stack) > 1 and self.app.screen is not self:
            self.app.pop_screen()
        getattr(self, f"action_{action_id}")()

    def action_filter(self) -> None:
        """Open the filter input (a "/" typed in the filter itself is just text)."""
        if self.focused is self.browser.filter_input:
            raise SkipAction()
        self.browser.open_filter()

    def action_request_token(self, _twin: int = 0) -> None:
        """Request a token for the selected recording."""
        self.request_recording(self.selected_recording())

    def request_recording(self, rec: Recording | None) -> None:
        """Request a token for ``rec`` (not while its token is live)."""
        if rec is None:
            self.notify("Pick a recording first (↑↓ in the tree).", severity="warning")
            return
        live = self.session.usable_token(rec.play_file_name)
        if live is not None:
            left = format_remaining(live.remaining(self.session.clock()))
            self.notify(
                f"Its token is still live ({left} left): {first_key(self.keys, 'copy_url')} "
                f"copies the URL, {first_key(self.keys, 'renew_token')} renews it."
            )
            return
        self.jobs.request(rec.play_file_name)

    def action_renew_token(self, _twin: int = 0) -> None:
        """Renew the selected (or status-bar) token."""
        token = self.renewable_token()
        if token is None:
            self.notify("No token to renew.", severity="warning")
        else:
            self.jobs.renew(token)

    def _need_live_token(self) -> Token | None:
        """The live token of the selected recording, else say there is none (None)."""
        token = self.live_token_for_selection()
        if token is None:
            self.notify(
                "No live token for the selected recording: Enter requests one.",
                severity="warning",
            )
        return token

    def action_copy_url(self, _twin: int = 0) -> None:
        """Copy the playback URL."""
        if (token := self._need_live_token()) is not None:
            self.jobs.copy_url(token)

    def action_download(self, _twin: int = 0) -> None:
        """Download the audio (a call fetched by its id: save a copy)."""
        if self.loose is not None:
            if self.loose.audio is not None:
                self.calls.save(self.loose.audio)
            return
        if (token := self._need_live_token()) is not None:
            self.jobs.download(token)

    def action_play(self) -> None:
        """Play the audio (download first if needed); while it plays, stop it."""
        if self.jobs.stop_player():
            return
        if self.loose is not None:
            if self.loose.files:
                self.jobs.play_file(self.loose.files[0])
            return
        if (token := self._need_live_token()) is not None:
            self.jobs.play(token)

    def action_listen(self, _narrow: int = 0) -> None:
        """Serve the selected recording to the browser: started on first use, the server
        gets the audio (downloaded first, with a token requested if none is live); a call
        fetched by its id: its WAVs, already here, one URL each."""
        if (call := self.loose) is not None:
            if not call.files:
                self.notify("Nothing to listen to until the call is fetched.", severity="warning")
            elif self.listen_jobs.start_server():
                self.listen_jobs.serve_call(call.call_id, call.files)
            return
        rec = self.selected_recording()
        if rec is None:
            self.notify("Pick a recording first (↑↓ in the tree).", severity="warning")
            return
        listen = self.listen_jobs
        if listen.downloading(rec.play_file_name):
            self.notify(f"Downloading it for listening; {first_key(self.keys, 'cancel')} cancels.")
            return
        if not listen.start_server() or listen.again(rec):
            return
        path = self.session.downloaded(rec.play_file_name)
        if path is not None:
            listen.serve_file(rec, path)
            return
        token = self.session.usable_token(rec.play_file_name)
        if token is not None:
            listen.download(rec, token)
        else:
            self.jobs.request(rec.play_file_name, then=lambda token: listen.download(rec, token))

    def action_reveal_token(self) -> None:
        """Reveal or hide the tokens."""
        self.revealed = not self.revealed

    def action_tokens(self) -> None:
        """Open the tokens screen."""
        self.app.push_screen(TokensScreen(self))

    def action_problems(self, _twin: int = 0) -> None:
        """List skipped index lines (none: say so)."""
        browser = self.browser
        if not browser.problems:
            if browser.index_loading:
                self.notify("No skipped lines so far (the index is still loading).")
            elif browser.total:
                self.notify("No skipped lines: every line of the index was read.")
            else:
                self.notify("No skipped lines: no index is loaded.")
            return
        self.app.push_screen(ProblemsScreen(self.browser.problems))

    def action_audit(self, _narrow: int = 0) -> None:
        """Show the audit log: recent token requests and downloads."""
        self.app.push_screen(AuditScreen(self.session.audit or user_audit_log()))

    def action_cancel(self) -> None:
        """Cancel the request, else the download, else the index load, else clear the
        filter."""
        if self.jobs.cancel() or self.listen_jobs.cancel() or self.calls.cancel():
            return
        if self.browser.cancel_loading():
            self.notify("Index load cancelled: showing what was read so far.")
        elif self.browser.applied_query.strip():
            self.browser.close_filter()

    # ----------------------------------------------------------------- fetch, go to call
    def action_fetch_index(self, _narrow: int = 0) -> None:
        """Open the "Fetch index" screen; each zip it saves joins the index at once."""
        # imported here: it brings the HTTP client and the callback server, which the first
        # frame does not need (about 0.1 s of a launch)
        from ccfs_tui.ui.screens.fetch import FetchScreen

        self.app.push_screen(FetchScreen(self.session, self.browser.add_paths))

    def action_goto_call(self, _narrow: int = 0) -> None:
        """Ask for a call id: jump to it in the index, else fetch it by downloadRecord."""

        def chosen(call_id: str | None) -> None:
            if call_id:
                self.go_to_call(call_id)

        self.app.push_screen(GotoCallScreen(), chosen)

    def go_to_call(self, call_id: str) -> None:
        """Look ``call_id`` up in the store (in a worker); the keys typed meanwhile wait for
        the answer, so they act on what it shows."""
        if (gate := gate_of(self)) is not None:
            gate.hold("goto")
        self.calls.find(self.store, call_id)

    def on_call_jobs_found(self, message: CallJobs.Found) -> None:
        """In the index: jump to its first recording; else fetch it by its id."""
        try:
            if message.store is not self.store or not message.call_id:
                return
            if message.row_id is not None:
                self.browser.go_to_row(message.row_id)
                self.show_cursor()
                return
            self.show_loose(LooseCall(message.call_id))
            self.calls.fetch(message.call_id)
        finally:
            if (gate := gate_of(self)) is not None:
                gate.release("goto")

    def show_loose(self, call: LooseCall) -> None:
        """Show ``call`` (fetched by its id) in the detail pane until the cursor moves."""
        if self.loose is None:
            self._loose_cursor = self.browser.cursor()
        self.loose = call
        self.recording = None
        self.detail.show_loose(call)
        self.detail.show_legs(call.call_id, self._legs(call.call_id))
        self._show_audio(None)
        self._show_loose_listen(call)
        if call.files:
            self.detail.set_audio(call.files[0])

    def _show_loose_listen(self, call: LooseCall) -> None:
        """The listening URLs of ``call``'s recordings, once served."""
        listen = self.listen_jobs
        served = listen.listening_files(call.files)
        self.detail.set_listen_urls([each.url for each in served], listen.ssh_line())

    def _update_loose(self, call_id: str, **changes: object) -> None:
        if self.loose is not None and self.loose.call_id == call_id:
            self.show_loose(self.loose.with_(**changes))

    def on_call_jobs_started(self, message: CallJobs.Started) -> None:
        self._update_loose(message.call_id, state="fetching", received=0, message="")

    def on_call_jobs_received(self, message: CallJobs.Received) -> None:
        self._update_loose(message.call_id, received=message.received)

    def on_call_jobs_fetched(self, message: CallJobs.Fetched) -> None:
        self._update_loose(
            message.call_id, state="ready", audio=message.audio, durations=message.durations
        )

    def on_call_jobs_failed(self, message: CallJobs.Failed) -> None:
        self._update_loose(message.call_id, state="failed", message=message.text)

    def on_call_jobs_saved(self, message: CallJobs.Saved) -> None:
        where = ", ".join(str(path) for path in message.paths)
        self.notify(f"Saved to {shown(where)}", title="Downloaded")
        self._update_loose(message.call_id, message=f"Saved to {where}")

    def _legs(self, call_id: str | None) -> list[CdrLeg] | None:
        """The CDR legs of ``call_id`` (None: no CDR file is loaded)."""
        return None if call_id is None else self.browser.legs_of(call_id)

    def on_recording_browser_legs_loaded(self, _message: RecordingBrowser.LegsLoaded) -> None:
        """CDR files were read: the legs of the call shown."""
        call_id = self.loose.call_id if self.loose is not None else None
        if call_id is None and (rec := self.selected_recording()) is not None:
            call_id = rec.call_id
        self.detail.show_legs(call_id, self._legs(call_id))

    def action_help(self) -> None:
        """Show help (the filter's tab with terms of the index loaded)."""
        self.app.push_screen(HelpScreen(self.keys, examples=self.browser.sample_terms()))

    def action_quit(self) -> None:
        """Leave ccfs-tui."""
        self.app.exit()

    # ----------------------------------------------------------------- palette
    def reload_index(self) -> None:
        """Read the index files again from scratch."""
        self.browser.reload()

    def other_profiles(self) -> list[str]:
        """Profiles that can be switched to."""
        active = self.session.profile.name if self.session.profile is not None else None
        return [name for name in self.session.profile_names() if name != active]

    def explain_profiles(self) -> None:
        """There is no other profile to switch to: say how to add one."""
        active = self.session.profile.name if self.session.profile is not None else "default"
        where = self.session.config_path
        if where is None:
            self.notify(
                f"Only profile {active}. Profiles are the [profiles.NAME] tables of "
                "config.toml (ccfs-tui locate)."
            )
        else:
            self.notify(
                f"Only profile {active}: each [profiles.NAME] table of {where} adds one "
                "to switch to."
            )

    def switch_profile(self, name: str) -> None:
        """Use another profile: its own client and SK (the old client is closed)."""
        try:
            profile = self.session.switch_profile(name)
        except ConfigError as exc:
            notify_error(self, exc)
            return
        self.jobs.cancel_all()  # they ran on the old profile's client
        self.listen_jobs.cancel_all()
        self.update_banner()
        self.jobs.prepare_client()
        self.show_cursor()
        self.refresh_view()
        self.post_message(ProfileSwitched(profile.name, profile.base_url))
        self.notify(f"Profile {name}: {profile.base_url or 'no base_url'}", title="Profile")
