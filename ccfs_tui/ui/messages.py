"""Messages that carry results from workers back to the UI (workers never touch widgets).

Each is a dataclass (Textual's ``Message`` initialises itself in ``__post_init__``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.message import Message

from ccfs_tui.core.tokens import Token


@dataclass
class IndexChunkLoaded(Message):
    """The loader added ``rows`` rows to ``store`` (and these lines were skipped)."""

    rows: int
    problems: list[Any]
    bytes_done: int
    bytes_total: int
    store: Any = None
    """The store the rows went to (a reload replaces the browser's store)."""


@dataclass
class IndexLoadFinished(Message):
    """The index loader stopped: done, cancelled, or failed with ``error``."""

    cancelled: bool = False
    error: str | None = None
    store: Any = None
    """The store it filled (a reload replaces the browser's store)."""


@dataclass
class FilterApplied(Message):
    """The store answered a filter query (``ids`` is None when the query is empty)."""

    query: str
    ids: Sequence[int] | None
    generation: int
    searched_rows: int = 0
    """Rows ``[0, searched_rows)`` were searched; rows added since still need filtering."""
    catch_up: bool = False
    """A search of the same query again for the rows added since (the tree is synced,
    not rebuilt)."""


@dataclass
class TokenIssued(Message):
    """requestPlayVoice returned a token (kept in the token store)."""

    token: Token
    not_saved: str = ""
    """Why the token store file could not be written (the token is kept in memory)."""


@dataclass
class DownloadProgress(Message):
    """Bytes received so far (``total`` None when the server did not say)."""

    file_name: str
    done: int
    total: int | None


PROGRESS_STEP = 64 * 1024
"""Bytes between two progress messages of a download."""


Progress = Callable[[int, int | None], None]
"""A download's progress callback: bytes done, total (None: unknown)."""


def progress_every_step(report: Callable[[int, int | None], object]) -> Progress:
    """A download's progress callback that calls ``report`` every :data:`PROGRESS_STEP`
    bytes and at the end (not for every chunk: one message a chunk floods the app)."""
    last = -PROGRESS_STEP

    def progress(done: int, total: int | None) -> None:
        nonlocal last
        if done - last >= PROGRESS_STEP or (total is not None and done >= total):
            last = done
            report(done, total)

    return progress


@dataclass
class DownloadFinished(Message):
    """The audio is on disk at ``path``."""

    file_name: str
    path: Path
    play: bool = False


@dataclass
class DownloadStopped(Message):
    """The download failed or was cancelled: ``note`` says so under the progress bar."""

    note: str


@dataclass
class ListenReady(Message):
    """The listening server serves ``file_name``: the detail pane shows its URL."""

    file_name: str
    downloaded: Path | None = None
    """The file downloaded for it (None: a file downloaded earlier is served)."""


@dataclass
class ClientReady(Message):
    """The profile's client exists (the SK was found): previews can be signed."""


@dataclass
class PreviewNote(Message):
    """No signed preview can be shown: ``note`` says why (the client could not be made)."""

    note: str


@dataclass
class JobsChanged(Message):
    """What the token jobs show changed: an outcome, a token, a job started or ended."""


@dataclass
class TokensChanged(Message):
    """The token store changed (sent to the screens above the main one)."""


@dataclass
class ProfileSwitched(Message):
    """Another profile is active (the app's title follows)."""

    name: str
    base_url: str = ""


@dataclass
class MainReady(Message):
    """The main screen is composed and its index load started: the app starts its timer
    and lets the keys typed meanwhile through."""
