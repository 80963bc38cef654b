"""Export the README screenshots: ``python tests/ui/make_screenshots.py`` (from the repo root).

Writes ``screenshots/main-80x24.svg``, ``main-120x40.svg`` and ``tokens-120x40.svg`` from the
same deterministic scenes as the snapshot tests (``scenes.py``).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scenes import main_scene, tokens_scene, write_scene_index  # noqa: E402

OUT = HERE.parents[1] / "screenshots"
SHOTS = (
    ("main-80x24", main_scene, (80, 24)),
    ("main-120x40", main_scene, (120, 40)),
    ("tokens-120x40", tokens_scene, (120, 40)),
)


async def export(name: str, scene, size: tuple[int, int], index: Path, work: Path) -> Path:
    """Run one scene headless and save its SVG."""
    app, run_before = scene(index, work)
    async with app.run_test(size=size) as pilot:
        await run_before(pilot)
        await pilot.pause(0.2)
        svg = app.export_screenshot(title=f"ccfs-tui {size[0]}x{size[1]}")
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.svg"
    path.write_text(svg, encoding="utf-8")
    return path


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        index = write_scene_index(work / "scene")
        for name, scene, size in SHOTS:
            print(await export(name, scene, size, index, work))


if __name__ == "__main__":
    asyncio.run(main())
