"""The audit screen (``a``, the palette, help): the entries the client appended, never a token."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import DataTable
from ui_support import AK, AppFactory, select_first_recording, wait_for

from ccfs_tui.core.audit import AuditLog
from ccfs_tui.core.clock import FakeClock
from ccfs_tui.core.paths import app_paths
from ccfs_tui.ui.commands import app_commands
from ccfs_tui.ui.screens.audit import AuditScreen
from ccfs_tui.ui.screens.help import HelpScreen, help_content


def table_text(screen: AuditScreen) -> str:
    table = screen.query_one(DataTable)
    return "\n".join(
        " | ".join(str(cell) for cell in table.get_row_at(row)) for row in range(table.row_count)
    )


def static_text(screen: AuditScreen, widget_id: str) -> str:
    return str(screen.query_one(widget_id).render())


async def open_audit_screen(pilot) -> AuditScreen:
    app = pilot.app
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.loaded)
    await pilot.pause()
    return app.screen


async def test_a_lists_requests_and_downloads_newest_first_without_the_token(
    make_app: AppFactory, emu, clock: FakeClock, tmp_path: Path
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl", clock)
    app = make_app(audit=audit)
    async with app.run_test(size=(120, 30)) as pilot:
        await select_first_recording(pilot)
        name = app.main_screen.selected_recording().play_file_name
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main_screen.live_token_for_selection() is not None)
        token = app.main_screen.live_token_for_selection()
        await pilot.press("d")
        await wait_for(pilot, lambda: name in app.session.downloads)
        emu.faults.set(result_code="0300004", times=1)
        await pilot.press("down")
        await wait_for(pilot, lambda: app.main_screen.selected_recording().play_file_name != name)
        failed = app.main_screen.selected_recording().play_file_name
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: failed in app.session.outcomes and not app.main_screen.jobs.request_running(),
        )

        screen = await open_audit_screen(pilot)
        assert [e.action for e in screen.entries] == [
            "requestPlayVoice",  # newest first: the failed request
            "playVoice",
            "requestPlayVoice",
        ]
        rows = table_text(screen).splitlines()
        assert "result" in rows[0] and "0300004" in rows[0] and failed.rsplit("/", 1)[-1] in rows[0]
        assert "ok" in rows[1] and token.fingerprint in rows[1]
        assert "ok" in rows[2] and "| 0 |" in rows[2] and token.fingerprint in rows[2]
        for row in rows:
            assert "test" in row and AK in row and "2026-10-03 08:00:00" in row
        # the highlighted (newest) entry's detail: the server's error sentence
        detail = static_text(screen, "#audit-detail")
        assert failed in detail and "0300004" in detail
        assert str(audit.path) in static_text(screen, "#audit-hint")
        svg = app.export_screenshot()
        assert token.token not in svg and token.token not in audit.path.read_text()
        await pilot.press("down")
        assert "playVoice" in static_text(screen, "#audit-detail")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main_screen


async def test_refresh_picks_up_new_entries_and_empty_log_says_so(
    make_app: AppFactory, clock: FakeClock, tmp_path: Path
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl", clock)
    app = make_app(audit=audit)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = await open_audit_screen(pilot)
        assert screen.entries == []
        assert "No token request or download yet" in static_text(screen, "#audit-hint")
        # another ccfs-tui (e.g. the CLI) appends while the screen is open
        audit.record(
            profile="prod",
            app_id="cli-ak",
            action="downloadRecordFile",
            file_name="/10/1/record/100/13533/0903379.wav",
            outcome="timeout",
            detail="10.0.0.1:28443 did not answer within 30 s.",
        )
        screen.loaded = False
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.loaded)
        await pilot.pause()
        assert [e.app_id for e in screen.entries] == ["cli-ak"]
        assert "timeout" in table_text(screen) and "0903379.wav" in table_text(screen)
        assert "did not answer within 30 s" in static_text(screen, "#audit-detail")
        await pilot.press("a")  # a closes it again
        await pilot.pause()
        assert app.screen is app.main_screen


async def test_without_its_own_log_the_screen_reads_the_users_audit_file(
    make_app: AppFactory,
) -> None:
    AuditLog(app_paths().audit_log).record(
        profile="demo",
        app_id="demo-ak",
        action="requestPlayVoice",
        file_name="Y:/1.V3",
        outcome="ok",
    )
    app = make_app()  # no audit log given (like the UI tests): the platformdirs file is shown
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = await open_audit_screen(pilot)
        assert [e.profile for e in screen.entries] == ["demo"]
        assert str(app_paths().audit_log) in static_text(screen, "#audit-hint")


async def test_footer_shows_a_when_there_is_room_and_a_works_at_80_columns(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert "a" in app.main_screen.active_bindings
        assert app.main_screen.active_bindings["a"].binding.show
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = app.main_screen.active_bindings["a"].binding
        assert not shown.show  # "? Help" keeps its place in the 80-column footer
        await open_audit_screen(pilot)


async def test_palette_and_help_offer_the_audit_log(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Audit" in [command.title for command in app_commands(app.main_screen)]
        assert "audit log" in str(help_content())
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Audit")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen))


async def test_a_cancelled_request_is_audited_as_cancelled(
    make_app: AppFactory, emu, clock: FakeClock, tmp_path: Path
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl", clock)
    emu.faults.set(latency=30, endpoints={"requestPlayVoice"})
    app = make_app(audit=audit, profile_changes={"read_timeout": 60.0})
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        name = app.main_screen.selected_recording().play_file_name
        await pilot.press("enter")
        await wait_for(pilot, app.main_screen.jobs.request_running)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.main_screen.jobs.request_running())
        await wait_for(pilot, lambda: bool(audit.recent()))
        screen = await open_audit_screen(pilot)
        (entry,) = screen.entries
        assert (entry.action, entry.file_name, entry.outcome) == (
            "requestPlayVoice",
            name,
            "cancelled",
        )
        assert "cancelled" in table_text(screen)
