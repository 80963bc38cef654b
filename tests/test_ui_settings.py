"""The [ui] table of config.toml: the theme the TUI remembers, saved without losing a word
of the user's file (comments, order, spacing), privately and atomically."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from ccfs_tui.core.config import load_config
from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.ui_settings import read_ui_settings, save_theme, with_theme

USER_FILE = """\
# my CC-FS setup (do not lose this comment)
default_profile = "prod"   # the one I use

[profiles.prod]
base_url = "https://10.22.26.181:28443"
app_id = "my-ak"           # the AK

[keys]
request_token = "x"
"""


def test_a_theme_is_appended_as_a_ui_table_and_every_other_line_stays() -> None:
    new = with_theme(USER_FILE, "ansi-dark")
    assert new.startswith(USER_FILE)
    assert new[len(USER_FILE) :] == '\n[ui]\ntheme = "ansi-dark"\n'
    assert tomllib.loads(new)["ui"] == {"theme": "ansi-dark"}


def test_an_existing_theme_line_is_replaced_in_place_with_its_comment() -> None:
    text = USER_FILE.replace("[keys]", '[ui]\ntheme = "nord"   # picked in the TUI\n\n[keys]')
    new = with_theme(text, "ansi-light")
    assert new == text.replace('"nord"', '"ansi-light"')
    assert "# picked in the TUI" in new and "(do not lose this comment)" in new


def test_a_ui_table_without_a_theme_gets_one_under_its_header() -> None:
    text = "[ui]\r\n# nothing yet\r\n"
    assert with_theme(text, "gruvbox") == '[ui]\r\ntheme = "gruvbox"\r\n# nothing yet\r\n'
    assert with_theme("", "nord") == '[ui]\ntheme = "nord"\n'


@pytest.mark.parametrize(
    "text",
    [
        'ui = { theme = "nord" }\n',  # an inline table: not one this edit understands
        'ui.theme = "nord"\n',
    ],
)
def test_a_ui_it_cannot_edit_safely_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        with_theme(text, "ansi-dark")


def test_save_theme_keeps_the_files_mode_and_load_config_reads_it_back(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    path.chmod(0o600)
    save_theme(path, "ansi-dark")
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text(encoding="utf-8").startswith(USER_FILE)
    config = load_config(path, env={})
    assert config.ui.theme == "ansi-dark" and config.keys == {"request_token": ("x",)}
    assert read_ui_settings(path).theme == "ansi-dark"
    save_theme(path, "textual-light")  # again: the same line changes
    assert path.read_text(encoding="utf-8").count("theme =") == 1


def test_save_theme_creates_a_private_file_when_there_is_none(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "config.toml"
    save_theme(path, "nord")
    assert path.read_text(encoding="utf-8") == '[ui]\ntheme = "nord"\n'
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_config(path, env={}).ui.theme == "nord"


def test_save_theme_leaves_a_broken_file_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("default_profile = \n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        save_theme(path, "nord")
    assert str(path) in caught.value.message and 'theme = "nord"' in caught.value.hint
    assert path.read_text(encoding="utf-8") == "default_profile = \n"


def test_save_theme_edits_the_file_a_link_points_to(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "ccfs.toml"
    real.parent.mkdir()
    real.write_text(USER_FILE, encoding="utf-8")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    save_theme(link, "ansi-light")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert 'theme = "ansi-light"' in real.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ("[ui]\ntheme = 3\n", "ui.theme"),
        ('[ui]\ntheme = "x; rm -rf /"\n', "not a theme name"),
        ('[ui]\ncolour = "red"\n', "ui.colour: unknown key"),
    ],
)
def test_a_bad_ui_table_is_a_config_error_naming_the_key(
    tmp_path: Path, table: str, words: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(ConfigError, match=words):
        load_config(path, env={})
