"""The scripting CLI end to end against the emulator on loopback."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ccfs_tui.cli import main
from ccfs_tui.core.paths import app_paths


@pytest.fixture
def env_for(monkeypatch: pytest.MonkeyPatch):  # -> Callable[[Emulator, str], None]
    def point_at(emu, sk: str | None = None) -> None:
        ((app_id, secret),) = emu.credentials.items()
        monkeypatch.setenv("CCFS_BASE_URL", emu.base_url)
        monkeypatch.setenv("CCFS_APP_ID", app_id)
        monkeypatch.setenv("CCFS_SECRET_KEY", sk or secret.reveal())

    return point_at


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_token_prints_token_stores_it_privately_and_audits(
    emulator, emulator_recordings, env_for, capsys
) -> None:
    env_for(emulator)
    rec = emulator_recordings[0]
    code, out, err = _run(capsys, "token", rec.original_file_name)
    assert code == 0 and err == ""
    token = out.strip()
    assert len(token) >= 16 and "\n" not in token
    store = app_paths().token_store
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert json.loads(store.read_text())["tokens"][0]["file_name"] == rec.play_file_name
    audit = app_paths().audit_log.read_text()
    secret = next(iter(emulator.credentials.values())).reveal()
    assert "requestPlayVoice" in audit and token not in audit and secret not in audit


def test_token_json(emulator, emulator_recordings, env_for, capsys) -> None:
    env_for(emulator)
    code, out, _ = _run(capsys, "token", "--json", emulator_recordings[1].play_file_name)
    data = json.loads(out)
    assert code == 0 and set(data) == {"token", "file_name", "issued_at", "expires_at"}
    assert data["file_name"] == emulator_recordings[1].play_file_name


def test_url_plays(emulator, emulator_recordings, env_for, capsys) -> None:
    env_for(emulator)
    code, out, _ = _run(capsys, "url", emulator_recordings[2].original_file_name)
    url = out.strip()
    assert code == 0 and url.startswith(f"{emulator.base_url}/CCFS/resource/ccfs/playVoice?t=")
    assert httpx.get(url).content[:4] == b"RIFF"


def test_download_both_ways(emulator, emulator_recordings, env_for, capsys, tmp_path) -> None:
    env_for(emulator)
    rec = emulator_recordings[3]
    code, out, _ = _run(capsys, "download", rec.original_file_name, "-o", str(tmp_path / "a.wav"))
    assert code == 0 and out.strip() == str(tmp_path / "a.wav")
    assert (tmp_path / "a.wav").read_bytes()[:4] == b"RIFF"
    code, out, _ = _run(capsys, "download", "--record", rec.file_name)
    assert code == 0 and Path(out.strip()).parent == app_paths().download_dir
    assert Path(out.strip()).read_bytes()[:4] == b"RIFF"


def test_wrong_secret_one_line_exit_3(emulator, emulator_recordings, env_for, capsys) -> None:
    env_for(emulator, sk="not-the-sk-XYZ")
    code, out, err = _run(capsys, "token", emulator_recordings[0].original_file_name)
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and "401" in err and "local UTC time" in err
    assert "not-the-sk-XYZ" not in err and "Traceback" not in err


def test_unknown_file_exit_6(emulator, env_for, capsys) -> None:
    env_for(emulator)
    code, _, err = _run(capsys, "url", "Y:/nope/x.V3")
    assert code == 6 and err.startswith("ccfs-tui: CC-FS answered resultCode")


def test_no_configuration_exit_2(capsys) -> None:
    code, _, err = _run(capsys, "token", "Y:/a.V3")
    assert code == 2 and "no base_url" in err and err.count("\n") == 1


def test_tls_needs_ca_bundle_or_insecure(tls_emulator, emulator_recordings, env_for, capsys):
    env_for(tls_emulator)
    name = emulator_recordings[0].original_file_name
    code, _, err = _run(capsys, "token", name)
    assert code == 4 and "CCFS_CA_BUNDLE" in err
    os.environ["CCFS_CA_BUNDLE"] = str(tls_emulator.ca_bundle)
    code, out, err = _run(capsys, "token", name)
    assert code == 0 and out.strip() and err == ""
    del os.environ["CCFS_CA_BUNDLE"]
    code, out, err = _run(capsys, "token", "--insecure", name)
    assert code == 0 and "WARNING: TLS verification is OFF" in err


def test_bad_arguments_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["download"])
    assert info.value.code == 2
    assert "FILE_NAME" in capsys.readouterr().err


def test_locate_prints_every_path(capsys) -> None:
    code, out, _ = _run(capsys, "locate")
    paths = app_paths()
    for path in (paths.config_file, paths.token_store, paths.audit_log, paths.download_dir):
        assert str(path) in out
    assert code == 0


def test_audit_lists_recent_actions(emulator, emulator_recordings, env_for, capsys) -> None:
    env_for(emulator)
    _run(capsys, "token", emulator_recordings[0].original_file_name)
    env_for(emulator, sk="bad")
    _run(capsys, "token", emulator_recordings[0].original_file_name)
    code, out, _ = _run(capsys, "audit")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 2  # newest first, as in the TUI
    assert " auth " in lines[0] and " ok [0] token#" in lines[1]


def test_version_subprocess_is_fast_enough_to_script() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ccfs_tui", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("ccfs-tui ")


def test_standalone_emulator_serves_the_cli(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCFS_")}
    index = tmp_path / "idx.csv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccfs_tui", "emulator", "--recordings", "20", "--index", str(index)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        printed: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = proc.stdout.readline() if proc.stdout else ""
            printed.append(line)
            if "CCFS_SECRET_KEY=" in line:
                break
        exports = dict(
            line.strip().removeprefix("export ").split("=", 1)
            for line in printed
            if line.strip().startswith("export CCFS_")
        )
        assert {"CCFS_BASE_URL", "CCFS_APP_ID", "CCFS_SECRET_KEY"} <= set(exports)
        first = index.read_text(encoding="utf-8").splitlines()[1].split(",")[12]
        env.update({k: v.strip("'\"") for k, v in exports.items()})
        done = subprocess.run(
            [sys.executable, "-m", "ccfs_tui", "token", first],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
