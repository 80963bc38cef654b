"""The "go to call id" prompt: one input; Enter gives the call id, Escape gives up."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ccfs_tui.ui.formatting import shown
from ccfs_tui.ui.widgets.call_jobs import checked_call_id


class GotoCallScreen(ModalScreen[str | None]):
    """Asks for a call id; dismisses with it (checked), or None."""

    DEFAULT_CSS = """
    GotoCallScreen {
        align: center middle;
    }
    #goto-box {
        width: 60;
        max-width: 100%;
        height: auto;
        border: round $accent;
        border-title-color: $text;
        background: $surface;
        padding: 0 1;
    }
    #goto-input {
        margin-bottom: 1;
    }
    #goto-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="goto-box"):
            yield Input(id="goto-input", placeholder="call id", compact=True)
            yield Static(
                "Enter: jump to it in the index, else fetch it (downloadRecord) · Esc cancels",
                id="goto-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#goto-box").border_title = "Go to call"
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            call_id = checked_call_id(event.value)
        except ValueError as exc:
            self.query_one("#goto-hint", Static).update(Content(shown(str(exc))))
            return
        self.dismiss(call_id)

    def action_cancel(self) -> None:
        """Give up."""
        self.dismiss(None)
