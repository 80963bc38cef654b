"""How a failure reaches the user: one toast with what happened and what to do."""

from __future__ import annotations

from textual.widget import Widget

from ccfs_tui.core.outcomes import failure_of


def error_text(error: BaseException) -> str:
    """``error``'s sentence and its hint, one per line (see ``core.outcomes.failure_of``)."""
    failure = failure_of(error)
    return f"{failure.message}\n{failure.hint}".strip()


def notify_error(node: Widget, error: BaseException) -> None:
    """A toast for ``error`` (the app's ``notify`` shows it as plain text, sanitised)."""
    node.notify(error_text(error), title="Error", severity="error", timeout=8)
