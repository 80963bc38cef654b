"""Modal asking before a signed request goes out on a profile whose signatures kept being
refused (or whose address CC-FS locked): see :mod:`ccfs_tui.core.signature_guard`.

The app shows it when a request fails with
:class:`~ccfs_tui.core.errors.CcfsResendBlockedError`; Yes confirms one attempt
(``client.confirm_resend()``) and sends again, No (the default, and Esc) sends nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from ccfs_tui.core.sanitize import visible

WHY = (
    "CC-FS locks this machine's address after repeated bad signatures, and everyone who "
    "shares the address (a jump host: the whole team) is locked out with you."
)
WHAT = (
    "Send only if you have fixed the AK/SK (config.toml, the SK's variable or command) or "
    "this machine's clock. A new AK/SK needs no confirmation."
)


class ResendConfirmScreen(ModalScreen[bool]):
    """Yes / No: dismisses with True only when the user chose to send once more."""

    DEFAULT_CSS = """
    ResendConfirmScreen { align: center middle; }
    #resend-box {
        width: 72; max-width: 100%; height: auto;
        border: round $error; background: $surface; padding: 1 2;
    }
    #resend-box Static { width: 100%; height: auto; margin-bottom: 1; }
    #resend-why { color: $text-muted; }
    #resend-buttons { width: 100%; height: auto; align-horizontal: right; }
    #resend-buttons Button { margin-left: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes, send once", show=True),
        Binding("n,escape", "answer(False)", "No", show=True),
    ]

    def __init__(self, profile_name: str, app_id: str, reason: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.profile_name = profile_name
        self.app_id = app_id
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="resend-box"):
            yield Label(
                f"Send a signed request again with app id {visible(self.app_id) or '?'} "
                f"(profile {visible(self.profile_name)})?",
                id="resend-question",
            )
            yield Static(visible(self.reason), id="resend-reason", markup=False)
            yield Static(f"{WHY} {WHAT}", id="resend-why", markup=False)
            with Horizontal(id="resend-buttons"):
                yield Button("Yes, send once (y)", id="resend-yes", variant="error")
                yield Button("No (n / Esc)", id="resend-no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#resend-box").border_title = "Signature refused: send again?"
        self.query_one("#resend-no", Button).focus()  # the safe answer is the default

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "resend-yes")

    def action_answer(self, send: bool) -> None:
        """y: send once more; n / Esc: send nothing."""
        self.dismiss(send)
