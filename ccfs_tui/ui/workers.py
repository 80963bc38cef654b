"""The slow jobs of the app, as Textual workers that report back only with messages.

Mixed into :class:`~ccfs_tui.ui.app.CcfsApp`. Workers never touch widgets: they post
messages (``messages.py``); failures reach the app's one ``Worker.StateChanged`` handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.worker import get_current_worker

from ccfs_tui.core.tokens import Token
from ccfs_tui.ui.messages import (
    ClientReady,
    DownloadFinished,
    DownloadProgress,
    FilterApplied,
    IndexChunkLoaded,
    IndexLoadFinished,
    TokenIssued,
)
from ccfs_tui.ui.player import start_player

if TYPE_CHECKING:
    from ccfs_tui.core.client import CcfsClient

FIRST_CHUNK = 2_000
"""Rows of the first index chunk: enough to fill the screen, read within a blink."""

LOAD_CHUNK = 20_000
"""Rows per later index chunk (a few MB of text each)."""

FIRST_FRAME_WAIT = 0.5
"""Seconds the loader waits for the first rows to be painted before it reads on (the
screen's first frame and the loader would otherwise share the GIL)."""

PROGRESS_STEP = 64 * 1024
"""Download progress messages at most every this many bytes."""


def settle_memory() -> None:
    """Once an index is in: what lives now (the store, the app's widgets) is moved out of
    the garbage collector's sight. A full collection then looks at what came since only:
    20-30 ms instead of 40-70 ms while typing in a 1M-row filter (measured; they run every
    few seconds of typing). What an earlier call froze is thawed first, so that a store
    replaced by a reload is collected here; the app thaws everything when it closes."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class SecretNeeded(Exception):
    """The profile wants the SK typed in: the app asks with a modal, then retries."""

    def __init__(self, prompt: str) -> None:
        super().__init__(prompt)
        self.prompt = prompt


def _raise_needs_prompt(prompt: str) -> str:
    raise SecretNeeded(prompt)


class WorkersMixin:
    """Workers of the app; ``self`` is the :class:`CcfsApp`."""

    store: Any
    profile: Any
    config: Any
    client: CcfsClient | None
    _secret: Any
    _transport: Any
    _audit: Any
    clock: Any
    _prepare_index: Any

    if TYPE_CHECKING:

        def post_message(self, message: Any) -> bool: ...

    # ----------------------------------------------------------------- index
    first_rows_painted: threading.Event

    def start_index_load(self, paths: Sequence[Path]) -> None:
        """Read the first chunk now, on the UI thread, so that the very first frame shows rows
        (a few ms); the rest in :meth:`load_index_worker`. With a ``prepare_index`` hook (it
        may wait) everything happens in the worker."""
        from ccfs_tui.core.recordings import load_index

        holder: list[Any] = []  # the worker, once it runs: cancelling it stops the steps
        steps = None
        if self._prepare_index is None:
            steps = load_index(
                self.store,
                list(paths),
                chunk_size=LOAD_CHUNK,
                first_chunk_size=FIRST_CHUNK,
                cancelled=lambda: bool(holder) and holder[0].is_cancelled,
            )
            try:
                first = next(steps, None)
            except Exception:  # the worker meets it again and reports it
                steps.close()
                steps = None
            else:
                if first is not None:
                    message = IndexChunkLoaded(
                        first.rows, first.problems, first.bytes_done, first.bytes_total, self.store
                    )
                    self.on_index_chunk_loaded(message)  # type: ignore[attr-defined]
        self.load_index_worker(paths, steps, holder)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_index_worker(
        self, paths: Sequence[Path], steps: Any = None, holder: list[Any] | None = None
    ) -> None:
        """Read the (rest of the) index files in chunks and add them to the store, here in
        the thread (parsing is CPU and disk; the store takes rows from one writer while the
        UI reads). Only counts and problems go back to the UI."""
        from ccfs_tui.core.recordings import load_index

        worker = get_current_worker()
        if holder is not None:
            holder.append(worker)
        store = self.store  # a reload makes a new store: this worker keeps filling the old one
        waiting = steps is None
        if steps is None:
            prepare, self._prepare_index = self._prepare_index, None
            if prepare is not None:
                prepare()
            steps = load_index(
                store,
                list(paths),
                chunk_size=LOAD_CHUNK,
                first_chunk_size=FIRST_CHUNK,
                cancelled=lambda: worker.is_cancelled,
            )
        else:
            self.first_rows_painted.wait(FIRST_FRAME_WAIT)
        with contextlib.closing(steps):  # closing it stops a helper process too
            for step in steps:
                self.post_message(
                    IndexChunkLoaded(
                        step.rows, step.problems, step.bytes_done, step.bytes_total, store
                    )
                )
                if waiting and step.rows:
                    waiting = False
                    self.first_rows_painted.wait(FIRST_FRAME_WAIT)
        self.post_message(IndexLoadFinished(cancelled=worker.is_cancelled))

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def index_worker(self) -> None:
        """Once loaded: the split search columns that make searches quick (a hotline shared
        by a third of the rows is one value); searches work without them meanwhile."""
        worker = get_current_worker()
        if self.store.split_columns(cancelled=lambda: worker.is_cancelled):
            settle_memory()

    # ----------------------------------------------------------------- filter
    @work(thread=True, exclusive=True, group="filter", exit_on_error=False)
    def filter_worker(self, query: str, generation: int) -> None:
        """Run ``query`` on the whole store, block by block; a newer query cancels this one
        between two blocks (its answer would be dropped anyway)."""
        if not query.strip():
            self.post_message(FilterApplied(query, None, generation))
            return
        worker = get_current_worker()
        found = self.store.select(query, cancelled=lambda: worker.is_cancelled)
        if found is not None and not worker.is_cancelled:
            self.post_message(FilterApplied(query, found, generation, upto=found.rows))

    # ----------------------------------------------------------------- client
    async def get_client(self) -> CcfsClient:
        """The profile's one client, made on first use (the SK may come from a command)."""
        if self.client is not None:
            return self.client
        from ccfs_tui.core.client import CcfsClient
        from ccfs_tui.core.config import check_profile_ready, resolve_secret

        profile = self.profile
        check_profile_ready(profile)
        if self._secret is None:
            self._secret = await asyncio.to_thread(
                resolve_secret, profile, None, _raise_needs_prompt, self.config
            )
        if self.client is None:
            self.client = CcfsClient(
                profile,
                self._secret,
                clock=self.clock,
                transport=self._transport,
                audit=self._audit,
            )
        return self.client

    @work(exclusive=True, group="client", exit_on_error=False)
    async def prepare_client_worker(self) -> None:
        """Make the client ahead of the first request when no prompt is needed."""
        try:
            await self.get_client()
        except SecretNeeded:
            return
        self.post_message(ClientReady())

    @work(group="client-close", exit_on_error=False)
    async def close_client_worker(self, client: CcfsClient) -> None:
        """Close a client that is no longer used (profile switch)."""
        await client.aclose()

    # ----------------------------------------------------------------- requests
    @work(exclusive=True, exit_on_error=False, group="request")
    async def request_worker(self, file_name: str) -> None:
        """Sign and send requestPlayVoice; the token comes back as a message."""
        client = await self.get_client()
        token = await client.request_play_token(file_name)
        self.post_message(TokenIssued(token))

    @work(exclusive=True, exit_on_error=False, group="download")
    async def download_worker(self, token: Token, play: bool) -> None:
        """Stream the audio to the download folder with progress messages."""
        client = await self.get_client()
        name = token.file_name
        last = [-PROGRESS_STEP]

        def progress(done: int, total: int | None) -> None:
            if done - last[0] >= PROGRESS_STEP or (total is not None and done >= total):
                last[0] = done
                self.post_message(DownloadProgress(name, done, total))

        self.post_message(DownloadProgress(name, 0, None))
        path = await client.download(token, progress=progress)
        self.post_message(DownloadFinished(name, path, play))

    @work(exclusive=True, exit_on_error=False, group="player")
    async def player_worker(self, command: list[str], path: Path) -> None:
        """Run the player until it exits (cancelling the worker stops it)."""
        process = await start_player(command, path)
        try:
            await process.wait()
        finally:
            if process.returncode is None:
                process.terminate()
