"""Find a local audio player and run it without blocking the UI."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Sequence
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


async def start_player(command: Sequence[str], path: Path) -> asyncio.subprocess.Process:
    """Start ``command path`` detached from the terminal (no stdin/stdout/stderr), without
    the SK's variables in its environment."""
    from ccfs_tui.core.child_env import child_environment

    return await asyncio.create_subprocess_exec(
        *command,
        str(path),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
        env=child_environment(),
    )
