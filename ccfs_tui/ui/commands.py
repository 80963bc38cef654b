"""The command palette (ctrl+p): the actions of the table (ui/actions.py) that can act now,
reloading the index and switching profile, the terminal-colour themes, then Textual's own
commands (theme, keys, screenshot)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
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

    def explain_profiles(self) -> None: ...


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
    others = host.other_profiles()
    for name in others:
        commands.append(
            SystemCommand(
                f"Switch profile: {name}", "new client, new SK", partial(host.switch_profile, name)
            )
        )
    if not others:  # "profile" still finds something: how to get another one
        commands.append(
            SystemCommand(
                "Switch profile",
                "only one profile: each [profiles.NAME] table of config.toml adds one",
                host.explain_profiles,
            )
        )
    return commands


def theme_commands(set_theme: Callable[[str], None]) -> list[SystemCommand]:
    """Textual's ANSI themes by name (the terminal's own palette), before Textual's theme
    picker, which lists every theme."""
    return [
        SystemCommand(
            f"Theme: terminal colours, {tone} ({name})",
            "the terminal's own palette: light or transparent backgrounds; kept in config.toml",
            partial(set_theme, name),
        )
        for tone, name in (("dark", "ansi-dark"), ("light", "ansi-light"))
    ]


def palette_commands(
    host: PaletteHost,
    textual_own: Iterator[SystemCommand],
    themes: Sequence[SystemCommand] = (),
) -> Iterator[SystemCommand]:
    """The app's commands first, then ``themes``, then Textual's (less its Quit: the app has
    its own)."""
    yield from app_commands(host)
    yield from themes
    for command in textual_own:
        if command.title != "Quit":
            yield command
