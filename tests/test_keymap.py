"""The core's check of the ``[keys]`` table (no Textual: the defaults are passed in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccfs_tui.core.config import load_config
from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.keymap import DefaultKeys, parse_keys_table, resolve_keys

DEFAULTS = [
    DefaultKeys("request_token", ("main",), ("r",)),
    DefaultKeys("copy_url", ("main", "tokens"), ("c",)),
    DefaultKeys("remove_token", ("tokens",), ("x",)),
]


def test_keys_table_shape(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert parse_keys_table({"a": "x", "b": ["y", "ctrl+z"]}, path) == {
        "a": ("x",),
        "b": ("y", "ctrl+z"),
    }
    for bad in ({"a": 1}, {"a": []}, {"a": [""]}, {"a": "x,y"}, "x"):
        with pytest.raises(ConfigError) as caught:
            parse_keys_table(bad, path)
        assert str(path) in caught.value.message


def test_config_reads_the_keys_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\nrequest_token = "x"\ncopy_url = ["y", "c"]\n', encoding="utf-8")
    assert load_config(path, env={}).keys == {"request_token": ("x",), "copy_url": ("y", "c")}


def test_resolve_replaces_defaults_and_names_clashes(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    keys = resolve_keys({"request_token": ("x",)}, DEFAULTS, path)
    assert keys == {"request_token": ("x",), "copy_url": ("c",), "remove_token": ("x",)}
    with pytest.raises(ConfigError) as caught:
        resolve_keys({"remove_token": ("c",)}, DEFAULTS, path)
    message = caught.value.message
    assert str(path) in message and "'c'" in message
    assert "copy_url" in message and "remove_token" in message and "tokens screen" in message
    with pytest.raises(ConfigError, match="no action has this id"):
        resolve_keys({"nope": ("z",)}, DEFAULTS, path)
    # two spellings of one key clash once normalised
    with pytest.raises(ConfigError):
        resolve_keys({"request_token": ("C",)}, DEFAULTS, path, normalize=str.lower)
