"""The work behind "go to call id": find the call in the store, else fetch it by its id.

:class:`CallJobs` shows nothing (the main screen composes it). Its workers never touch a
widget: they post :class:`CallJobs.Found`, :class:`CallJobs.Started`,
:class:`CallJobs.Received`, :class:`CallJobs.Fetched`, :class:`CallJobs.Failed` and
:class:`CallJobs.Saved`, which bubble to the main screen. A fetched call goes to a private
folder of the cache dir (0700, removed when the app closes); ``d`` copies it to the
download folder.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from ccfs_tui.core.atomic import private_dir
from ccfs_tui.core.audio.wav import WavError, wav_info
from ccfs_tui.core.call_audio import (
    CallAudio,
    fetch_call_audio,
    remove_call_folder,
    save_call_audio,
)
from ccfs_tui.core.outcomes import failure_of
from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.recordings import RecordingStore
from ccfs_tui.core.session import SecretNeeded, Session
from ccfs_tui.ui.failures import notify_error
from ccfs_tui.ui.messages import progress_every_step
from ccfs_tui.ui.secret_ask import ask_secret


def call_rows(store: RecordingStore, call_id: str, cancelled: Any = lambda: False) -> list[int]:
    """The row ids of ``call_id``'s recordings in ``store``, earliest first (in a worker:
    it searches the store)."""
    found = store.select(f"call:{call_id}", cancelled=cancelled)
    if found is None:
        return []
    rows = [row for row in found if store.recording(row).call_id == call_id]
    return sorted(rows, key=lambda row: (store.recording(row).call_begin, row))


def checked_call_id(text: str) -> str:
    """The call id typed (trimmed); ``ValueError`` with one line when it cannot be one."""
    call_id = text.strip()
    if not call_id:
        raise ValueError("Type a call id.")
    if any(ch.isspace() for ch in call_id) or not call_id.isprintable():
        raise ValueError("A call id is one word of printable characters.")
    if len(call_id) > 64:
        raise ValueError("A call id has at most 64 characters.")
    return call_id


class CallJobs(Widget):
    """Finding and fetching calls by id, and saving a fetched one (no display)."""

    DEFAULT_CSS = "CallJobs { display: none; }"

    @dataclass
    class Found(Message):
        """The store was searched for ``call_id``: its first row, or None."""

        call_id: str
        row_id: int | None
        store: RecordingStore

    @dataclass
    class Started(Message):
        """A fetch of ``call_id`` started (again, after the SK was typed in)."""

        call_id: str

    @dataclass
    class Received(Message):
        """Bytes of ``call_id``'s audio received so far."""

        call_id: str
        received: int

    @dataclass
    class Fetched(Message):
        """``call_id``'s audio is in the private folder."""

        call_id: str
        audio: CallAudio
        durations: tuple[float | None, ...]

    @dataclass
    class Failed(Message):
        """Fetching ``call_id`` failed (``text``: what happened and what to do)."""

        call_id: str
        text: str

    @dataclass
    class Saved(Message):
        """A copy of ``call_id``'s audio was saved at ``paths``."""

        call_id: str
        paths: list[Path]

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self._folder: Path | None = None
        self._fetching: dict[Worker[Any], str] = {}

    def on_unmount(self) -> None:
        """The fetched calls go with the app."""
        if self._folder is not None:
            remove_call_folder(self._folder)
            self._folder = None

    # ----------------------------------------------------------------- finding
    def find(self, store: RecordingStore, call_id: str) -> None:
        """Search ``store`` for ``call_id`` in a worker (answer: :class:`Found`)."""
        self._find(store, call_id)

    @work(thread=True, exclusive=True, group="find", exit_on_error=False)
    def _find(self, store: RecordingStore, call_id: str) -> None:
        worker = get_current_worker()
        rows = call_rows(store, call_id, lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.post_message(self.Found(call_id, rows[0] if rows else None, store))

    # ----------------------------------------------------------------- fetching
    def fetching(self) -> bool:
        """A call is being fetched."""
        return any(w.is_running for w in self._fetching)

    def fetch(self, call_id: str) -> None:
        """downloadRecord ``call_id`` into the private folder, in a worker (a new fetch
        replaces one in flight)."""
        self._fetching[self._fetch(call_id)] = call_id
        self.post_message(self.Started(call_id))

    @work(exclusive=True, group="fetch", exit_on_error=False)
    async def _fetch(self, call_id: str) -> None:
        client = await self.session.get_client()
        if self._folder is None:
            cache = private_dir(app_paths().cache_dir)
            self._folder = Path(tempfile.mkdtemp(prefix="calls-", dir=cache))
        progress = progress_every_step(
            lambda done, _total: self.post_message(self.Received(call_id, done))
        )

        audio = await fetch_call_audio(client, call_id, self._folder, progress=progress)
        durations = await asyncio.to_thread(_durations, audio.files)
        self.post_message(self.Fetched(call_id, audio, durations))

    def cancel(self) -> bool:
        """Escape: stop the fetch in flight (False: none was running)."""
        if not self.fetching():
            return False
        self.workers.cancel_group(self, "fetch")
        return True

    # ----------------------------------------------------------------- saving
    def save(self, audio: CallAudio) -> None:
        """Copy ``audio`` into the profile's download folder, in a worker."""
        profile = self.session.profile
        if profile is None:
            self.notify("No profile: no download folder.", severity="warning")
            return
        self._save(audio, profile.download_dir)

    @work(thread=True, group="save", exit_on_error=False)
    def _save(self, audio: CallAudio, folder: Path) -> None:
        self.post_message(self.Saved(audio.call_id, save_call_audio(audio, folder)))

    # ----------------------------------------------------------------- failures
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A fetch's end (its failure told to the screen), or a search or copy failed."""
        event.stop()
        worker, state = event.worker, event.state
        if state in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        call_id = self._fetching.pop(worker, None)
        error = worker.error if state == WorkerState.ERROR else None
        if call_id is not None:
            if isinstance(error, SecretNeeded):
                ask_secret(self, self.session, lambda: self.fetch(call_id))
                self.post_message(self.Failed(call_id, "The SK is needed to sign the request."))
            elif error is not None:
                failure = failure_of(error)
                self.post_message(self.Failed(call_id, f"{failure.message} {failure.hint}"))
            elif state == WorkerState.CANCELLED:
                self.post_message(self.Failed(call_id, "Cancelled: nothing was kept."))
        elif error is not None:
            notify_error(self, error)
            if worker.group == "find":
                self.post_message(self.Found("", None, RecordingStore()))


def _durations(files: tuple[Path, ...]) -> tuple[float | None, ...]:
    lengths: list[float | None] = []
    for path in files:
        try:
            lengths.append(wav_info(path).duration)
        except (WavError, OSError):
            lengths.append(None)
    return tuple(lengths)
