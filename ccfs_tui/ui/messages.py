"""Messages that carry results from workers back to the UI (workers never touch widgets)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual.message import Message

from ccfs_tui.core.tokens import Token


class IndexChunkLoaded(Message):
    """The loader added ``rows`` rows to ``store`` (and these lines were skipped)."""

    def __init__(
        self,
        rows: int,
        problems: Sequence[Any],
        bytes_done: int,
        bytes_total: int,
        store: Any = None,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.problems = list(problems)
        self.bytes_done = bytes_done
        self.bytes_total = bytes_total
        self.store = store
        """The store the rows went to (a reload replaces the app's store)."""


class IndexLoadFinished(Message):
    """The index loader stopped: done, cancelled, or failed with ``error``."""

    def __init__(self, cancelled: bool = False, error: str | None = None) -> None:
        super().__init__()
        self.cancelled = cancelled
        self.error = error


class FilterApplied(Message):
    """The store answered a filter query (``ids`` is None when the query is empty)."""

    def __init__(
        self, query: str, ids: Sequence[int] | None, generation: int, upto: int = 0
    ) -> None:
        super().__init__()
        self.query = query
        self.ids = ids
        self.generation = generation
        self.upto = upto
        """Rows ``[0, upto)`` were searched; rows added since still need filtering."""


class TokenIssued(Message):
    """requestPlayVoice returned a token."""

    def __init__(self, token: Token) -> None:
        super().__init__()
        self.token = token


class RequestFailed(Message):
    """requestPlayVoice (or download) failed or was cancelled; ``text`` is for the user."""

    def __init__(self, file_name: str, message: str, hint: str = "", kind: str = "") -> None:
        super().__init__()
        self.file_name = file_name
        self.message = message
        self.hint = hint
        self.kind = kind


class DownloadProgress(Message):
    """Bytes received so far (``total`` None when the server did not say)."""

    def __init__(self, file_name: str, done: int, total: int | None) -> None:
        super().__init__()
        self.file_name = file_name
        self.done = done
        self.total = total


class DownloadFinished(Message):
    """The audio is on disk at ``path``."""

    def __init__(self, file_name: str, path: Path, play: bool = False) -> None:
        super().__init__()
        self.file_name = file_name
        self.path = path
        self.play = play


class ClientReady(Message):
    """The profile's client exists (the SK was found): previews can be signed."""
