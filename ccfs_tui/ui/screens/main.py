"""The main screen: recordings tree (left), detail pane (right), token status bar.

It owns the main screen's keys (from the action table) and its view state, as reactives:
the recording shown, whether tokens are revealed, the time of the last tick. It is given
what it needs: the :class:`~ccfs_tui.core.session.Session`, the store, the index files.
The browser loads and filters the recordings; :class:`TokenJobs` does the token work.
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
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header, Static

from ccfs_tui.core.clock import utc_now
from ccfs_tui.core.errors import CcfsError, ConfigError
from ccfs_tui.core.recording import Recording
from ccfs_tui.core.recordings import RecordingStore
from ccfs_tui.core.session import Session
from ccfs_tui.core.tokens import Token, format_remaining
from ccfs_tui.ui.actions import BY_ID, MAIN, bindings_for, first_key
from ccfs_tui.ui.failures import notify_error
from ccfs_tui.ui.formatting import count, short_name, shown
from ccfs_tui.ui.messages import (
    ClientReady,
    DownloadFinished,
    DownloadProgress,
    DownloadStopped,
    JobsChanged,
    MainReady,
    PreviewNote,
    ProfileSwitched,
    TokenIssued,
    TokensChanged,
)
from ccfs_tui.ui.screens.audit import AuditScreen, user_audit_log
from ccfs_tui.ui.screens.help import HelpScreen
from ccfs_tui.ui.screens.problems import ProblemsScreen
from ccfs_tui.ui.screens.tokens import TokensScreen
from ccfs_tui.ui.widgets.browser import RecordingBrowser
from ccfs_tui.ui.widgets.detail import DetailPane
from ccfs_tui.ui.widgets.footer import KeyFooter
from ccfs_tui.ui.widgets.token_bar import TokenBar, bar_token
from ccfs_tui.ui.widgets.token_jobs import TokenJobs
from ccfs_tui.ui.widgets.tree import group_name

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

    recording: reactive[Recording | None] = reactive(None, bindings=True, init=False)
    """The recording the detail pane shows (the keys that act on it follow)."""
    revealed: reactive[bool] = reactive(False, init=False)
    """Tokens are shown in full, here and on the tokens screen."""
    now: reactive[datetime] = reactive(utc_now, always_update=True, init=False)
    """The time of the last tick: every countdown is recomputed from it."""
    token_counts: reactive[tuple[int, int]] = reactive((0, 0), bindings=True, init=False)
    """Tokens in the store, and how many are live."""
    working: reactive[bool] = reactive(False, bindings=True, init=False)
    """A request or a download is in flight (Escape cancels it)."""

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
                empty_text=self.empty_text(),
                id="browser",
            )
            yield DetailPane(self.keys, id="detail")
        yield TokenBar(self.keys, id="token-bar")
        yield KeyFooter(compact=True)
        yield TokenJobs(self.session, keys=self.keys, player_finder=player_finder, environ=environ)

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
    def store(self) -> RecordingStore:
        """The recordings (a reload replaces the store)."""
        if not self.is_mounted:
            return self._browser_args[0]
        return self.browser.store

    def empty_text(self) -> str:
        """What to do when no index was given."""
        where = self.session.config_path
        hint = f" in {where}" if where else ""
        return (
            "No index loaded. Start with `ccfs-tui PATH` (a recording index file, folder or "
            f"zip), or set index_path in the profile{hint}. `ccfs-tui demo` shows a sample."
            + (f" {self.index_hint}" if self.index_hint else "")
        )

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
        """The recording under the tree cursor now (see :attr:`selected_row`)."""
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
        row_id, group, n = self.browser.cursor()
        rec = self.selected_recording() if row_id is not None else None
        if rec is None:
            text = ""
            if group:
                names = " › ".join(group_name(group[: i + 1]) for i in range(len(group)))
                text = f"{names} · {count(n)} recording{'s' if n != 1 else ''}"
            self.detail.show(None, group_text=text)
        else:
            preview, note = self.session.preview(rec.play_file_name)
            self.detail.show(rec, preview=preview, preview_note=note, **self._playback(rec))
        self.recording = rec

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
        jobs = self.jobs
        self.working = jobs.request_running() or jobs.download_running()
        self._update_token_bar(self.session.clock())
        self._count_tokens()

    def _count_tokens(self) -> None:
        tokens = self.session.tokens
        self.token_counts = (len(tokens.all()), len(tokens.live()))

    def _update_token_bar(self, now: datetime) -> None:
        busy = ""
        if self.jobs.request_running():
            busy = "Requesting…"
        elif self.jobs.download_running():
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
    def on_recording_browser_highlighted(self, _event: RecordingBrowser.Highlighted) -> None:
        """Show what the cursor is on now (recording or group) in the detail pane."""
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
            if action in ("copy_url", "download", "play", "reveal_token"):
                return self.live_token_for_selection() is not None
            if action == "problems":
                return bool(self.browser.problems)
            if action == "cancel":
                return self.working or self.browser.index_loading
        except NoMatches:  # not composed yet, or closing
            return False
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the keys that do something right now are shown (False hides a key)."""
        if not self.can_act(action):
            return False
        wide_from = BY_ID[action].footer_from if action in BY_ID else 0
        if wide_from:
            # the footer's binding from that width, its hidden twin ("action(1)") below it
            return (self.size.width >= wide_from) != bool(parameters)
        return True

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

    def action_request_token(self) -> None:
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

    def action_renew_token(self) -> None:
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

    def action_copy_url(self) -> None:
        """Copy the playback URL."""
        if (token := self._need_live_token()) is not None:
            self.jobs.copy_url(token)

    def action_download(self) -> None:
        """Download the audio."""
        if (token := self._need_live_token()) is not None:
            self.jobs.download(token)

    def action_play(self) -> None:
        """Play the audio (download first if needed)."""
        if (token := self._need_live_token()) is not None:
            self.jobs.play(token)

    def action_reveal_token(self) -> None:
        """Reveal or hide the tokens."""
        self.revealed = not self.revealed

    def action_tokens(self) -> None:
        """Open the tokens screen."""
        self.app.push_screen(TokensScreen(self))

    def action_problems(self) -> None:
        """List skipped index lines."""
        self.app.push_screen(ProblemsScreen(self.browser.problems))

    def action_audit(self, _narrow: int = 0) -> None:
        """Show the audit log: recent token requests and downloads."""
        self.app.push_screen(AuditScreen(self.session.audit or user_audit_log()))

    def action_cancel(self) -> None:
        """Cancel the request, else the download, else the index load."""
        if not self.jobs.cancel() and self.browser.cancel_loading():
            self.notify("Index load cancelled: showing what was read so far.")

    def action_help(self) -> None:
        """Show help."""
        self.app.push_screen(HelpScreen(self.keys))

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

    def switch_profile(self, name: str) -> None:
        """Use another profile: its own client and SK (the old client is closed)."""
        try:
            profile = self.session.switch_profile(name)
        except ConfigError as exc:
            notify_error(self, exc)
            return
        self.jobs.cancel_all()  # they ran on the old profile's client
        self.update_banner()
        self.jobs.prepare_client()
        self.show_cursor()
        self.refresh_view()
        self.post_message(ProfileSwitched(profile.name, profile.base_url))
        self.notify(f"Profile {name}: {profile.base_url or 'no base_url'}", title="Profile")
