"""What the user does with a token (copy, download, play, remove, reveal).

Mixed into :class:`~ccfs_tui.ui.app.CcfsApp`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ccfs_tui.core.errors import CcfsBadTokenError, CcfsError
from ccfs_tui.core.sanitize import check_token, is_valid_token
from ccfs_tui.core.tokens import Token
from ccfs_tui.ui.clipboard import copy_text
from ccfs_tui.ui.formatting import short_name, shown, token_text
from ccfs_tui.ui.messages import DownloadFinished, DownloadProgress
from ccfs_tui.ui.player import player_names
from ccfs_tui.ui.screens.tokens import TokensScreen


class TokenActionsMixin:
    """Token actions; ``self`` is the :class:`CcfsApp`."""

    revealed: bool

    if TYPE_CHECKING:  # the app's other attributes, for the type checker

        def __getattr__(self, name: str) -> Any: ...

    # ================================================================= token actions
    def playback_url(self, token: Token) -> str:
        """The playVoice URL (``t`` from the app clock, so screenshots are stable).

        Built by the client of the token's profile (which checks the token and its server);
        without that client, from the token's own server once :func:`check_token` passed.
        Raises :class:`~ccfs_tui.core.errors.CcfsBadTokenError` for a token that is not
        plain text (a tampered token store): it never goes into a URL.
        """
        now_ms = int(self.clock().timestamp() * 1000)
        if self.client is not None and token.profile == self.client.profile.name:
            try:
                return self.client.playback_url(token, now_ms=now_ms)
            except CcfsBadTokenError:
                raise
            except CcfsError:
                pass  # issued by another base_url than the profile's now: its own server
        from ccfs_tui.core.client import PLAY_VOICE

        check_token(token.token)
        base = token.base_url.rstrip("/")
        return f"{base}{PLAY_VOICE}?t={now_ms}&version=2.0&st={quote(token.token, safe='')}"

    def bad_token_count(self) -> int:
        """How many tokens of the store are not plain text (never used nor shown)."""
        return sum(1 for token in self.tokens.all() if not is_valid_token(token.token))

    def warn_bad_tokens(self) -> None:
        """Say once (at the start) that the token store holds tokens that are never used."""
        bad = self.bad_token_count()
        if bad:
            self.notify(
                f"{bad} token(s) in the token store are not plain text: they are never used "
                "nor shown (the file was changed by something else than ccfs-tui). t lists "
                "them, x removes one; Enter requests a new token.",
                title="Token store",
                severity="warning",
                timeout=12,
            )

    def usable(self, token: Token) -> bool:
        """True for a plain-text token; else say it is never used (and why) and False."""
        if is_valid_token(token.token):
            return True
        self.notify(
            f"The stored token of {short_name(token.file_name)} is not plain text: it is "
            "never used nor shown. x in the token list (t) removes it; n requests a new one.",
            title="Token not used",
            severity="warning",
        )
        return False

    def copy_url(self, token: Token) -> None:
        """Put the playback URL on the clipboard (OSC 52) and say so."""
        if token.is_expired(self.clock()):
            self.notify("That token expired: n renews it.", severity="warning")
            return
        if not self.usable(token):
            return
        try:
            url = self.playback_url(token)
        except CcfsError as exc:
            self._notify_error(exc)
            return
        how = copy_text(self, url, self._environ)
        self.notify(f"Playback URL of {short_name(token.file_name)} copied. {how}", title="Copied")

    def start_download(self, token: Token, *, play: bool) -> None:
        """Download the audio of ``token`` in a worker."""
        if token.is_expired(self.clock()):
            self.notify("That token expired: n renews it.", severity="warning")
            return
        if not self.usable(token):
            return
        worker = self.download_worker(token, play)
        self._worker_files[worker] = token.file_name
        if self.screen is not self.main_screen:
            self.notify(f"Downloading {short_name(token.file_name)}…")
        self.main_screen.detail.set_download(
            0, None, f"Downloading {short_name(token.file_name)}…", file_name=token.file_name
        )
        self.refresh_view()

    def on_download_progress(self, message: DownloadProgress) -> None:
        """Feed the progress bar."""
        if message.total:
            pct = message.done * 100 // message.total
            note = f"Downloading {short_name(message.file_name)}… {pct}%"
        else:
            note = f"Downloading {short_name(message.file_name)}… {message.done // 1024} KiB"
        self.main_screen.detail.set_download(
            message.done, message.total, note, file_name=message.file_name
        )

    def on_download_finished(self, message: DownloadFinished) -> None:
        """Say where the file is; play it if asked."""
        self.downloads[message.file_name] = message.path
        size = message.path.stat().st_size if message.path.exists() else 0
        detail = self.main_screen.detail
        detail.set_download(
            size, size or None, f"Saved {shown(message.path)}", file_name=message.file_name
        )
        if message.play:
            self._start_player(message.path)
        else:
            self.notify(f"Saved to {shown(message.path)}", title="Downloaded")

    def play(self, token: Token) -> None:
        """Play the audio: download first if it is not on disk yet."""
        if not self.usable(token):
            return
        path = self.downloads.get(token.file_name)
        if path is not None and path.exists():
            self._start_player(path)
        else:
            self.start_download(token, play=True)

    def _start_player(self, path: Path) -> None:
        command = self._player_finder()
        if command is None:
            self.notify(
                f"No audio player found ({player_names()}). The file is at {shown(path)}",
                title="Cannot play",
                severity="warning",
                timeout=12,
            )
            return
        self.player_worker(command, path)
        self.notify(
            f"Playing {shown(path.name)} with {shown(Path(command[0]).name)}.", title="Playing"
        )

    def remove_token(self, token: Token) -> None:
        """Forget a token."""
        try:
            self.tokens.remove(token)
        except OSError as exc:
            self.notify(f"Could not save the token store: {shown(exc)}", severity="warning")
        self._last_live = -1
        self.notify(f"Token {token_text(token)} of {short_name(token.file_name)} removed.")
        self.refresh_view()

    def toggle_reveal(self) -> None:
        """Show or mask tokens everywhere."""
        self.revealed = not self.revealed
        self.main_screen.detail.set_revealed(self.revealed)
        if isinstance(self.screen, TokensScreen):
            self.screen.reload()

    def need_live_token(self) -> Token | None:
        """The live token of the selected recording, else say there is none (None)."""
        token = self.live_token_for_selection()
        if token is None:
            self.notify(
                "No live token for the selected recording: Enter requests one.",
                severity="warning",
            )
        return token
