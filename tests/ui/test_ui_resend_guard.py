"""The signature guard in the TUI (issue 14 B): the app's client holds a profile after two
refused signatures (nothing more is sent), and the resend dialog asks Yes / No."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static
from ui_support import AppFactory, select_first_recording, wait_for

from ccfs_tui.core.outcomes import Failure
from ccfs_tui.core.secret import Secret
from ccfs_tui.ui.screens.resend_confirm import ResendConfirmScreen


async def test_two_refused_signatures_hold_the_tui_profile(make_app: AppFactory, emu) -> None:
    app = make_app(secret=Secret("not-the-sk-TUI"))
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        name = app.main_screen.selected_recording().play_file_name
        kinds = []
        for attempt in range(3):
            await pilot.press("r")
            await wait_for(pilot, lambda: isinstance(app.session.outcomes.get(name), Failure))
            await wait_for(pilot, lambda: not app.main_screen.jobs.request_running())
            outcome = app.session.outcomes[name]
            assert isinstance(outcome, Failure)
            kinds.append(outcome.kind)
            if attempt < 2:
                app.session.outcomes.pop(name)
        assert kinds == ["auth", "auth", "resend-blocked"]
        sent = [r for r in emu.requests_seen if r.endpoint == "requestPlayVoice"]
        assert len(sent) == 2  # the third was never sent
        # the app asks before it sends again: No sends nothing
        await wait_for(pilot, lambda: isinstance(app.screen, ResendConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
        await pilot.pause(0.2)
        assert len([r for r in emu.requests_seen if r.endpoint == "requestPlayVoice"]) == 2
        # asked again on the next r; Yes sends exactly one more (refused again: the SK is wrong)
        app.session.outcomes.pop(name)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ResendConfirmScreen))
        app.session.outcomes.pop(name, None)
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.session.outcomes.get(name), Failure))
        await wait_for(pilot, lambda: not app.main_screen.jobs.request_running())
        assert len([r for r in emu.requests_seen if r.endpoint == "requestPlayVoice"]) == 3


class _Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.answers: list[bool | None] = []

    def compose(self) -> ComposeResult:
        yield Static("main")

    def ask(self) -> None:
        self.push_screen(
            ResendConfirmScreen("prod", "my-ak", "Not sent: refused 2 times in a row.\x1b[2J"),
            self.answers.append,
        )


async def test_resend_dialog_yes_no_escape_and_the_safe_default() -> None:
    app = _Host()
    async with app.run_test(size=(90, 24)) as pilot:
        for key, expected in (("y", True), ("n", False), ("escape", False), ("enter", False)):
            app.ask()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ResendConfirmScreen)
            text = " ".join(str(w.render()) for w in screen.query(Static))
            assert "locks this machine's address" in text and "my-ak" in text
            assert "prod" in text and "\x1b" not in text and "\\x1b[2J" in text
            await pilot.press(key)  # Enter presses the focused button: No
            await pilot.pause()
            assert app.answers[-1] is expected, key
        app.ask()
        await pilot.pause()
        await pilot.click("#resend-yes")
        await pilot.pause()
        assert app.answers[-1] is True


async def test_an_unwritable_audit_log_is_said_once(make_app: AppFactory, tmp_path) -> None:
    """A token request whose audit entry cannot be written says so (once), not nothing."""
    from ccfs_tui.core.audit import AuditLog

    blocked = tmp_path / "audit.jsonl"
    blocked.mkdir()  # in the way of the log file (works as root too)
    app = make_app(audit=AuditLog(blocked))
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        seen: list[str] = []
        original = app.notify

        def spy(message: str, **kwargs) -> None:
            seen.append(message)
            original(message, **kwargs)

        app.notify = spy  # type: ignore[method-assign]
        name = app.main_screen.selected_recording().play_file_name
        await pilot.press("r")
        await wait_for(pilot, lambda: app.session.tokens.latest_for(name) is not None)
        await wait_for(pilot, lambda: not app.main_screen.jobs.request_running())
        await pilot.pause()
        assert sum("audit" in text.lower() for text in seen) == 1
        await pilot.press("n")  # a renewal: audited (not) again, said no more
        await wait_for(pilot, lambda: not app.main_screen.jobs.request_running())
        await pilot.pause()
        assert sum("audit" in text.lower() for text in seen) == 1
