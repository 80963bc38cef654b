"""The ccfs-tui Textual app: composes the main screen with the session and the store.

It resolves the keys (the action table with the user's keymap), hosts the input gate
(every key and paste, in order), runs the one 1-s timer and closes the session's client at
the end. Everything else belongs to the screens: the main screen owns its keys, view state
and token jobs; its browser loads and filters the recordings.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import Notify, SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.recordings import RecordingStore
from ccfs_tui.core.session import Session
from ccfs_tui.core.ui_settings import read_ui_settings, save_theme
from ccfs_tui.ui.actions import keymap_for, resolve
from ccfs_tui.ui.commands import palette_commands, theme_commands
from ccfs_tui.ui.drawing import hold_drawing
from ccfs_tui.ui.formatting import home_short, shown, shown_lines
from ccfs_tui.ui.input_gate import START, Batch, InputGate, app_pumps
from ccfs_tui.ui.messages import MainReady, ProfileSwitched
from ccfs_tui.ui.player import find_player
from ccfs_tui.ui.screens.main import MainScreen

TOAST_SECONDS: dict[SeverityLevel, float] = {"information": 4, "warning": 8, "error": 10}
"""How long a toast stays when its caller gives no timeout."""

MESSAGES_KEPT = 200
"""Toasts remembered in :attr:`CcfsApp.messages`."""


class CcfsApp(App[int]):
    """Find a recording, get its playback token, copy/download/play it."""

    CSS_PATH = "app.tcss"
    TITLE = "ccfs-tui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        session: Session | None = None,
        *,
        index_paths: Sequence[Path] = (),
        store: RecordingStore | None = None,
        demo: bool = False,
        tick: bool = True,
        player_finder: Callable[[], list[str] | None] = find_player,
        environ: Mapping[str, str] | None = None,
        index_hint: str = "",
        prepare_index: Callable[[], None] | None = None,
        theme_file: Path | None = None,
        startup_note: str = "",
    ) -> None:
        """``session``: the profile, SK, client, tokens and audit log (default: none of
        them, as in a bare test); ``tick=False`` leaves the timer to the tests; ``environ``
        is where the clipboard looks for ``$TMUX``; ``theme_file``: where the theme is read
        from and saved (default: the session's config file; none: not saved);
        ``startup_note``: a warning shown once the app is up (the demo's port). Raises
        ``ConfigError`` for a ``[keys]`` table that names no action or gives one key to two
        actions of a screen."""
        super().__init__()
        if store is None:
            store = RecordingStore()
        self.session = session if session is not None else Session()
        self.demo = demo
        self.index_paths = list(index_paths)
        """The index files the app was opened on."""
        self._tick_enabled = tick
        self.messages: deque[str] = deque(maxlen=MESSAGES_KEPT)
        """Every toast of the session, oldest first (``severity: title: text``), also once
        a newer one replaced it on screen."""
        user_keys = self.session.config.keys if self.session.config is not None else {}
        self.action_keys = resolve(user_keys, self.session.config_path)
        """Every action's keys (the table's, with the ``[keys]`` table of the config)."""
        self.set_keymap(keymap_for(user_keys))
        self.theme_file = theme_file or self.session.config_path
        """The config file whose ``[ui] theme`` the app applies and saves (None: neither)."""
        self._saved_theme = ""
        self._startup_note = startup_note
        self.main_screen = MainScreen(
            self.session,
            store,
            self.index_paths,
            keys=self.action_keys,
            player_finder=player_finder,
            environ=environ,
            index_hint=index_hint,
            prepare_index=prepare_index,
        )
        self.input_gate = InputGate(
            lambda: app_pumps(self), self._route_input, Batch(lambda: hold_drawing(self))
        )
        """Every key and paste, whole and in order (see input_gate); keys typed before the
        main screen is up wait for it."""
        self.input_gate.hold(START)

    @property
    def store(self) -> RecordingStore:
        """The recordings the main screen shows (a reload replaces the store)."""
        return self.main_screen.store

    # ================================================================= input
    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes from the terminal go through the gate; the rest as usual."""
        if self.input_gate.takes(event):
            self.store.typing()  # the loader and the column split give way meanwhile
            return
        await super().on_event(event)

    async def _route_input(self, event: events.Event) -> None:
        """The gate lets ``event`` through: Textual routes it (priority bindings, then the
        focused widget); a failure is the app's, as it would be without the gate. Keys
        that come after the app was told to exit are dropped: its screens are going."""
        if self._exit or self._closing or self._closed:
            return
        try:
            await self.on_event(event)
        except Exception as error:  # reported like any handler's error
            self._handle_exception(error)

    # ================================================================= screens
    def get_default_screen(self) -> Screen[Any]:
        """The main screen is the base of the stack."""
        return self.main_screen

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette: the main screen's actions that can act now, the terminal-colour
        themes, then Textual's own."""
        return palette_commands(
            self.main_screen,
            iter(super().get_system_commands(screen)),
            theme_commands(self._set_theme),
        )

    def _set_theme(self, name: str) -> None:
        self.theme = name

    def on_mount(self) -> None:
        self.update_titles()
        self._apply_saved_theme()
        if self._startup_note:
            self.notify(self._startup_note, severity="warning", timeout=12)

    # ================================================================= the theme
    def _apply_saved_theme(self) -> None:
        """The theme remembered in the config file, then save each change of it there."""
        config = self.session.config
        if config is not None and config.path == self.theme_file:
            saved = config.ui.theme
        else:
            saved = read_ui_settings(self.theme_file).theme if self.theme_file else None
        if saved and saved in self.available_themes:
            self.theme = saved
        elif saved:
            self.notify(
                f"{self.theme_file}: ui.theme {saved!r} is not a theme here; showing "
                f"{self.theme}. ctrl+p, Theme lists them.",
                severity="warning",
            )
        self._saved_theme = self.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        """A theme was picked (ctrl+p, Theme): remember it in the config file, keeping every
        other line of it (``core.ui_settings.save_theme``)."""
        if theme.name == self._saved_theme or self.theme_file is None:
            return
        try:
            save_theme(self.theme_file, theme.name)
        except ConfigError as exc:
            self.notify(f"{exc.message}\n{exc.hint}".strip(), severity="warning")
            return
        self._saved_theme = theme.name
        self.notify(f"Theme {theme.name}: saved in {home_short(self.theme_file)}.")

    def on_main_ready(self, _message: MainReady) -> None:
        """The main screen is up and loading: start the timer; the keys typed meanwhile
        go to it now."""
        if self._tick_enabled:
            self.set_interval(1.0, self.tick)
        self.input_gate.release(START)

    def on_profile_switched(self, _message: ProfileSwitched) -> None:
        self.update_titles()

    def update_titles(self) -> None:
        """Header: profile and base URL."""
        profile = self.session.profile
        if profile is None:
            self.sub_title = "no profile"
        else:
            self.sub_title = f"{profile.name} · {profile.base_url or 'no base_url'}"
        self.title = "ccfs-tui demo" if self.demo else "ccfs-tui"

    # ================================================================= the one timer
    def tick(self) -> None:
        """Once a second: the main screen's ``now``, from which every countdown (there and
        on the tokens screen) is recomputed from absolute expiries."""
        main = self.main_screen
        if not main.is_mounted or not self.is_running or self._exit:
            return  # closing: its widgets are going (a tick then raised NoMatches once)
        main.now = self.session.clock()

    # ================================================================= toasts, the end
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast (screens' too): plain text, never markup, its control characters
        shown as escapes line by line (a server's, a file's or the token store's text may
        be in it: a ``[`` is shown as typed, an ESC never reaches the terminal). Without a
        ``timeout``, each severity has its own (:data:`TOAST_SECONDS`)."""
        text, head = shown_lines(str(message)), shown(title)
        self.messages.append(f"{severity}: {head + ': ' if head else ''}{text}")
        super().notify(
            text,
            title=head,
            severity=severity,
            timeout=TOAST_SECONDS[severity] if timeout is None else timeout,
            markup=False,
        )

    def _on_notify(self, event: Notify) -> None:
        """Toasts never pile up: a new information toast replaces the one shown, and a
        message already shown is shown once (Textual's own handler then shows it)."""
        new = event.notification
        for old in list(self._notifications):
            same_kind = old.severity == new.severity == "information"
            if same_kind or (old.message, old.title) == (new.message, new.title):
                self._unnotify(old, refresh=False)
        super()._on_notify(event)

    async def on_unmount(self) -> None:
        """Close the session's clients; thaw what ``index_loading.settle_memory`` froze,
        so that it can be collected again."""
        self.input_gate.close()
        gc.unfreeze()
        await self.session.aclose()
