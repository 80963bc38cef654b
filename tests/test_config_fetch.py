"""Profile settings of ``ccfs-tui fetch``: callback_*, index_dir; env beats the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccfs_tui.core.callback_settings import DEFAULT_REPLY
from ccfs_tui.core.config import load_config, select_profile
from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.paths import app_paths


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[profiles.p]\nbase_url = "https://10.0.0.1:28443"\n{body}', encoding="utf-8")
    return path


def test_defaults_index_dir_in_the_data_dir_listed_by_locate(tmp_path: Path) -> None:
    profile = load_config(write(tmp_path, ""), env={}).profile()
    assert profile.index_dir == app_paths().index_dir
    assert str(profile.index_dir).startswith(str(tmp_path / "home" / "data"))
    assert ("index dir", app_paths().index_dir) in app_paths().as_rows()
    assert (profile.callback_url, profile.callback_listen) == ("", "")
    assert profile.callback_reply == DEFAULT_REPLY and profile.callback_wait == 900


def test_file_values_and_env_overrides(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'callback_url = "https://10.1.2.3:8443/cb"\ncallback_listen = "0.0.0.0:8443"\n'
        'callback_cert = "~/c.pem"\ncallback_key = "~/k.pem"\nindex_dir = "~/idx"\n'
        'callback_wait = 60\ncallback_reply = \'{"resultCode":"0"}\'\n',
    )
    profile = load_config(path, env={}).profile()
    home = Path.home()
    assert profile.callback_url == "https://10.1.2.3:8443/cb"
    assert profile.callback_listen == "0.0.0.0:8443"
    assert (profile.callback_cert, profile.callback_key) == (home / "c.pem", home / "k.pem")
    assert profile.index_dir == home / "idx"
    assert (profile.callback_wait, profile.callback_reply) == (60.0, '{"resultCode":"0"}')
    env = {
        "CCFS_CALLBACK_URL": "http://[::1]:9/x",
        "CCFS_CALLBACK_LISTEN": "[::1]:9",
        "CCFS_INDEX_DIR": "/srv/idx",
        "CCFS_CALLBACK_CERT": "/c2.pem",
        "CCFS_CALLBACK_KEY": "/k2.pem",
    }
    profile = select_profile(load_config(path, env=env), None, env)
    assert (profile.callback_url, profile.callback_listen) == ("http://[::1]:9/x", "[::1]:9")
    assert profile.index_dir == Path("/srv/idx")
    assert (profile.callback_cert, profile.callback_key) == (Path("/c2.pem"), Path("/k2.pem"))


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('callback_url = "ftp://x/y"', "profiles.p.callback_url"),
        ('callback_listen = "8089"', "profiles.p.callback_listen"),
        ('callback_reply = " "', "profiles.p.callback_reply"),
        ("callback_wait = 0", "profiles.p.callback_wait"),
        ("index_dir = 3", "profiles.p.index_dir: wrong type"),
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path: Path, line: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        load_config(write(tmp_path, line + "\n"), env={})


def test_bad_env_values_name_the_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    with pytest.raises(ConfigError, match="CCFS_CALLBACK_LISTEN"):
        load_config(path, env={"CCFS_CALLBACK_LISTEN": "nope"})
    with pytest.raises(ConfigError, match="CCFS_CALLBACK_URL"):
        load_config(path, env={"CCFS_CALLBACK_URL": "10.1.2.3:8089"})
