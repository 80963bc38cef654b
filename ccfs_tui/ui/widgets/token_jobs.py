"""What the user does with tokens: request, renew, copy, download, play, remove.

:class:`TokenJobs` shows nothing: the main screen composes it and hands it to the tokens
screen, so a request or download started on either runs on (and one at a time) when the
tokens screen closes. The work itself is the :class:`~ccfs_tui.core.session.Session`'s;
here it runs in Textual workers, which never touch a widget: they post messages
(``TokenIssued``, ``DownloadProgress``, ``DownloadFinished``, ``ClientReady``) that bubble
on to the main screen, and their failures reach the one ``Worker.StateChanged`` handler
below (the session keeps each request's outcome; here it becomes a toast, the SK prompt
or the resend question). It holds the app's one :class:`~ccfs_tui.ui.player.Player`: a
second ``p`` stops it, and it stops when the app exits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from textual import work
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from ccfs_tui.core.errors import (
    CcfsBadTokenError,
    CcfsError,
    CcfsResendBlockedError,
    CcfsTokenExpiredError,
    ConfigError,
)
from ccfs_tui.core.outcomes import failure_of
from ccfs_tui.core.recording import normalize_file_name
from ccfs_tui.core.sanitize import is_valid_token
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.session import SecretNeeded, Session, TokenNotSaved
from ccfs_tui.core.tokens import Token
from ccfs_tui.ui.actions import first_key
from ccfs_tui.ui.clipboard import copy_text
from ccfs_tui.ui.failures import error_text, notify_error
from ccfs_tui.ui.formatting import short_name, shown, token_text
from ccfs_tui.ui.messages import (
    ClientReady,
    DownloadFinished,
    DownloadProgress,
    DownloadStopped,
    JobsChanged,
    PreviewNote,
    TokenIssued,
    progress_every_step,
)
from ccfs_tui.ui.player import Player, player_names, where_it_plays
from ccfs_tui.ui.screens.resend_confirm import ResendConfirmScreen
from ccfs_tui.ui.screens.secret_prompt import SecretPromptScreen


class TokenJobs(Widget):
    """Token requests, downloads and the player of one session (no display of its own)."""

    DEFAULT_CSS = "TokenJobs { display: none; }"

    def __init__(
        self,
        session: Session,
        *,
        keys: Mapping[str, Sequence[str]] | None = None,
        player_finder: Callable[[], list[str] | None],
        environ: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.keys: Mapping[str, Sequence[str]] = keys or {}
        self._environ = environ
        self.player = Player(player_finder)
        """The app's one player (stopped when the app exits)."""
        self._jobs: dict[Worker[Any], str] = {}
        """Request and download workers (-> file name) whose end is not handled yet."""
        self._then: dict[str, Callable[[Token], None]] = {}
        """What to do with the token of a file once issued (``l``: listen)."""

    def _key(self, action_id: str) -> str:
        return first_key(self.keys, action_id)

    def _changed(self) -> None:
        self.post_message(JobsChanged())

    # ================================================================= state
    def _group_running(self, group: str) -> bool:
        return any(w.group == group and w.is_running and w.node is self for w in self.workers)

    def request_running(self) -> bool:
        """A requestPlayVoice is in flight."""
        return self._group_running("request")

    def download_running(self) -> bool:
        """A download is in flight."""
        return self._group_running("download")

    def busy(self) -> bool:
        """A request or download was started and its end is not handled yet."""
        return bool(self._jobs)

    def cancel(self) -> bool:
        """Escape: cancel the request, else the download (False: neither was running)."""
        if self.request_running():
            self.workers.cancel_group(self, "request")
            self.notify("Request cancelled.")
        elif self.download_running():
            self.workers.cancel_group(self, "download")
            self.notify("Download cancelled; no partial file is left.")
        else:
            return False
        return True

    def cancel_all(self) -> None:
        """Cancel the request and the download without a word (another profile is active)."""
        self.workers.cancel_group(self, "request")
        self.workers.cancel_group(self, "download")
        self._then.clear()

    # ================================================================= requests
    def request(self, file_name: str, then: Callable[[Token], None] | None = None) -> None:
        """Sign and send requestPlayVoice for ``file_name`` in a worker (one at a time: a new
        one replaces the one in flight); ``then`` gets the token once issued (after an SK
        prompt or resend question too; forgotten when the request fails)."""
        session = self.session
        if then is not None:
            self._then[normalize_file_name(file_name)] = then
        try:
            session.check_ready()
        except ConfigError as exc:
            self._then.pop(normalize_file_name(file_name), None)
            session.note_failure(file_name, exc)
            self._changed()
            return
        if session.requesting(file_name) and file_name in self._jobs.values():
            self.notify(f"Already requesting this one; {self._key('cancel')} cancels.")
            return
        self._jobs[self._request_worker(file_name)] = file_name
        self._changed()

    def renew(self, token: Token) -> None:
        """A new token for the file of ``token`` (a token of the active profile only)."""
        try:
            self.session.check_renewable(token)
        except CcfsError as exc:
            self.notify(error_text(exc), severity="warning")
            return
        self.request(token.file_name)

    @work(exclusive=True, exit_on_error=False, group="request")
    async def _request_worker(self, file_name: str) -> None:
        try:
            token = await self.session.request_token(file_name)
        except TokenNotSaved as exc:
            self.post_message(TokenIssued(exc.token, not_saved=str(exc)))
            return
        self.post_message(TokenIssued(token))

    def on_token_issued(self, message: TokenIssued) -> None:
        """Say so (the main screen shows it: the message bubbles on)."""
        token = message.token
        if message.not_saved:
            self.notify(
                f"Token kept for this session only: {message.not_saved}", severity="warning"
            )
        self.notify(  # one line: the detail pane shows the token and its keys
            f"Token {token_text(token)} for {short_name(token.file_name)} "
            "(resultCode 0): valid 30:00."
        )
        then = self._then.pop(normalize_file_name(token.file_name), None)
        if then is not None:
            then(token)

    # ================================================================= the client
    def prepare_client(self) -> None:
        """Make the profile's client ahead of the first request when no prompt is needed."""
        if self.session.is_ready():
            self._client_worker()

    @work(exclusive=True, group="client", exit_on_error=False)
    async def _client_worker(self) -> None:
        try:
            await self.session.get_client()
        except SecretNeeded:
            return
        self.post_message(ClientReady())

    # ================================================================= stored tokens
    def warn_bad_tokens(self) -> None:
        """Say once (at the start) that the token store holds tokens that are never used."""
        bad = len(self.session.bad_tokens())
        if bad:
            self.notify(
                f"{bad} token(s) in the token store are not plain text: they are never used "
                f"nor shown (the file was changed by something else than ccfs-tui). "
                f"{self._key('tokens')} lists them, {self._key('remove_token')} removes one; "
                "Enter requests a new token.",
                title="Token store",
                severity="warning",
                timeout=12,
            )

    def _plain(self, token: Token) -> bool:
        """True for a plain-text token; else say it is never used (and why) and False."""
        if is_valid_token(token.token):
            return True
        self.notify(
            f"The stored token of {short_name(token.file_name)} is not plain text: it is "
            f"never used nor shown. {self._key('remove_token')} in the token list "
            f"({self._key('tokens')}) removes it; {self._key('renew_token')} requests a new one.",
            title="Token not used",
            severity="warning",
        )
        return False

    def _usable(self, token: Token) -> bool:
        """The session's one check of a stored token, said in a toast when it fails."""
        try:
            self.session.check_usable(token)
        except CcfsTokenExpiredError:
            self.notify(
                f"That token expired: {self._key('renew_token')} renews it.", severity="warning"
            )
            return False
        except CcfsBadTokenError:
            return self._plain(token)
        return True

    def copy_url(self, token: Token) -> None:
        """Put the playback URL on the clipboard (OSC 52) and say so."""
        if not self._usable(token):
            return
        try:
            url = self.session.playback_url(token)
        except CcfsError as exc:
            notify_error(self, exc)
            return
        how = copy_text(self.app, url, self._environ)
        self.notify(f"Playback URL of {short_name(token.file_name)} copied. {how}")

    def remove_token(self, token: Token) -> None:
        """Forget a token."""
        try:
            self.session.remove_token(token)
        except OSError as exc:
            self.notify(f"Could not save the token store: {shown(exc)}", severity="warning")
        self.notify(f"Token {token_text(token)} of {short_name(token.file_name)} removed.")
        self._changed()

    # ================================================================= downloads, player
    def download(self, token: Token, *, play: bool = False) -> None:
        """Download the audio of ``token`` in a worker (then play it if ``play``)."""
        if not self._usable(token):
            return
        self._jobs[self._download_worker(token, play)] = token.file_name
        if self.app.screen is not self.screen:
            self.notify(f"Downloading {short_name(token.file_name)}…")
        self.post_message(DownloadProgress(token.file_name, 0, None))
        self._changed()

    @work(exclusive=True, exit_on_error=False, group="download")
    async def _download_worker(self, token: Token, play: bool) -> None:
        name = token.file_name
        progress = progress_every_step(
            lambda done, total: self.post_message(DownloadProgress(name, done, total))
        )
        path = await self.session.download(token, progress=progress)
        self.post_message(DownloadFinished(name, path, play))

    def on_download_finished(self, message: DownloadFinished) -> None:
        """Play it if asked, else say where it is (the message bubbles on to the pane)."""
        if message.play:
            self._start_player(message.path)
        else:
            self.notify(f"Saved to {shown(message.path)}")

    def play(self, token: Token) -> None:
        """Play the audio (download first if it is not on disk yet); while the player
        plays, stop it instead (one player at a time)."""
        if self.stop_player():
            return
        if not self._plain(token):
            return
        path = self.session.downloaded(token.file_name)
        if path is not None:
            self._start_player(path)
        else:
            self.download(token, play=True)

    def play_file(self, path: Path) -> None:
        """Play a file already on disk (a call fetched by its id)."""
        self._start_player(path)

    def stop_player(self) -> bool:
        """Stop the player and say so (False: nothing was playing)."""
        if not self.player.stop():
            return False
        self.notify("Player stopped.", title="Playing")
        return True

    def _start_player(self, path: Path) -> None:
        try:
            name = self.player.play(path)
        except OSError as error:
            notify_error(self, error)
            return
        if name is None:
            self.notify(
                f"No audio player found ({player_names()}). The file is at {shown(path)}",
                title="Cannot play",
                severity="warning",
                timeout=12,
            )
            return
        where = where_it_plays(self._environ, listen_key=self._key("listen"))
        self.notify(
            f"Playing {shown(path.name)} with {shown(name)} {where}. "
            f"{self._key('play')} again stops it.",
            title="Playing",
        )

    def on_unmount(self) -> None:
        """The app exits: the player stops."""
        self.player.stop()

    # ================================================================= failures
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where a job's failure becomes something the user sees."""
        event.stop()
        worker, state = event.worker, event.state
        if state in (WorkerState.PENDING, WorkerState.RUNNING):
            self._changed()
            return
        file_name = self._jobs.pop(worker, None)
        group = worker.group
        if group in ("request", "download") and (warning := self.session.take_audit_warning()):
            self.notify(warning, title="Audit log", severity="warning", timeout=12)
        error = worker.error if state == WorkerState.ERROR else None
        if group == "request" and file_name is not None:
            if state != WorkerState.SUCCESS and not isinstance(
                error, (SecretNeeded, CcfsResendBlockedError)
            ):
                self._then.pop(normalize_file_name(file_name), None)
            if isinstance(error, SecretNeeded):
                self._ask_secret(file_name)
            elif isinstance(error, CcfsResendBlockedError):
                self._confirm_resend(file_name, error)
            elif error is not None:
                notify_error(self, error)
        elif group == "download" and error is not None:
            notify_error(self, error)
            self.post_message(DownloadStopped(f"Download failed: {failure_of(error).message}"))
        elif group == "download" and state == WorkerState.CANCELLED:
            self.post_message(DownloadStopped("Download cancelled."))
        elif group == "client" and error is not None:
            failure = failure_of(error)
            self.post_message(PreviewNote(f"{failure.message} {failure.hint}"))
        elif error is not None:
            notify_error(self, error)
        self._changed()

    def _ask_secret(self, file_name: str) -> None:
        """The profile wants the SK typed in: ask, then send again."""
        profile = self.session.profile
        if profile is None:
            self._then.pop(normalize_file_name(file_name), None)
            return

        def done(secret: Secret | None) -> None:
            if not secret:
                self._then.pop(normalize_file_name(file_name), None)
                self.notify("No SK given: nothing was sent.", severity="warning")
                return
            try:
                self.session.give_secret(secret)
            except ConfigError as exc:
                self._then.pop(normalize_file_name(file_name), None)
                notify_error(self, exc)
                return
            self.request(file_name)

        self.app.push_screen(SecretPromptScreen(profile.name, profile.app_id), done)

    def _confirm_resend(self, file_name: str, error: CcfsResendBlockedError) -> None:
        """The profile is on hold after refused signatures (CC-FS locks the address of a
        host that keeps sending them): ask before sending again."""
        profile = self.session.profile
        if profile is None:
            return

        def done(send: bool | None) -> None:
            if send:
                self.session.confirm_resend()
                self.request(file_name)
            else:
                self._then.pop(normalize_file_name(file_name), None)
                self.notify("Nothing was sent.", severity="warning")

        self.app.push_screen(ResendConfirmScreen(profile.name, profile.app_id, error.message), done)
