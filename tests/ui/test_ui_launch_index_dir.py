"""``ccfs-tui`` with no path opens what ``ccfs-tui fetch`` saved (the profile's index_dir)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from ccfs_tui.core.paths import app_paths
from ccfs_tui.ui import launch
from ccfs_tui.ui.app import CcfsApp


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[CcfsApp]:
    apps: list[CcfsApp] = []

    def fake_run(self: CcfsApp, *args: Any, **kwargs: Any) -> None:
        apps.append(self)

    monkeypatch.setattr(CcfsApp, "run", fake_run)
    return apps


def test_no_path_opens_the_index_dir_once_it_holds_files(
    captured: list[CcfsApp], sample_index: Path
) -> None:
    index_dir = app_paths().index_dir
    index_dir.mkdir(parents=True)
    launch.run_tui([])
    assert captured[-1].index_paths == []  # an empty folder: the how-to-start screen
    shutil.copy(sample_index, index_dir / "20261120_abc_record_1.csv")
    launch.run_tui([])
    assert captured[-1].index_paths == [index_dir]


def test_index_path_still_wins(
    captured: list[CcfsApp], sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = app_paths().index_dir
    index_dir.mkdir(parents=True)
    (index_dir / "x.zip").write_bytes(b"PK")
    config = app_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[profiles.main]\nbase_url = "https://10.0.0.1:28443"\nindex_path = "{sample_index}"\n',
        encoding="utf-8",
    )
    launch.run_tui([])
    assert captured[-1].index_paths == [sample_index]
