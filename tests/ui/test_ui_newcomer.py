"""Issue 15, the TUI as a newcomer meets it: every screen readable at 80x24 (and the stacked
layout at 60x20), cut by terminal cells; toasts that neither pile up nor cover the status
bar or the signed request; help that teaches (keys, filter syntax, countdown); the filter
saying what matched nothing; the countdown's glyphs; themes remembered in config.toml."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.style import Style
from textual.command import CommandPalette
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Log, TabbedContent
from textual.widgets._footer import FooterKey
from textual.widgets._toast import Toast
from ui_support import AK, SK, AppFactory, loaded, select_first_recording, wait_for

from ccfs_tui.core.audit import AuditLog
from ccfs_tui.core.config import load_config
from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.index import IndexProblem
from ccfs_tui.core.recordings.query import SYNTAX
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.tokens import Token
from ccfs_tui.ui.commands import app_commands
from ccfs_tui.ui.screens.audit import AuditScreen
from ccfs_tui.ui.screens.help import HelpScreen
from ccfs_tui.ui.screens.problems import ProblemsScreen
from ccfs_tui.ui.screens.tokens import TokensScreen

TENANT = "华东客服中心"
"""A Chinese tenant folder: two terminal cells a character."""


def playback(app) -> str:
    return str(app.main_screen.detail.query_one("#playback").render())


def summary(app) -> str:
    return str(app.main_screen.browser.query_one("#summary").render())


def footer_labels(screen, width: int) -> list[str]:
    """The footer's keys, each asserted to lie inside the screen (none cut at its edge)."""
    keys = list(screen.query(FooterKey))
    for key in keys:
        assert key.region.right <= width, f"{key.key_display} {key.description} is cut"
    return [key.description for key in keys]


def add_token(app, file_name: str, age: timedelta, value: str) -> Token:
    profile = app.session.profile
    token = Token.issued(
        value, file_name, app.session.clock() - age, profile.name, profile.base_url
    )
    app.session.tokens.add(token)
    return token


# ---------------------------------------------------------------------- 80x24 and smaller
async def test_tree_lines_fit_80_columns_with_the_ends_of_both_numbers(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select_first_recording(pilot)
        tree = app.main_screen.browser.tree_widget
        await pilot.pause()
        assert tree.virtual_size.width <= tree.scrollable_content_region.width  # no h-scroll
        rec = app.main_screen.selected_recording()
        line = tree.render_label(tree.cursor_node, Style(), Style()).plain
        assert line.startswith(f"{rec.call_begin:%H:%M:%S}")
        caller, callee = line.rsplit(" ", 1)[-1].split("→")
        assert rec.caller_no.endswith(caller.split("…")[-1])
        assert rec.callee_no.endswith(callee.split("…")[-1]) and len(callee) >= 5
        await pilot.resize_terminal(160, 30)
        await pilot.pause()
        wide = tree.render_label(tree.cursor_node, Style(), Style()).plain
        assert wide.endswith(f"{rec.caller_no}→{rec.callee_no}")  # room: the whole line


async def test_tokens_screen_at_80_columns_tells_apart_files_alike_but_their_end(
    make_app: AppFactory,
) -> None:
    app = make_app()
    folder = f"Y:/1/0/20261001/1001/{TENANT}/录音"
    names = [f"{folder}/04750{n}.V3" for n in (18, 19, 20)]
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        for n, name in enumerate(names):
            add_token(app, name, timedelta(minutes=n), f"{n}ABCDEF0123456789ABCDEF012345678")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TokensScreen))
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        files = sorted(str(table.get_row_at(row)[1]) for row in range(table.row_count))
        assert [cell[-10:] for cell in files] == [name[-10:] for name in names]
        assert all(cell_len(cell) < cell_len(names[0]) for cell in files)  # cut, by cells
        assert table.virtual_size.width <= table.size.width
        assert "Back" in footer_labels(app.screen, 80)
        await pilot.resize_terminal(60, 20)  # stacked size: no expiry column, fewer keys
        await pilot.pause()
        labels = [str(column.label) for column in table.columns.values()]
        assert labels == ["Left", "File", "Token", "Profile"]
        assert table.virtual_size.width <= table.size.width
        assert "Back" in footer_labels(app.screen, 60)
        files = sorted(str(table.get_row_at(row)[1]) for row in range(table.row_count))
        assert [cell[-10:] for cell in files] == [name[-10:] for name in names]


