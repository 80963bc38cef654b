"""Modal asking for the SK when the profile says ``secret_prompt = true``."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ccfs_tui.core.secret import Secret
from ccfs_tui.ui.formatting import shown


class SecretPromptScreen(ModalScreen[Secret | None]):
    """A password input; dismisses with a :class:`Secret` (never kept as plain text)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, profile_name: str, app_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.profile_name = profile_name
        self.app_id = app_id

    def compose(self) -> ComposeResult:
        with Vertical(id="secret-box"):
            yield Label(  # the names come from the config or the environment: never markup
                Content(
                    f"Secret key (SK) for app id {shown(self.app_id) or '?'} "
                    f"(profile {shown(self.profile_name)})"
                )
            )
            yield Input(password=True, id="secret-input", placeholder="SK (kept in memory only)")
            yield Label("Enter to sign · Esc cancels", classes="dim")

    def on_mount(self) -> None:
        self.query_one("#secret-box").border_title = "Sign requests"
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        # no plain local holds the SK: a crash report (which lists locals) must not show it
        secret = Secret(event.value) if event.value else None
        event.input.value = ""
        self.dismiss(secret)

    def action_cancel(self) -> None:
        """Give up."""
        self.dismiss(None)
