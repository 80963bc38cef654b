"""The waveform of a downloaded recording, as wide as the widget, under the playback state.

A peak envelope drawn with block characters (their height carries the level, so it reads
without colour: NO_COLOR), then the duration and the share of silence. It is computed from
the WAV's own data (:func:`ccfs_tui.core.audio.waveform.compute_waveform`: A-law, mu-law or
PCM) in a thread worker, never on the UI thread, and again when the width changes; the last
few results are kept, so moving between recordings does not read their files again.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any, NamedTuple

from textual import events, work
from textual.content import Content
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker

from ccfs_tui.core.audio.waveform import Waveform, compute_waveform
from ccfs_tui.ui.failures import error_text
from ccfs_tui.ui.formatting import shown_lines

ROWS = 2
"""Lines of the envelope (16 levels)."""
KEPT = 8
"""Waveforms kept (file and width) for the recordings shown last."""


class WaveKey(NamedTuple):
    """What a waveform was computed from: the file as it was, and the width."""

    path: Path
    mtime_ns: int
    size: int
    columns: int


class WaveformView(Static):
    """The waveform of :attr:`path` (hidden while there is none)."""

    DEFAULT_CSS = """
    WaveformView {
        height: auto;
        margin-bottom: 1;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path: Path | None = None
        """The audio file shown (None: nothing downloaded, the widget is hidden)."""
        self.wanted: WaveKey | None = None
        """The waveform the widget should show now."""
        self._kept: OrderedDict[WaveKey, Waveform] = OrderedDict()
        self._worker: Worker[Any] | None = None

    def on_mount(self) -> None:
        self.display = False

    def show_audio(self, path: Path | None) -> None:
        """Show the waveform of ``path`` (None: hide it)."""
        if path != self.path:
            self.path = path
            self.wanted = None
            self.display = path is not None
            if path is not None:
                self.update(Content.styled("Reading the audio…", "dim"))
        self._follow()

    def on_resize(self, _event: events.Resize) -> None:
        """The pane's width changed: an envelope of the new width."""
        self._follow()

    @property
    def waveform(self) -> Waveform | None:
        """The waveform shown now, once computed."""
        return self._kept.get(self.wanted) if self.wanted is not None else None

    def _follow(self) -> None:
        path, columns = self.path, self.size.width
        if path is None or columns <= 0:
            return  # hidden, or not laid out yet: its first Resize brings the width
        try:
            stat = path.stat()
        except OSError as error:
            self.wanted = None
            self._say_error(error)
            return
        key = WaveKey(path, stat.st_mtime_ns, stat.st_size, columns)
        if key == self.wanted:
            return
        self.wanted = key
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
            self._draw(kept)
        else:
            self._worker = self._compute(key)

    @work(thread=True, exclusive=True, group="waveform", exit_on_error=False)
    def _compute(self, key: WaveKey) -> tuple[WaveKey, Waveform | None]:
        """Read the file once (cancelled when another waveform is wanted)."""
        worker = get_current_worker()
        return key, compute_waveform(key.path, key.columns, cancelled=lambda: worker.is_cancelled)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the result of the waveform wanted now (an older one is only kept)."""
        event.stop()
        worker = event.worker
        if event.state == WorkerState.SUCCESS and worker.result is not None:
            key, waveform = worker.result
            if waveform is None:
                return  # cancelled
            self._kept[key] = waveform
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
            if key == self.wanted:
                self._draw(waveform)
        elif event.state == WorkerState.ERROR and worker is self._worker:
            self._say_error(worker.error or RuntimeError("unknown error"))

    def _draw(self, waveform: Waveform) -> None:
        wave = Content.styled("\n".join(waveform.rows(ROWS)), "$accent")
        summary = Content.styled(waveform.summary, "dim")
        self.update(Content("\n").join([wave, summary]))

    def _say_error(self, error: BaseException) -> None:
        text = shown_lines(error_text(error)).replace("\n", " ")
        self.update(Content.styled(f"No waveform: {text}", "dim"))
