"""Shared fixtures. Every test gets private config/state/cache/download folders."""

from __future__ import annotations

from pathlib import Path

import pytest

ENV_VARS = (
    "CCFS_BASE_URL",
    "CCFS_APP_ID",
    "CCFS_SECRET_KEY",
    "CCFS_CA_BUNDLE",
    "CCFS_PROFILE",
    "TMUX",
)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point platformdirs (XDG on Linux) at a per-test folder and clear CCFS_* variables."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_DOWNLOAD_DIR", "Downloads"),
    ):
        (home / sub).mkdir(parents=True)
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    return home