async def test_audit_screen_at_80_columns_keeps_the_file(
    make_app: AppFactory, tmp_path: Path, clock
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl", clock)
    name = f"Y:/1/0/20261001/1001/{TENANT}/0903379.V3"
    audit.record(
        profile="华南租户",
        app_id="cli-ak",
        action="requestPlayVoice",
        file_name=name,
        outcome="ok",
        result_code="0",
    )
    app = make_app(audit=audit)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.loaded)
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        labels = [str(column.label) for column in table.columns.values()]
        assert "File" in labels and "App id" not in labels  # it moved to the detail lines
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[-1].endswith("0903379.V3") and "华南租户" in row
        assert table.virtual_size.width <= table.size.width
        assert "cli-ak" in str(app.screen.query_one("#audit-detail").render())
        assert "Back" in footer_labels(app.screen, 80)
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        labels = [str(column.label) for column in table.columns.values()]
        assert labels == ["Time (UTC)", "Action", "Outcome", "File"]
        assert table.virtual_size.width <= table.size.width
        detail = str(app.screen.query_one("#audit-detail").render())
        assert "华南租户" in detail and "resultCode 0" in detail  # what the table left out
        await pilot.resize_terminal(120, 30)  # room again: every column
        await pilot.pause()
        labels = [str(column.label) for column in table.columns.values()]
        assert "App id" in labels and "Token#" in labels


async def test_problem_lines_are_cut_to_the_width_keeping_name_and_reason(
    make_app: AppFactory,
) -> None:
    long_source = f"/data/indexes/{TENANT}/2026/10/01/nested/deeper/20261001_record_1.csv"
    problems = [
        IndexProblem(long_source, 12, "expected 18 fields, got 3"),
        IndexProblem(long_source, 0, "not a recording index (no call_id column)"),
    ]
    app = make_app(index_paths=[])
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        app.push_screen(ProblemsScreen(problems))
        await pilot.pause()
        log = app.screen.query_one(Log)
        width = log.scrollable_content_region.width
        lines = list(log.lines)
        assert all(cell_len(line) <= width for line in lines)
        text = "\n".join(lines)
        assert "_record_1.csv:12: expected 18 fields, got 3" in text
        assert ":0:" not in text and "not a recording index" in text


