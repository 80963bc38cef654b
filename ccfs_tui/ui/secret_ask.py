"""Ask for the SK when the session needs it typed in, then run the work again."""

from __future__ import annotations

from collections.abc import Callable

from textual.widget import Widget

from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.session import Session
from ccfs_tui.ui.failures import notify_error
from ccfs_tui.ui.screens.secret_prompt import SecretPromptScreen


def ask_secret(node: Widget, session: Session, then: Callable[[], None]) -> None:
    """Show the SK prompt of the active profile; once an SK is given, ``then()`` (nothing
    is sent without one)."""
    profile = session.profile
    if profile is None:
        return

    def done(secret: Secret | None) -> None:
        if not secret:
            node.notify("No SK given: nothing was sent.", severity="warning")
            return
        try:
            session.give_secret(secret)
        except ConfigError as exc:
            notify_error(node, exc)
            return
        then()

    node.app.push_screen(SecretPromptScreen(profile.name, profile.app_id), done)
