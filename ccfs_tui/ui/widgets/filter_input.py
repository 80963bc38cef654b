"""The ``/`` filter box of the recordings browser."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class FilterInput(Input):
    """The ``/`` filter; Escape closes it.

    Opening it selects its old text (what is typed next replaces it) at the moment ``/`` is
    handled, not when its Focus event comes round: Input's own select-on-focus, run later,
    would select the first characters typed after ``/`` and the next one would replace them.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close filter")]

    class Closed(Message):
        """Escape was pressed in the filter."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(select_on_focus=False, **kwargs)

    def action_close(self) -> None:
        """Close the filter."""
        self.post_message(self.Closed())

    def paste_text(self, text: str) -> None:
        """A paste: its first line that is not blank, trimmed; a newline after it submits
        (a call id copied with its line end jumps to the recording, as Enter would)."""
        lines = text.splitlines(keepends=True)
        index = next((i for i, line in enumerate(lines) if line.strip()), None)
        if index is None:
            return
        line = lines[index]
        words = "".join(ch if ch.isprintable() else " " for ch in line).strip()
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(words)
        else:
            self.replace(words, *selection)
        if line.endswith(("\n", "\r")):
            self.post_message(self.Submitted(self, self.value))

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # Input's own handler would insert the text a second time
        self.paste_text(event.text)
