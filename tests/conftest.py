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
    "CCFS_MAX_DOWNLOAD_MB",
    "CCFS_LISTEN_BIND",
    "CCFS_LISTEN_PORT",
    "CCFS_CALLBACK_LISTEN",
    "CCFS_CALLBACK_URL",
    "CCFS_CALLBACK_CERT",
    "CCFS_CALLBACK_KEY",
    "CCFS_INDEX_DIR",
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


# ---- CC-FS emulator fixtures (used by tests/test_emulator*.py; free for any test) ----------

EMULATOR_AK = "demo-ak"
EMULATOR_SK = "demo-sk-0123456789"


@pytest.fixture
def emulator_recordings() -> list:  # list[Recording]
    """40 generated recordings (unique call ids) over 3 days, developer ``demo-ak``."""
    from datetime import date

    from ccfs_tui.emulator.sample_index import generate_recordings

    return list(
        generate_recordings(40, seed=7, start=date(2026, 11, 20), days=3, app_id=EMULATOR_AK)
    )


@pytest.fixture
def emulator_index(tmp_path: Path, emulator_recordings: list) -> Path:
    """The recordings of the ``emulator`` fixture written as an index CSV (header, CRLF)."""
    from ccfs_tui.emulator.sample_index import write_index

    path = tmp_path / "emulator-index.csv"
    write_index(path, emulator_recordings)
    return path


def _start_emulator(recordings: list, **options: object):  # -> Emulator
    from ccfs_tui.core.secret import Secret
    from ccfs_tui.emulator import Catalogue, Emulator

    return Emulator(
        credentials={EMULATOR_AK: Secret(EMULATOR_SK)},
        catalogue=Catalogue.from_recordings(recordings, EMULATOR_AK),
        **options,  # type: ignore[arg-type]
    ).start()


@pytest.fixture
def emulator(emulator_recordings: list):  # -> Iterator[Emulator]
    """A started plain-HTTP emulator serving ``emulator_recordings`` to demo-ak."""
    emu = _start_emulator(emulator_recordings)
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def cli_env(emulator, monkeypatch: pytest.MonkeyPatch):  # -> Emulator
    """The CLI's environment pointed at ``emulator`` with its AK/SK (no config file)."""
    ((app_id, secret),) = emulator.credentials.items()
    monkeypatch.setenv("CCFS_BASE_URL", emulator.base_url)
    monkeypatch.setenv("CCFS_APP_ID", app_id)
    monkeypatch.setenv("CCFS_SECRET_KEY", secret.reveal())
    return emulator


@pytest.fixture
def tls_emulator(emulator_recordings: list, tmp_path: Path):  # -> Iterator[Emulator]
    """Like ``emulator`` over HTTPS; ``tls_emulator.ca_bundle`` is the certificate to trust."""
    emu = _start_emulator(emulator_recordings, tls=True, cert_dir=tmp_path / "emulator-tls")
    try:
        yield emu
    finally:
        emu.stop()
