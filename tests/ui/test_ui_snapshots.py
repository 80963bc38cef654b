"""SVG snapshots (pytest-textual-snapshot) of the main and tokens screens, and the exported
``screenshots/*.svg``: deterministic (FakeClock, seed data, fixed tokens), never a secret.

Update with ``pytest tests/ui/test_ui_snapshots.py --snapshot-update`` and
``python tests/ui/make_screenshots.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scenes import SCENE_SK, TOKENS, main_scene, tokens_scene, write_scene_index

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture(scope="module")
def scene_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scene_index(tmp_path_factory.mktemp("scene"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_main_screen(snap_compare, scene_index: Path, tmp_path: Path, size) -> None:
    app, run_before = main_scene(scene_index, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_tokens_screen(snap_compare, scene_index: Path, tmp_path: Path) -> None:
    app, run_before = tokens_scene(scene_index, tmp_path)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


@pytest.mark.parametrize("name", ["main-80x24", "main-120x40", "tokens-120x40"])
def test_exported_screenshots_exist_and_hold_no_secret(name: str) -> None:
    svg = (SCREENSHOTS / f"{name}.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert SCENE_SK not in svg
    for token in TOKENS:
        assert token not in svg
    assert "DC45…6F90" in svg


def test_snapshots_hold_no_secret() -> None:
    folder = Path(__file__).parent / "__snapshots__"
    for svg in folder.rglob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        assert SCENE_SK not in text
        assert not any(token in text for token in TOKENS)
