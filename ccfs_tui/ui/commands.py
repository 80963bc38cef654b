"""The command palette (ctrl+p): every action of the app, and switching profile."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ccfs_tui.ui.screens.audit import open_audit

if TYPE_CHECKING:
    from ccfs_tui.ui.app import CcfsApp

Command = tuple[str, Callable[[], object], str]


def app_commands(app: CcfsApp) -> list[Command]:
    """(name, callback, help) of every palette command, in the order shown."""
    commands: list[Command] = [
        ("Request playback token", app.cmd_request, "requestPlayVoice for the selected recording"),
        ("Renew token", app.cmd_renew, "a new token for the same file"),
        ("Copy playback URL", app.cmd_copy_url, "OSC 52; works over SSH and in tmux"),
        ("Download audio", app.cmd_download, "into the profile's download folder"),
        ("Play audio", app.cmd_play, "with mpv, ffplay or aplay"),
        ("Reveal / hide token", app.toggle_reveal, "tokens are masked by default"),
        ("Filter recordings", app.cmd_filter, "call id, number, agent, file name or day"),
        ("Tokens", app.open_tokens, "every token with its time left"),
        ("Skipped index lines", app.open_problems, "file:line: reason"),
        ("Audit log", partial(open_audit, app), "recent token requests and downloads"),
        ("Cancel", app.cancel_running, "the running request, download or index load"),
        ("Reload index", app.reload_index, "read the index files again"),
        ("Help", app.open_help, "keys and hints"),
        ("Quit", app.exit, "leave ccfs-tui"),
    ]
    for name in app.profile_names():
        if app.profile is not None and name == app.profile.name:
            continue
        commands.append(
            (f"Switch profile: {name}", partial(app.switch_profile, name), "new client, new SK")
        )
    return commands


class CcfsCommands(Provider):
    """ccfs-tui's commands for the palette."""

    @property
    def _ccfs(self) -> CcfsApp:
        return self.app  # type: ignore[return-value]

    async def discover(self) -> Hits:
        """Shown before typing: every command."""
        for name, callback, help_text in app_commands(self._ccfs):
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy match on the command names."""
        matcher = self.matcher(query)
        for name, callback, help_text in app_commands(self._ccfs):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
