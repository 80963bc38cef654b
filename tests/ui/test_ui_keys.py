"""The action table (ui/actions.py): README in step with it, user keymaps, the tree's keys,
the palette running the key's action, a line highlighted at launch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.command import CommandPalette
from ui_support import AppFactory, loaded, select_first_recording, wait_for

from ccfs_tui import cli
from ccfs_tui.core.config import load_config
from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.outcomes import Requesting
from ccfs_tui.core.paths import app_paths
from ccfs_tui.ui.actions import ACTIONS, MAIN, key_display, resolve
from ccfs_tui.ui.commands import app_commands
from ccfs_tui.ui.screens.help import key_rows
from ccfs_tui.ui.screens.tokens import TokensScreen
from ccfs_tui.ui.widgets.tree import Group, Leaf

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_key_rows() -> dict[str, tuple[tuple[str, ...], str]]:
    """Action id -> (keys, label) of each row of the README's key table naming an action."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Keys") :]
    section = section[: section.index("\n\n", section.index("| key |"))]
    rows: dict[str, tuple[tuple[str, ...], str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not re.fullmatch(r"`\w+`", cells[1]):
            continue
        keys = tuple(re.findall(r"`([^`]+)`", cells[0]))
        label = re.match(r"\*\*(.+?)\*\*", cells[2])
        rows[cells[1].strip("`")] = (keys, label.group(1) if label else "")
    return rows


def test_readme_key_table_matches_the_action_table() -> None:
    rows = readme_key_rows()
    table = {a.id: (tuple(key_display(k) for k in a.keys), a.label) for a in ACTIONS}
    assert rows == table


def write_keys(text: str) -> Path:
    path = app_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"[keys]\n{text}\n", encoding="utf-8")
    return path


async def test_a_user_keymap_moves_request_token_to_x(make_app: AppFactory) -> None:
    config = load_config(write_keys('request_token = "x"'), env={})
    app = make_app(config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        rec = app.main_screen.selected_recording()
        await pilot.press("r")
        await pilot.pause(0.2)
        assert app.session.token_for(rec.play_file_name) is None
        assert not isinstance(app.session.outcomes.get(rec.play_file_name), Requesting)
        # the palette says x (it offers Request while there is no token to renew)
        assert any(
            c.help.startswith("x  ·") for c in app_commands(app.main_screen) if c.title == "Request"
        )
        await pilot.press("x")
        await wait_for(pilot, lambda: app.main_screen.live_token_for_selection() is not None)
        # the help says x
        assert app.action_keys["request_token"] == ("x",)
        assert any(
            keys == "x" and text.startswith("Request:")
            for keys, text in key_rows(app.action_keys, MAIN)
        )


def test_a_key_on_two_actions_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    with pytest.raises(ConfigError) as caught:
        resolve({"request_token": ("c",)}, path)
    assert str(path) in caught.value.message
    assert "'c'" in caught.value.message
    assert "copy_url" in caught.value.message and "request_token" in caught.value.message
    with pytest.raises(ConfigError, match=r"keys\.play_loud: no action"):
        resolve({"play_loud": ("z",)}, path)
    # another screen, or a key given up by its action, is no clash
    resolve({"remove_token": ("r",), "request_token": ("c",), "copy_url": ("y",)}, path)


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        ('request_token = "c"', ("'c'", "copy_url", "request_token")),
        ('request_token = "?"', ("help", "request_token")),  # ? is question_mark
        ('listen_loud = "l"', ("keys.listen_loud", "no action")),
        ("request_token = 3", ("keys.request_token", "a key or a list of keys")),
    ],
)
def test_the_cli_says_a_bad_keymap_in_one_line_and_exits_2(
    keys: str, words: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_keys(keys)
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert str(path) in err
    for word in words:
        assert word in err


async def test_tree_keys_j_k_g_G_h_right(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        tree = app.main_screen.browser.tree_widget
        top = list(tree.root.children)
        assert tree.cursor_node is top[0]
        await pilot.press("j")
        assert tree.cursor_node is top[1]
        await pilot.press("k")
        assert tree.cursor_node is top[0]
        await pilot.press("G")
        assert tree.cursor_node is top[-1]
        await pilot.press("g")
        assert tree.cursor_node is top[0]
        await pilot.press("l")  # l is listen (a recording's): a group stays closed
        assert not top[0].is_expanded and tree.cursor_node is top[0]
        await pilot.press("right")  # opens the VDN
        assert top[0].is_expanded and top[0].children
        await pilot.press("right")  # on an open group: its first line
        day = top[0].children[0]
        assert tree.cursor_node is day and isinstance(day.data, Group)
        await pilot.press("right", "right", "right", "right")  # open the day, the agent, in
        node = tree.cursor_node
        assert node is not None and isinstance(node.data, Leaf)
        assert app.main_screen.selected_row == node.data.row_id
        await pilot.press("h")  # on a recording: its agent
        agent = node.parent
        assert tree.cursor_node is agent and agent.is_expanded
        await pilot.press("left")  # closes the agent
        assert not agent.is_expanded and tree.cursor_node is agent
        await pilot.press("h", "h")  # its day, then that day closes
        assert tree.cursor_node is day and not day.is_expanded


async def test_the_palette_runs_the_same_action_as_the_key(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_recording(pilot)
        screen = app.main_screen
        ran: list[str] = []
        method = screen.action_request_token

        def spy() -> None:
            ran.append("request_token")
            method()

        screen.action_request_token = spy  # type: ignore[method-assign]
        await pilot.press("r")
        await wait_for(pilot, lambda: app.main_screen.live_token_for_selection() is not None)
        assert ran == ["request_token"]
        app.session.tokens.remove(app.main_screen.live_token_for_selection())
        app.main_screen.refresh_view()
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Request")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main_screen.live_token_for_selection() is not None)
        assert ran == ["request_token", "request_token"]
        # from another screen, the palette's main-screen action comes back to the main screen
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TokensScreen))
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Filter")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.focused is app.main_screen.browser.filter_input)


async def test_the_palette_lists_the_app_before_textual(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.main_screen)]
        assert titles[0] == "Filter"
        assert titles.index("Quit") < titles.index("Keys")  # Textual's "Keys" comes after
        assert titles.count("Quit") == 1


async def test_a_line_is_highlighted_at_launch_and_enter_opens_it(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        tree = app.main_screen.browser.tree_widget
        first = tree.root.children[0]
        assert tree.cursor_node is first
        await pilot.press("enter")
        await pilot.pause()
        assert first.is_expanded and first.children


@pytest.mark.parametrize("width", [80, 120])
async def test_a_remapped_audit_key_works_at_every_width(make_app: AppFactory, width: int) -> None:
    """Audit's footer entry and its hidden twin (narrow terminals) share the id: both move."""
    from ccfs_tui.ui.screens.audit import AuditScreen

    app = make_app(config=load_config(write_keys('audit = "A"'), env={}))
    async with app.run_test(size=(width, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert app.screen is app.main_screen
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditScreen))
