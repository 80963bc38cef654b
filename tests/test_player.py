"""The app's one player: it plays one file at a time, stops (even a player that ignores
SIGTERM), and its environment holds no SK."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from ccfs_tui.core.child_env import register_secret_variable
from ccfs_tui.ui.player import Player, where_it_plays

SAFETY_SECONDS = 30  # only so that a broken build fails instead of hanging


def _fake_player(script: str) -> list[str]:
    """A "player": a shell running ``script`` with the file as ``$0``."""
    return ["/bin/sh", "-c", script]


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + SAFETY_SECONDS
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def audio(tmp_path: Path) -> Path:
    path = tmp_path / "call.wav"
    path.write_bytes(b"RIFF")
    return path


def test_play_then_stop(audio: Path) -> None:
    player = Player(finder=lambda: _fake_player('echo $$ > "$0.pid"; exec sleep 300'))
    assert not player.playing
    assert player.play(audio) == "sh"
    assert player.playing and player.path == audio
    _wait_for(Path(f"{audio}.pid"))
    pid = int(Path(f"{audio}.pid").read_text())
    assert player.stop() is True
    assert not player.playing
    assert not _alive(pid)
    assert player.stop() is False  # nothing left to stop


def test_playing_again_stops_the_first_player(audio: Path, tmp_path: Path) -> None:
    player = Player(finder=lambda: _fake_player('echo $$ > "$0.pid"; exec sleep 300'))
    player.play(audio)
    _wait_for(Path(f"{audio}.pid"))
    first = int(Path(f"{audio}.pid").read_text())
    other = tmp_path / "other.wav"
    player.play(other)
    try:
        assert not _alive(first)
        assert player.playing and player.path == other
    finally:
        player.stop()


def test_a_player_that_ignores_sigterm_is_killed_with_its_children(audio: Path) -> None:
    script = 'trap "" TERM; sleep 300 & echo $! > "$0.pid"; wait'
    player = Player(finder=lambda: _fake_player(script))
    player.play(audio)
    _wait_for(Path(f"{audio}.pid"))
    child = int(Path(f"{audio}.pid").read_text())
    assert player.stop() is True
    deadline = time.monotonic() + SAFETY_SECONDS
    while _alive(child):  # killed with its group; init reaps it
        assert time.monotonic() < deadline, "the player's child survived stop()"
        time.sleep(0.02)


def test_a_player_that_ended_by_itself_is_not_playing(audio: Path) -> None:
    player = Player(finder=lambda: [sys.executable, "-c", "pass"])
    player.play(audio)
    assert player._process is not None
    player._process.wait(timeout=SAFETY_SECONDS)
    assert not player.playing
    assert player.stop() is False


def test_no_player_installed(audio: Path) -> None:
    player = Player(finder=lambda: None)
    assert player.play(audio) is None
    assert not player.playing


def test_the_players_environment_holds_no_secret(
    audio: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCFS_SECRET_KEY", "sk-marker-1")
    monkeypatch.setenv("PROD_SK_FOR_PLAYER_TEST", "sk-marker-2")
    monkeypatch.setenv("UNRELATED_VAR", "kept")
    register_secret_variable("PROD_SK_FOR_PLAYER_TEST")
    player = Player(finder=lambda: _fake_player('env > "$0.env.tmp"; mv "$0.env.tmp" "$0.env"'))
    player.play(audio)
    _wait_for(Path(f"{audio}.env"))
    env = Path(f"{audio}.env").read_text()
    player.stop()
    assert "sk-marker" not in env
    assert "UNRELATED_VAR=kept" in env


def test_where_it_plays() -> None:
    assert where_it_plays({}).startswith("on this machine (")
    over_ssh = where_it_plays({"SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22"}, listen_key="L")
    assert "SSH" in over_ssh and "press L" in over_ssh
