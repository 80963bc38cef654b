"""A call shown without an index row: fetched by call id ("go to call id", downloadRecord).

:class:`LooseCall` is what the main screen shows instead of the tree's recording while it
is up (its keys act on it: ``d`` saves a copy, ``p`` plays, ``l`` serves it to a
browser); :class:`LooseCallView` is its section of the detail pane.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from textual.content import Content
from textual.widgets import Static

from ccfs_tui.core.call_audio import CallAudio
from ccfs_tui.ui.actions import BY_ID, first_key
from ccfs_tui.ui.formatting import shown

LooseState = Literal["fetching", "ready", "failed"]

KEY_LABELS = (("download", "Save"), ("play", "Play"), ("listen", "Listen"))
"""The keys that act on a loose call, with what they do to it."""


@dataclass(frozen=True, slots=True)
class LooseCall:
    """A call fetched by its id, not in the loaded index."""

    call_id: str
    state: LooseState = "fetching"
    audio: CallAudio | None = None
    durations: tuple[float | None, ...] = ()
    """Seconds of each WAV of ``audio`` (None: its header could not be read)."""
    received: int = 0
    """Bytes received so far (``fetching``)."""
    message: str = ""
    """Why it failed (``failed``), or where the copy was saved (``ready``); shown."""
    saved: tuple[Path, ...] = field(default=())

    @property
    def files(self) -> tuple[Path, ...]:
        """The WAVs in the private folder (empty until fetched)."""
        return self.audio.files if self.audio is not None else ()

    def with_(self, **changes: object) -> LooseCall:
        """A copy with ``changes``."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _length(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


class LooseCallView(Static):
    """The detail pane's section for a :class:`LooseCall` (hidden otherwise)."""

    DEFAULT_CSS = """
    LooseCallView {
        height: auto;
        margin-bottom: 1;
    }
    """

    def __init__(self, keys: Mapping[str, Sequence[str]] | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.keys: Mapping[str, Sequence[str]] = keys or {}

    def on_mount(self) -> None:
        self.display = False

    def show_call(self, call: LooseCall | None) -> None:
        """Show ``call`` (None: hide the section)."""
        self.display = call is not None
        if call is not None:
            self.update(Content("\n").join(self.lines(call)))

    def lines(self, call: LooseCall) -> list[Content]:
        """What the section says about ``call``."""
        head = Content.from_markup(
            "[b]Call $call[/] [dim]· not in the loaded index[/]", call=shown(call.call_id)
        )
        if call.state == "fetching":
            got = f" {call.received // 1024} KiB" if call.received else ""
            return [
                head,
                Content.from_markup(
                    "[$accent b]Fetching it by downloadRecord…$got[/]\n[dim]$key cancels[/]",
                    got=got,
                    key=first_key(self.keys, "cancel"),
                ),
            ]
        if call.state == "failed":
            return [head, Content.from_markup("[$error b]✗ $text[/]", text=shown(call.message))]
        files = call.files
        lines = [head, Content(f"{len(files)} recording{'s' if len(files) != 1 else ''}:")]
        for path, seconds in zip(files, call.durations or (None,) * len(files), strict=False):
            lines.append(
                Content.assemble("  ", shown(path.name), (f" · {_length(seconds)}", "dim"))
            )
        if call.audio is not None and call.audio.skipped:
            lines.append(Content(f"({len(call.audio.skipped)} other file(s) not extracted)"))
        keys = [
            Content.from_markup(
                "[b]$key[/b] $label",
                key=first_key(self.keys, action),
                label="Play 1st" if action == "play" and len(files) > 1 else label,
            )
            for action, label in KEY_LABELS
            if action in BY_ID
        ]
        lines.append(Content(" ").join(keys).stylize("dim"))
        if call.message:
            lines.append(Content(shown(call.message)).stylize("dim"))
        return lines
