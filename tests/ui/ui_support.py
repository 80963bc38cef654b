"""Constants and Pilot helpers shared by the UI tests (fixtures are in conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ccfs_tui.core.clock import FakeClock
from ccfs_tui.core.config import Profile
from ccfs_tui.core.secret import Secret
from ccfs_tui.emulator import Catalogue, Emulator

if TYPE_CHECKING:
    from ccfs_tui.ui.app import CcfsApp

AK = "ui-test-ak"
SK = "ui-test-sk-do-not-show-0123456789"
START = datetime(2026, 10, 3, 8, 0, 0, tzinfo=UTC)
SAMPLE_ROWS = 3_000
SAMPLE_FIRST_DAY = date(2026, 10, 1)

AppFactory = Callable[..., "CcfsApp"]


def start_emulator(catalogue: Catalogue, clock: FakeClock, **options: Any) -> Emulator:
    """A real emulator on a free loopback port that knows AK/SK and the sample."""
    return Emulator(
        credentials={AK: Secret(SK)}, catalogue=catalogue, clock=clock, **options
    ).start()


def make_profile(base_url: str, tmp_path: Path, **changes: Any) -> Profile:
    """A test profile: short timeouts, no flow-control retries, downloads in tmp."""
    values: dict[str, Any] = {
        "name": "test",
        "base_url": base_url,
        "app_id": AK,
        "secret_env": "UI_TEST_NO_SUCH_VAR",
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "download_dir": tmp_path / "downloads",
        "flow_control_retries": 0,
        "retry_backoff": 0.01,
    }
    values.update(changes)
    return Profile(**values)


async def wait_for(pilot: Any, condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Let the app run until ``condition()`` is true (fails the test after ``timeout``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await pilot.pause(0.02)


async def loaded(pilot: Any) -> None:
    """Wait until the index is loaded and the tree drawn."""
    app = pilot.app
    await wait_for(pilot, lambda: not app.main_screen.browser.index_loading and len(app.store) > 0)
    await pilot.pause()


async def select_first_recording(pilot: Any) -> None:
    """Filter on nothing, jump to the first recording (Enter in the filter)."""
    await loaded(pilot)
    app = pilot.app
    await pilot.press("slash", "enter")
    await wait_for(pilot, lambda: app.main_screen.selected_row is not None)
    await pilot.pause()
