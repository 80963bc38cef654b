"""The main screen: recordings tree (left), detail pane (right), token status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, Static

from ccfs_tui.ui.actions import BY_ID, MAIN, bindings_for
from ccfs_tui.ui.screens.audit import open_audit
from ccfs_tui.ui.widgets.browser import RecordingBrowser
from ccfs_tui.ui.widgets.detail import DetailPane
from ccfs_tui.ui.widgets.footer import KeyFooter
from ccfs_tui.ui.widgets.token_bar import TokenBar

if TYPE_CHECKING:
    from ccfs_tui.ui.app import CcfsApp


class MainScreen(Screen[None]):
    """Where the engineer finds a recording and gets its token."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (72, "-wide")]  # noqa: RUF012
    """Below 72 columns the panes stack; from 72 they sit side by side."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings_for(MAIN))
    """From the action table (ui/actions.py); each binding's id is its action id."""

    app: CcfsApp

    def compose(self) -> ComposeResult:
        yield Header(icon="▶")
        yield Static(id="banner")
        with Horizontal(id="panes"):
            yield RecordingBrowser(self.app.store, id="browser")
            yield DetailPane(id="detail")
        yield TokenBar(id="token-bar")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.update_banner()
        self.browser.tree_widget.focus()
        self.app.main_ready()

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

    def update_banner(self) -> None:
        """The persistent warnings: TLS verification off, no profile, empty state."""
        banner = self.query_one("#banner", Static)
        text = self.app.banner_text()
        banner.display = bool(text)
        banner.set_class(self.app.tls_off, "-danger")
        banner.update(text)

    # ----------------------------------------------------------------- messages
    def on_recording_browser_highlighted(self, _event: RecordingBrowser.Highlighted) -> None:
        """Show what the cursor is on now (recording or group) in the detail pane."""
        self.app.show_cursor()

    def on_recording_browser_chosen(self, event: RecordingBrowser.Chosen) -> None:
        """Enter on a recording: request the token of the one Enter was pressed on."""
        self.app.show_cursor()
        self.app.request_row(event.row_id)

    def on_recording_browser_filter_changed(self, event: RecordingBrowser.FilterChanged) -> None:
        """Run the filter on the store (in a worker)."""
        self.app.run_filter(event.query)

    # ----------------------------------------------------------------- actions
    # One method per action of the table (ui/actions.py): its key and the palette run it.
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the keys that do something right now are shown (False hides a key)."""
        app = self.app
        if action == "request_token":
            chosen = app.selected_recording() is not None
            return chosen and app.live_token_for_selection() is None
        if action == "renew_token":
            return app.renewable_token() is not None
        if action in ("copy_url", "download", "play", "reveal_token"):
            return app.live_token_for_selection() is not None
        if action == "problems":
            return bool(app.problems)
        if action == "cancel":
            return app.cancellable()
        wide_from = BY_ID[action].footer_from if action in BY_ID else 0
        if wide_from:
            # the footer's binding from that width, its hidden twin ("action(1)") below it
            return (self.size.width >= wide_from) != bool(parameters)
        return True

    def action_filter(self) -> None:
        """Open the filter input (a "/" typed in the filter itself is just text)."""
        if self.focused is self.browser.filter_input:
            raise SkipAction()
        self.browser.open_filter()

    def action_request_token(self) -> None:
        """Request a token for the selected recording."""
        self.app.request_selected()

    def action_renew_token(self) -> None:
        """Renew the selected (or status-bar) token."""
        token = self.app.renewable_token()
        if token is None:
            self.app.notify("No token to renew.", severity="warning")
        else:
            self.app.renew(token)

    def action_copy_url(self) -> None:
        """Copy the playback URL."""
        if (token := self.app.need_live_token()) is not None:
            self.app.copy_url(token)

    def action_download(self) -> None:
        """Download the audio."""
        if (token := self.app.need_live_token()) is not None:
            self.app.start_download(token, play=False)

    def action_play(self) -> None:
        """Play the audio (download first if needed)."""
        if (token := self.app.need_live_token()) is not None:
            self.app.play(token)

    def action_reveal_token(self) -> None:
        """Reveal or hide the token."""
        self.app.toggle_reveal()

    def action_tokens(self) -> None:
        """Open the tokens screen."""
        self.app.open_tokens()

    def action_problems(self) -> None:
        """List skipped index lines."""
        self.app.open_problems()

    def action_audit(self, _narrow: int = 0) -> None:
        """Show the audit log: recent token requests and downloads."""
        open_audit(self.app)

    def action_cancel(self) -> None:
        """Cancel what is running."""
        self.app.cancel_running()

    def action_help(self) -> None:
        """Show help."""
        self.app.open_help()

    def action_quit(self) -> None:
        """Leave ccfs-tui."""
        self.app.exit()

    def on_screen_resume(self, _event: Any) -> None:
        self.app.refresh_view()

    def on_resize(self, _event: Any) -> None:
        self.refresh_bindings()  # some footer keys depend on the width (footer_from)
