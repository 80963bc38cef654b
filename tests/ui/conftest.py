"""Fixtures of the UI tests: a fixed sample index, the real emulator on loopback, a FakeClock.

Every app here runs with ``tick=False`` (tests call ``app.tick()`` after moving the clock),
no real audio player, and an empty environment (no ``$TMUX``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_support import (
    AK,
    SAMPLE_FIRST_DAY,
    SAMPLE_ROWS,
    SK,
    START,
    AppFactory,
    make_profile,
    start_emulator,
)

from ccfs_tui.core.clock import FakeClock
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.session import Session
from ccfs_tui.core.tokens import TokenStore
from ccfs_tui.emulator import Catalogue, Emulator
from ccfs_tui.emulator.sample_index import write_sample
from ccfs_tui.ui.app import CcfsApp


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Catalogue]:
    """A 3,000-row index over 3 days (seed 11) and the emulator catalogue of the same rows."""
    folder = tmp_path_factory.mktemp("ui-sample")
    path = folder / "sample_record.csv"
    catalogue = write_sample(path, SAMPLE_ROWS, app_id=AK, seed=11, start=SAMPLE_FIRST_DAY, days=3)
    return path, catalogue


@pytest.fixture
def sample_index(sample: tuple[Path, Catalogue]) -> Path:
    """The sample index file."""
    return sample[0]


@pytest.fixture
def clock() -> FakeClock:
    """The clock shared by the app, its client and the emulator."""
    return FakeClock(START)


@pytest.fixture
def emu(sample: tuple[Path, Catalogue], clock: FakeClock) -> Iterator[Emulator]:
    """Plain-HTTP emulator."""
    server = start_emulator(sample[1], clock)
    try:
        yield server
    finally:
        server.stop()


SESSION_OPTIONS = ("profile", "config", "secret", "tokens", "audit", "clock", "insecure")
"""The keyword arguments of ``make_app`` that go to the app's Session; the rest to the app."""


@pytest.fixture
def make_app(emu: Emulator, sample_index: Path, clock: FakeClock, tmp_path: Path) -> AppFactory:
    """Build an app (and its Session) against the emulator; keyword arguments override the
    defaults: the Session's (``profile``, ``profile_changes``, ``config``, ``secret``,
    ``tokens``, ``audit``, ``clock``, ``insecure``), else the app's."""

    def build(**overrides: Any) -> CcfsApp:
        profile = overrides.pop("profile", None) or make_profile(
            emu.base_url, tmp_path, **overrides.pop("profile_changes", {})
        )
        session_options: dict[str, Any] = {
            "profile": profile,
            "secret": Secret(SK),
            "tokens": TokenStore(tmp_path / "tokens.json", clock),
            "clock": clock,
        }
        options: dict[str, Any] = {
            "index_paths": [sample_index],
            "tick": False,
            "player_finder": lambda: None,
            "environ": {},
        }
        for name, value in overrides.items():
            (session_options if name in SESSION_OPTIONS else options)[name] = value
        return CcfsApp(Session(**session_options), **options)

    return build
