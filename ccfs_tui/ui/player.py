"""Find a local audio player and run it without blocking the UI.

:class:`Player` is the app's one player: :meth:`Player.play` starts it on a file (stopping
the one already playing), :attr:`Player.playing` says whether it still plays,
:meth:`Player.stop` stops it (the app calls it on exit). It plays on the machine ccfs-tui
runs on: over SSH that is the jump host, which :func:`where_it_plays` tells the user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

PLAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("mpv", ("--no-terminal", "--really-quiet", "--no-video")),
    ("ffplay", ("-nodisp", "-autoexit", "-loglevel", "quiet")),
    ("aplay", ("-q",)),
)
"""Players tried in order, with the options that keep them off the terminal."""

Which = Callable[[str], str | None]


def find_player(which: Which = shutil.which) -> list[str] | None:
    """The command (executable and options) of the first installed player, or None."""
    for name, options in PLAYERS:
        found = which(name)
        if found:
            return [found, *options]
    return None


def player_names() -> str:
    """``mpv, ffplay or aplay``: for messages."""
    names = [name for name, _ in PLAYERS]
    return ", ".join(names[:-1]) + " or " + names[-1]


STOP_WAIT = 1.0
"""Seconds a stopped player gets to exit before it is killed."""


class Player:
    """One external player process at a time, started without any SK in its environment."""

    def __init__(
        self,
        finder: Callable[[], list[str] | None] = find_player,
        popen: Callable[..., subprocess.Popen[bytes]] = subprocess.Popen,
    ) -> None:
        self._finder = finder
        self._popen = popen
        self._process: subprocess.Popen[bytes] | None = None
        self.path: Path | None = None
        """The file playing (or played last)."""
        self.name: str = ""
        """The player's program name (``mpv`` ...), once one was started."""

    @property
    def playing(self) -> bool:
        """True while the player started last is still running."""
        return self._process is not None and self._process.poll() is None

    def play(self, path: Path) -> str | None:
        """Play ``path`` (stopping what plays); the player's name, or ``None`` when no
        player is installed (see :func:`player_names`). Raises ``OSError`` if it cannot
        be started."""
        self.stop()
        command = self._finder()
        if command is None:
            return None
        self._process = self._popen(
            [*command, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() reaches its children
            env=_child_environment(),
        )
        self.path = path
        self.name = Path(command[0]).name
        return self.name

    def stop(self) -> bool:
        """Stop the player (and what it started); True when it was playing."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return False
        for signum in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signum)
            try:
                process.wait(timeout=STOP_WAIT)
                break
            except subprocess.TimeoutExpired:
                continue
        return True


def _child_environment() -> dict[str, str]:
    from ccfs_tui.core.child_env import child_environment

    return child_environment()


def where_it_plays(env: Mapping[str, str] | None = None, listen_key: str = "l") -> str:
    """Where :class:`Player` is heard: ``on this machine (HOST)``, and over SSH the hint
    that the listening server (``listen_key``) reaches the engineer's own browser."""
    from ccfs_tui.core.ssh_hint import in_ssh_session

    where = f"on this machine ({socket.gethostname()})"
    if in_ssh_session(env):
        return f"{where}, not on yours (SSH): press {listen_key} to hear it in your browser"
    return where
