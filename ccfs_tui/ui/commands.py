"""The command palette (ctrl+p): every action of the table (ui/actions.py), reloading the
index and switching profile, before Textual's own commands (theme, keys, screenshot)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from ccfs_tui.ui.actions import key_display, palette_actions

if TYPE_CHECKING:
    from ccfs_tui.ui.app import CcfsApp


def app_commands(app: CcfsApp) -> list[SystemCommand]:
    """The app's palette commands, in the order shown: each action runs the very method its
    key runs (``MainScreen.action_<id>``, see :meth:`CcfsApp.run_main_action`)."""
    commands: list[SystemCommand] = []
    for action in palette_actions():
        keys = " ".join(key_display(key) for key in app.action_keys.get(action.id, ()))
        commands.append(
            SystemCommand(
                action.label,
                f"{keys}  ·  {action.help}" if keys else action.help,
                partial(app.run_main_action, action.id),
            )
        )
    commands.append(SystemCommand("Reload index", "read the index files again", app.reload_index))
    for name in app.profile_names():
        if app.profile is not None and name == app.profile.name:
            continue
        commands.append(
            SystemCommand(
                f"Switch profile: {name}", "new client, new SK", partial(app.switch_profile, name)
            )
        )
    return commands


def palette_commands(app: CcfsApp, textual_own: Iterator[SystemCommand]) -> Iterator[SystemCommand]:
    """The app's commands first, then Textual's (less its Quit: the app has its own)."""
    yield from app_commands(app)
    for command in textual_own:
        if command.title != "Quit":
            yield command
