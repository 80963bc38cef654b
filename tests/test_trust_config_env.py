"""Config files others can write are refused (as OpenSSH does), child processes never get
the SK in their environment, and a clock years away is one line (issue 14 B)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ccfs_tui.core.child_env import child_environment
from ccfs_tui.core.config import load_config, resolve_secret
from ccfs_tui.core.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
MARKER_SK = "marker-SK-must-not-reach-children-81f2"


def _config(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    os.chmod(path, mode)
    return path


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666, 0o660])
def test_config_writable_by_group_or_others_is_refused_before_anything_runs(
    tmp_path: Path, mode: int
) -> None:
    ran = tmp_path / "ran"
    text = f"[profiles.p]\nbase_url='http://h:1'\napp_id='a'\nsecret_command='touch {ran}'\n"
    path = _config(tmp_path, text, mode)
    with pytest.raises(ConfigError) as info:
        config = load_config(path, env={})
        resolve_secret(config.profile(), env={})
    assert f"chmod go-w {path}" in info.value.hint and "group or others can write" in str(
        info.value
    )
    assert not ran.exists()
    os.chmod(path, 0o644)  # readable by others is fine without a secret_key
    load_config(path, env={})


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give the file to another user")
def test_config_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    path = _config(tmp_path, "[profiles.p]\nbase_url='http://h:1'\n")
    os.chown(path, 65534, -1)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert "owned by another user (uid 65534)" in str(info.value)
    assert f"chown root {path}" in info.value.hint
    os.chown(path, 0, -1)  # root's own file, or a file root owns: accepted
    load_config(path, env={})


def test_cli_refuses_a_group_writable_config_in_one_line(tmp_path: Path, capsys) -> None:
    from ccfs_tui.cli import main
    from ccfs_tui.core.paths import app_paths

    path = app_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[profiles.p]\nbase_url='http://h:1'\napp_id='a'\nsecret_command='true'\n")
    os.chmod(path, 0o664)
    assert main(["token", "Y:/1/a.V3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "chmod go-w" in err and "Traceback" not in err


# --------------------------------------------------------------------------- child environments


def test_child_environment_drops_every_secret_variable(tmp_path: Path) -> None:
    path = _config(tmp_path, "[profiles.prod]\nsecret_env = 'PROD_SK_X'\n")
    load_config(path, env={})  # registers PROD_SK_X
    base = {"CCFS_SECRET_KEY": "a", "PROD_SK_X": "b", "PATH": "/bin", "HOME": "/h"}
    assert child_environment(base) == {"PATH": "/bin", "HOME": "/h"}
    assert child_environment(base, also_drop=("PATH",)) == {"HOME": "/h"}


def test_secret_command_does_not_inherit_the_sk(tmp_path: Path, monkeypatch) -> None:
    seen = tmp_path / "env.txt"
    text = (
        "[profiles.prod]\nsecret_env = 'PROD_SK_Y'\n"
        f"[profiles.lab]\nsecret_command = 'env > {seen}; printf lab-sk'\n"
        "secret_env = 'LAB_SK_Y'\n"
    )
    config = load_config(_config(tmp_path, text), env={})
    monkeypatch.setenv("PROD_SK_Y", MARKER_SK)
    monkeypatch.setenv("CCFS_SECRET_KEY", MARKER_SK + "-2")
    monkeypatch.setenv("UNRELATED_VAR", "kept")
    assert resolve_secret(config.profile("lab"), env={}).reveal() == "lab-sk"
    env = seen.read_text()
    assert MARKER_SK not in env and "UNRELATED_VAR=kept" in env


def test_player_does_not_inherit_the_sk(tmp_path: Path, monkeypatch) -> None:
    """The app's player (``p``) runs without the SK's variables in its environment."""
    from ccfs_tui.ui.player import Player

    monkeypatch.setenv("CCFS_SECRET_KEY", MARKER_SK)
    monkeypatch.setenv("UNRELATED_VAR", "kept")
    seen = tmp_path / "env.txt"
    player = Player(finder=lambda: ["/bin/sh", "-c", 'env > "$0"'])
    assert player.play(seen) == "sh"
    deadline = time.monotonic() + 10
    while player.playing and time.monotonic() < deadline:
        time.sleep(0.02)
    env = seen.read_text()
    assert MARKER_SK not in env and "UNRELATED_VAR=kept" in env


def test_load_helper_does_not_inherit_the_sk(monkeypatch) -> None:
    from ccfs_tui.core.recordings import load_helper

    monkeypatch.setenv("CCFS_SECRET_KEY", MARKER_SK)
    captured: dict[str, object] = {}

    def fake_popen(*args: object, **kwargs: object) -> object:
        captured.update(kwargs)
        raise OSError("not started in this test")

    monkeypatch.setattr(load_helper.subprocess, "Popen", fake_popen)
    assert load_helper.LoadHelper.start([], 1, 0, 1) is None
    env = captured["env"]
    assert isinstance(env, dict) and "CCFS_SECRET_KEY" not in env and "PYTHONPATH" in env


# --------------------------------------------------------------------------- clock

CLOCK_CLI = """
    import os, sys
    from datetime import UTC, datetime, timedelta
    from ccfs_tui.core import clock

    def far():
        return datetime.now(UTC) + timedelta(days=1_000_000)

    def edge():  # minutes before the last moment a datetime can hold
        return datetime(9999, 12, 31, 23, 50, tzinfo=UTC)

    chosen = far if os.environ["AHEAD_DAYS"] != "max" else edge
    clock.utc_now.__code__ = chosen.__code__  # every default clock of the core

    from ccfs_tui.emulator import Emulator  # its clock is the same, so it signs alike
    from ccfs_tui.cli import main

    with Emulator() as emu:
        ((ak, sk),) = emu.credentials.items()
        os.environ.update(CCFS_BASE_URL=emu.base_url, CCFS_APP_ID=ak,
                          CCFS_SECRET_KEY=sk.reveal())
        entry = next(iter(emu.catalogue))
        sys.exit(main(["token", entry.original_file_name]))
"""


@pytest.mark.parametrize("ahead", ["1000000", "max"])
def test_a_clock_far_ahead_is_one_line_never_a_traceback(tmp_path: Path, ahead: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CLOCK_CLI)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **os.environ,
            "PYTHONPATH": str(REPO),
            "AHEAD_DAYS": ahead,
            "XDG_STATE_HOME": str(tmp_path / "state"),
        },
    )
    assert "Traceback" not in done.stderr
    if ahead == "max":
        assert done.returncode == 1 and done.stderr.count("\n") == 1
        assert "clock reads 9999-12-31 23:50:00Z" in done.stderr
    else:
        assert done.returncode == 0 and done.stdout.strip()
