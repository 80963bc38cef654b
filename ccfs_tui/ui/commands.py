"""The command palette (ctrl+p): the actions of the table (ui/actions.py) that can act now,
reloading the index and switching profile, before Textual's own commands (theme, keys,
screenshot)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import Protocol

from textual.app import SystemCommand

from ccfs_tui.ui.actions import key_display, palette_actions


class PaletteHost(Protocol):
    """What the palette runs its commands on (the main screen)."""

    keys: Mapping[str, Sequence[str]]

    def can_act(self, action: str) -> bool: ...

    def run_from_palette(self, action_id: str) -> None: ...

    def reload_index(self) -> None: ...

    def other_profiles(self) -> list[str]: ...

    def switch_profile(self, name: str) -> None: ...


def app_commands(host: PaletteHost) -> list[SystemCommand]:
    """The app's palette commands, in the order shown: each action that can act now runs
    the very method its key runs (``action_<id>``, see ``MainScreen.run_from_palette``)."""
    commands: list[SystemCommand] = []
    for action in palette_actions():
        if not host.can_act(action.id):
            continue
        keys = " ".join(key_display(key) for key in host.keys.get(action.id, ()))
        commands.append(
            SystemCommand(
                action.label,
                f"{keys}  ·  {action.help}" if keys else action.help,
                partial(host.run_from_palette, action.id),
            )
        )
    commands.append(SystemCommand("Reload index", "read the index files again", host.reload_index))
    for name in host.other_profiles():
        commands.append(
            SystemCommand(
                f"Switch profile: {name}", "new client, new SK", partial(host.switch_profile, name)
            )
        )
    return commands


def palette_commands(
    host: PaletteHost, textual_own: Iterator[SystemCommand]
) -> Iterator[SystemCommand]:
    """The app's commands first, then Textual's (less its Quit: the app has its own)."""
    yield from app_commands(host)
    for command in textual_own:
        if command.title != "Quit":
            yield command