async def test_stacked_layout_at_60x20_keeps_help_in_the_footer(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await select_first_recording(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main_screen.live_token_for_selection() is not None)
        await pilot.pause()
        labels = footer_labels(app.main_screen, 60)
        assert "Help" in labels and "Copy URL" in labels
        assert "Download" not in labels  # below 72 columns: in help and the palette
        await pilot.press("d")  # its key still works
        rec = app.main_screen.selected_recording()
        await wait_for(pilot, lambda: rec.play_file_name in app.session.downloads)


# ---------------------------------------------------------------------- toasts
async def test_toasts_replace_each_other_and_keep_off_the_status_bar_and_request(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await select_first_recording(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main_screen.live_token_for_selection() is not None)
        await pilot.press("c")
        await pilot.pause(0.3)
        shown = [n.message for n in app._notifications]
        assert len(shown) == 1 and "copied" in shown[0]  # the token's toast was replaced
        assert shown[0].lower().count("copied") == 1  # said once
        assert any("(resultCode 0)" in m for m in app.messages)  # ... and is remembered
        app.notify("something failed", severity="error")
        await pilot.pause(0.3)
        assert len(list(app._notifications)) == 2  # an error is not replaced by news
        toasts = list(app.screen.query(Toast))
        assert toasts
        bar = app.main_screen.token_bar.region
        request = app.main_screen.detail.query_one("#request").region
        for toast in toasts:
            assert not toast.region.overlaps(bar)
            assert not toast.region.overlaps(request)


# ---------------------------------------------------------------------- help, filter
async def test_help_has_keys_filter_syntax_and_countdown_tabs_that_fit_80x24(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        screen = app.screen
        tabs = screen.query_one(TabbedContent)
        seen = []
        for key, tab in (("2", "help-filter"), ("3", "help-more"), ("right", "help-keys")):
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == tab
            page = tabs.get_pane(tab).query_one(VerticalScroll)
            assert page.max_scroll_y == 0, f"{tab} needs scrolling at 80x24"
            seen.append("\n".join(str(s.render()) for s in page.query("Static")))
        filter_text, more_text, keys_text = seen
        for example, meaning in SYNTAX:
            assert example in filter_text and meaning in filter_text
        day = app.main_screen.browser.sample_terms()[0][0]
        assert f"In this index: {day}" in filter_text  # a term of the loaded index
        assert "⚠" in more_text and "‼" in more_text and "under 5 min" in more_text
        assert "ansi-dark" in more_text
        assert "Request" in keys_text and "Enter" in keys_text and "ctrl+p" in keys_text
        await pilot.press("escape")
        assert app.screen is app.main_screen


async def test_filter_says_what_matched_nothing_and_esc_clears_it(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        browser = app.main_screen.browser
        placeholder = browser.filter_input.placeholder
        day = placeholder.rsplit(", ", 1)[-1]
        vdn = app.store.children(None, ())[0][0]
        assert day in [key for key, _ in app.store.children(None, (vdn,))]  # in the data
        await pilot.press("slash", *"zzznothing", "enter")
        await wait_for(pilot, lambda: browser.applied_query == "zzznothing")
        await pilot.pause()
        assert "nothing matches “zzznothing”" in summary(app) and "Esc clears" in summary(app)
        assert "Nothing matches" in playback(app) and "Pick a recording" not in playback(app)
        assert app.focused is browser.filter_input  # so Esc clears it
        await pilot.press("escape")
        await wait_for(pilot, lambda: browser.matches() == browser.total)
        # a filter that matched: Esc on the tree clears it too
        await pilot.press("slash", *"agent: 1001", "enter")
        await wait_for(pilot, lambda: app.focused is browser.tree_widget)
        spaced = browser.matches()
        assert 0 < spaced < browser.total  # "agent: 1001" is agent:1001, not "1001" anywhere
        await pilot.press("slash", *"agent:1001", "enter")
        await wait_for(pilot, lambda: browser.applied_query == "agent:1001")
        assert browser.matches() == spaced
        await pilot.press("escape")
        await wait_for(pilot, lambda: not browser.applied_query)
        assert browser.matches() == browser.total


async def test_i_without_skipped_lines_says_so(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("i")
        await pilot.pause()
        assert app.screen is app.main_screen
        assert "No skipped lines" in app.messages[-1]
        assert "Skipped" not in footer_labels(app.main_screen, 80)  # nothing to show there


async def test_keys_that_cannot_act_say_why(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select_first_recording(pilot)
        for key in ("c", "d"):
            await pilot.press(key)
            await pilot.pause()
            assert "No live token" in app.messages[-1], key


# ---------------------------------------------------------------------- the countdown
async def test_the_countdown_has_a_glyph_and_a_word_not_only_a_colour(
    make_app: AppFactory, clock
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select_first_recording(pilot)
        rec = app.main_screen.selected_recording()
        add_token(app, rec.play_file_name, timedelta(minutes=26), "A" * 32)
        app.main_screen.refresh_view()
        app.tick()
        await pilot.pause()
        bar = app.main_screen.token_bar
        text = str(bar.render())
        assert "⚠" in text and "under 5 min" in text and bar.has_class("-warning")
        assert "⚠ 04:00" in playback(app)
        warning_background = bar.styles.background
        clock.advance(minutes=3, seconds=30)
        app.tick()
        await pilot.pause()
        text = str(bar.render())
        assert "‼" in text and "under 1 min" in text and bar.has_class("-alarm")
        assert bar.styles.background != warning_background
        await pilot.resize_terminal(60, 20)  # the line fits: hints, then the file's name go
        await pilot.pause()
        text = str(bar.render())
        assert cell_len(text) <= bar.content_size.width and text.startswith("‼ Token")
        assert "00:30" in text
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TokensScreen))
        table = app.screen.query_one(DataTable)
        assert str(table.get_row_at(0)[0]) == "‼ 00:30"


# ---------------------------------------------------------------------- palette, profiles
async def test_profile_finds_something_with_one_profile(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        commands = {c.title: c for c in app_commands(app.main_screen)}
        assert "Switch profile" in commands
        commands["Switch profile"].callback()
        await pilot.pause()
        assert "Only profile test" in app.messages[-1]


async def test_a_profile_switch_clears_the_old_profiles_error(
    make_app: AppFactory, emu, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "".join(
            f'[profiles.{name}]\nbase_url = "{emu.base_url}"\napp_id = "{AK}"\n'
            'secret_env = "UI_TEST_SK"\n'
            for name in ("first", "second")
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("UI_TEST_SK", SK)
    config = load_config(path, env={})
    app = make_app(config=config, profile=config.profile("first"), secret=Secret(SK))
    async with app.run_test(size=(80, 24)) as pilot:
        await select_first_recording(pilot)
        rec = app.main_screen.selected_recording()
        app.session.note_failure(rec.play_file_name, ConfigError("first profile's failure"))
        app.main_screen.show_cursor()
        assert "first profile's failure" in playback(app)
        app.main_screen.switch_profile("second")
        await pilot.pause()
        assert "first profile's failure" not in playback(app)


# ---------------------------------------------------------------------- themes
async def test_an_ansi_theme_from_the_palette_is_remembered_in_config_toml(
    make_app: AppFactory, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    original = '# mine, keep me\n[profiles.test]\napp_id = "ak"   # the AK\n'
    path.write_text(original, encoding="utf-8")
    path.chmod(0o600)
    app = make_app(config=load_config(path, env={}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"terminal colours, light")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: 'theme = "ansi-light"' in path.read_text("utf-8"))
        assert app.theme == "ansi-light"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(original) and path.stat().st_mode & 0o777 == 0o600
    again = make_app(config=load_config(path, env={}))
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == "ansi-light"
