"""``l``: hear a recording in the engineer's own browser, through the app's listening server.

:class:`ListenJobs` shows nothing: the main screen composes it (next to ``TokenJobs``) and
gives it the recording and, when one was needed, the token ``TokenJobs`` got. On first use
it starts the app's one :class:`~ccfs_tui.core.listen_server.ListenServer` (the profile's
``listen_bind`` / ``listen_port``; its warning said when it is not loopback) and makes a
private folder (0700) of the cache dir. Each recording is downloaded there in a worker (a
recording already downloaded this session is served from where it is), registered with the
server, its URL copied with OSC 52 and said once in a toast; :class:`ListenReady` tells the
main screen, whose detail pane shows the URL (an OSC 8 link) and the ``ssh -L`` line. A
call fetched by its id (no index row, :meth:`serve_call`) is served from the WAVs already
downloaded, one URL per recording. The server serves only what this app registered; when
the app exits, the server stops and the folder is removed.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from ccfs_tui.core.atomic import private_dir
from ccfs_tui.core.download_files import download_name
from ccfs_tui.core.errors import CcfsError
from ccfs_tui.core.outcomes import failure_of
from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.recording import Recording, normalize_file_name
from ccfs_tui.core.session import Session
from ccfs_tui.core.ssh_hint import in_ssh_session
from ccfs_tui.core.tokens import Token
from ccfs_tui.ui.clipboard import copy_text
from ccfs_tui.ui.failures import notify_error
from ccfs_tui.ui.formatting import short_name, shown
from ccfs_tui.ui.messages import (
    DownloadProgress,
    DownloadStopped,
    JobsChanged,
    ListenReady,
    progress_every_step,
)

if TYPE_CHECKING:  # the server (http.server) comes with the first l, not at start-up
    from ccfs_tui.core.listen_server import Listening, ListenServer


class ListenJobs(Widget):
    """The app's listening server and the recordings it serves (no display of its own)."""

    DEFAULT_CSS = "ListenJobs { display: none; }"

    def __init__(
        self,
        session: Session,
        *,
        environ: Mapping[str, str] | None = None,
        cache_dir: Path | None = None,
        **kwargs: Any,
    ) -> None:
        """``environ``: where ``$SSH_CONNECTION``, ``$USER`` and ``$TMUX`` are read (default:
        this process's); ``cache_dir``: where the private folder goes (default: the app's)."""
        super().__init__(**kwargs)
        self.session = session
        self._environ = environ
        self._cache_dir = cache_dir
        self.server: ListenServer | None = None
        """The app's one listening server, once started."""
        self.folder: Path | None = None
        """The private folder of the downloads, once made (removed at exit)."""
        self._served: dict[str, Listening] = {}
        """Normalised file name -> its registration."""
        self._served_calls: dict[Path, Listening] = {}
        """A WAV of a call fetched by its id (no index row) -> its registration."""
        self._downloads: dict[Worker[Any], Recording] = {}

    # ================================================================= state
    def listening(self, file_name: str) -> Listening | None:
        """How ``file_name`` is served, if it is."""
        return self._served.get(normalize_file_name(file_name))

    def listening_files(self, paths: Sequence[Path]) -> list[Listening]:
        """How the ``paths`` of a call fetched by its id are served (those that are)."""
        return [served for path in paths if (served := self._served_calls.get(path)) is not None]

    def ssh_line(self) -> str:
        """The ``ssh -L`` line of the server (``""`` before it started)."""
        server = self.server
        return server.ssh_line(self._environ) if server is not None and server.running else ""

    def running(self) -> bool:
        """A download for listening is in flight."""
        return any(w.group == "listen" and w.is_running and w.node is self for w in self.workers)

    def downloading(self, file_name: str) -> bool:
        """``file_name`` is being downloaded for listening."""
        name = normalize_file_name(file_name)
        return any(
            normalize_file_name(rec.play_file_name) == name and worker.is_running
            for worker, rec in self._downloads.items()
        )

    def cancel(self) -> bool:
        """Escape: cancel the download (False: none was running)."""
        if not self.running():
            return False
        self.workers.cancel_group(self, "listen")
        self.notify("Download cancelled; nothing is served.")
        return True

    def cancel_all(self) -> None:
        """Cancel the download without a word (another profile is active)."""
        self.workers.cancel_group(self, "listen")

    # ================================================================= the server
    def start_server(self) -> bool:
        """Start the app's server on first use (False: it cannot start, and the toast
        says why). A server bound off loopback is said loudly, once."""
        if self.server is not None and self.server.running:
            return True
        from ccfs_tui.core.listen_server import DEFAULT_BIND, ListenError, ListenServer

        profile = self.session.profile
        bind = profile.listen_bind if profile is not None else DEFAULT_BIND
        port = profile.listen_port if profile is not None else 0
        try:
            server = ListenServer(bind, port).start()
        except ListenError as error:  # a busy port, not an address of this machine
            notify_error(self, error)
            return False
        self.server = server
        if server.warning:
            self.notify(server.warning, title="Listening server", severity="warning", timeout=30)
        return True

    def _private_folder(self) -> Path:
        if self.folder is None:
            parent = private_dir(self._cache_dir or app_paths().cache_dir)
            self.folder = Path(tempfile.mkdtemp(prefix="listen-", dir=parent))  # 0700
        return self.folder

    # ================================================================= serving
    def again(self, recording: Recording) -> bool:
        """``recording`` is served already: copy its URL again, say so (False: it is not)."""
        listening = self.listening(recording.play_file_name)
        if listening is None or self.server is None or not self.server.running:
            return False
        self._announce(f"Listening URL of {short_name(recording.play_file_name)}", listening.url)
        return True

    def serve_file(self, recording: Recording, path: Path, *, downloaded: bool = False) -> None:
        """Serve ``path``, the audio of ``recording`` on this machine (``downloaded``: for
        this, into the private folder)."""
        server = self.server
        if server is None:
            return
        from ccfs_tui.core.listen_server import ListenEntry

        try:
            listening = server.register(ListenEntry.from_recording(recording, path))
        except (CcfsError, OSError) as error:  # not a WAV it can read, gone, stopped
            notify_error(self, error)
            return
        self._served[normalize_file_name(recording.play_file_name)] = listening
        self._announce(f"Listening URL of {short_name(recording.play_file_name)}", listening.url)
        self.post_message(ListenReady(recording.play_file_name, path if downloaded else None))

    def serve_call(self, call_id: str, paths: Sequence[Path]) -> None:
        """Serve the WAVs of ``call_id`` already on this machine (a call fetched by its id:
        no index row, so the page knows only the call id), one URL per recording, and copy
        the URL(s); served already: copy them again."""
        server = self.server
        if server is None or not paths:
            return
        from ccfs_tui.core.listen_server import ListenEntry

        for path in paths:
            if path in self._served_calls:
                continue
            entry = ListenEntry(path=path, file_name=path.name, call_id=call_id)
            try:
                self._served_calls[path] = server.register(entry)
            except (CcfsError, OSError) as error:  # not a WAV it can read, gone, stopped
                notify_error(self, error)
                return
        urls = [served.url for served in self.listening_files(paths)]
        what = "Listening URL" if len(urls) == 1 else f"{len(urls)} listening URLs"
        self._announce(f"{what} of call {shown(call_id)}", "\n".join(urls))
        self.post_message(ListenReady(paths[0].name))

    def download(self, recording: Recording, token: Token) -> None:
        """Download the audio of ``recording`` (with ``token``) into the private folder in a
        worker, then serve it."""
        try:
            folder = self._private_folder()
        except OSError as error:
            notify_error(self, error)
            return
        dest = folder / download_name(recording.play_file_name)
        self._downloads[self._download_worker(token, dest)] = recording
        self.post_message(DownloadProgress(recording.play_file_name, 0, None))
        self.post_message(JobsChanged())

    @work(exclusive=True, exit_on_error=False, group="listen")
    async def _download_worker(self, token: Token, dest: Path) -> Path:
        name = token.file_name
        progress = progress_every_step(
            lambda done, total: self.post_message(DownloadProgress(name, done, total))
        )
        return Path(await self.session.download(token, dest, progress=progress))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A download ended: serve the file, or say why not."""
        event.stop()
        worker, state = event.worker, event.state
        if state in (WorkerState.PENDING, WorkerState.RUNNING):
            self.post_message(JobsChanged())
            return
        recording = self._downloads.pop(worker, None)
        if recording is None:
            return
        if state == WorkerState.SUCCESS and isinstance(worker.result, Path):
            self.serve_file(recording, worker.result, downloaded=True)
        elif state == WorkerState.ERROR and worker.error is not None:
            notify_error(self, worker.error)
            note = f"Download failed: {failure_of(worker.error).message}"
            self.post_message(DownloadStopped(note))
        elif state == WorkerState.CANCELLED:
            self.post_message(DownloadStopped("Download cancelled."))
        self.post_message(JobsChanged())

    def _announce(self, what: str, text: str) -> None:
        """Copy ``text``, the URL(s) (OSC 52), and say so, with what to do with it."""
        how = copy_text(self.app, text, self._environ)
        if in_ssh_session(self._environ):
            where = "On your laptop run the ssh -L line shown, then open the URL in a browser."
        else:
            where = "Open it in a browser."
        self.notify(
            f"{what} copied. {how} {where}",
            title="Listen",
        )

    # ================================================================= the end
    def on_unmount(self) -> None:
        """The app exits: stop the server, remove the private folder."""
        self.stop()

    def stop(self) -> None:
        """Stop serving and remove the downloads made for listening."""
        server, self.server = self.server, None
        if server is not None:
            server.stop()
        self._served.clear()
        self._served_calls.clear()
        folder, self.folder = self.folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
