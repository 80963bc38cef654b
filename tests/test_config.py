"""Profiles, environment overrides, SK sources and config errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ccfs_tui.core.config import (
    check_profile_ready,
    load_config,
    resolve_secret,
    select_profile,
)
from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.paths import app_paths

CONFIG = """
default_profile = "prod"

[profiles.prod]
base_url = "https://10.22.26.181:28443/"
app_id = "prod-ak"
secret_env = "PROD_SK"
ca_bundle = "~/ca.pem"
signed_headers = ["host"]
read_timeout = 12
download_dir = "~/rec"

[profiles.lab]
base_url = "http://127.0.0.1:8080"
app_id = "lab-ak"
secret_command = "printf lab-secret"
"""


def _write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_profiles_load_with_types_and_defaults(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, CONFIG), env={})
    prod = config.profile()
    assert prod.name == "prod" and prod.base_url == "https://10.22.26.181:28443"
    assert prod.signed_headers == ("host",)
    assert prod.read_timeout == 12.0 and prod.connect_timeout == 5.0
    assert prod.ca_bundle == Path.home() / "ca.pem"
    assert prod.download_dir == Path.home() / "rec"
    lab = config.profile("lab")
    assert resolve_secret(lab, env={}).reveal() == "lab-secret"


def test_environment_beats_the_file(tmp_path: Path) -> None:
    env = {
        "CCFS_PROFILE": "lab",
        "CCFS_BASE_URL": "https://cc-fs.example:9443",
        "CCFS_APP_ID": "env-ak",
        "CCFS_CA_BUNDLE": "/etc/ca.pem",
        "CCFS_SECRET_KEY": "env-sk",
    }
    config = load_config(_write(tmp_path, CONFIG), env=env)
    profile = select_profile(config, None, env)
    assert profile.name == "lab"
    assert (profile.base_url, profile.app_id) == ("https://cc-fs.example:9443", "env-ak")
    assert profile.ca_bundle == Path("/etc/ca.pem")
    assert resolve_secret(profile, env=env).reveal() == "env-sk"


def test_no_file_env_only_works_and_default_path_is_platformdirs() -> None:
    env = {"CCFS_BASE_URL": "http://127.0.0.1:1", "CCFS_APP_ID": "ak"}
    config = load_config(env=env)
    assert config.path == app_paths().config_file and not config.exists
    check_profile_ready(config.profile())


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("[profiles.p]\nverify = 'yes'\n", ["config.toml", "profiles.p.verify"]),
        ("[profiles.p]\nbase_url = 'ftp://x'\n", ["profiles.p.base_url", "https://"]),
        ("[profiles.p]\nsigned_headers = ['date']\n", ["profiles.p.signed_headers"]),
        ("[profiles.p]\nbase_ulr = 'http://x'\n", ["profiles.p.base_ulr", "unknown key"]),
        ("[profiles.p\n", ["config.toml", "not valid TOML", "line 1"]),
        ("colour = 1\n", ["config.toml", "'colour'"]),
    ],
)
def test_config_errors_name_the_file_and_the_key(tmp_path: Path, text: str, names: list) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text), env={})
    for name in names:
        assert name in str(info.value)


def test_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, CONFIG), env={})
    with pytest.raises(ConfigError, match=r"no profile named 'nope'.*lab, prod"):
        config.profile("nope")


def test_inline_secret_refused_when_file_is_shared(tmp_path: Path) -> None:
    text = "[profiles.p]\nbase_url='http://h:1'\napp_id='a'\nsecret_key='inline-sk'\n"
    path = _write(tmp_path, text, 0o644)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert f"chmod 600 {path}" in str(info.value)
    assert "inline-sk" not in str(info.value)
    os.chmod(path, 0o600)
    config = load_config(path, env={})
    assert resolve_secret(config.profile(), env={}, config=config).reveal() == "inline-sk"


def test_missing_secret_says_where_to_put_it(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, CONFIG), env={})
    with pytest.raises(ConfigError, match="PROD_SK"):
        resolve_secret(config.profile(), env={})
    asked: list[str] = []
    secret = resolve_secret(
        config.profile(), env={}, prompt=lambda text: asked.append(text) or "typed-sk"
    )
    assert secret.reveal() == "typed-sk" and "prod-ak" in asked[0]
    assert "typed-sk" not in repr(secret) and "typed-sk" not in f"{secret}"


def test_failing_secret_command_is_a_config_error(tmp_path: Path) -> None:
    text = "[profiles.p]\nbase_url='http://h:1'\napp_id='a'\nsecret_command='exit 3'\n"
    config = load_config(_write(tmp_path, text), env={})
    with pytest.raises(ConfigError, match="secret_command: exited 3"):
        resolve_secret(config.profile(), env={})


def test_profile_not_ready_explains(tmp_path: Path) -> None:
    config = load_config(env={})
    with pytest.raises(ConfigError, match="CCFS_BASE_URL"):
        check_profile_ready(config.profile())
