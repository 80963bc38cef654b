"""``ccfs-tui fetch`` and ``download --call-id`` end to end against the emulator on loopback:
query -> signed callback (verified) -> downloadBillFile; forged and missing callbacks; a
7-day range; TLS both ways; a call with several recordings; 0300012."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import pytest

from ccfs_tui.cli import main
from ccfs_tui.core.cdr import read_cdrs
from ccfs_tui.core.index import read_recordings

LOOPBACK = "127.0.0.1:0"


@pytest.fixture
def fast_callbacks(cli_env):  # -> Emulator
    cli_env.callbacks.first_delay = 0.0
    cli_env.callbacks.retry_interval = 0.1
    return cli_env


def fetch(*args: str) -> list[str]:
    return ["fetch", "--callback-listen", LOOPBACK, *args]


def test_fetch_saves_the_zip_and_prints_its_path(
    fast_callbacks, tmp_path: Path, capsys: pytest.CaptureFixture[str], emulator_recordings
) -> None:
    out = tmp_path / "idx"
    code = main(fetch("--from", "2026-11-20", "--to", "2026-11-22", "-o", str(out)))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    (line,) = captured.out.splitlines()
    path = Path(line)
    assert path.parent == out and re.fullmatch(r"\d{8}_[0-9a-f]{32}\.zip", path.name)
    assert sorted(p.name for p in out.iterdir()) == [path.name]  # no partial file left
    members = zipfile.ZipFile(path).namelist()
    assert any("_record_" in m for m in members) and any("_call_" in m for m in members)
    recordings, problems = read_recordings([path])
    assert problems == []
    assert {r.call_id for r in recordings} == {r.call_id for r in emulator_recordings}
    cdrs = read_cdrs([path])
    assert cdrs.problems == []
    some = recordings[0]
    assert cdrs.legs_of(some.call_id), "every recording's call has CDR legs"
    (attempt,) = fast_callbacks.callbacks.attempts
    assert attempt.status == 200 and attempt.delivered


def test_a_seven_day_range_is_three_windows(
    fast_callbacks, tmp_path: Path, capsys: pytest.CaptureFixture[str], emulator_recordings
) -> None:
    code = main(
        fetch(
            "--from",
            "2026-11-17",
            "--to",
            "2026-11-23",
            "--type",
            "record",
            "-o",
            str(tmp_path / "i"),
        )
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    paths = [Path(p) for p in captured.out.splitlines()]
    assert len(paths) == 3 and len(set(paths)) == 3
    assert "window 3/3 (2026-11-23 00:00:00 .. 2026-11-23 23:59:59)" in captured.err
    seen = [r.call_id for r in read_recordings(paths)[0]]
    assert sorted(seen) == sorted(r.call_id for r in emulator_recordings)  # none twice


def test_filters_reach_the_query(
    fast_callbacks, tmp_path: Path, capsys, emulator_recordings
) -> None:
    agent = emulator_recordings[0].agent_id
    code = main(
        fetch("--from", "2026-11-20", "--to", "2026-11-22", "--agent", agent, "-o", str(tmp_path))
    )
    out = capsys.readouterr().out
    assert code == 0
    agents = {r.agent_id for r in read_recordings([Path(out.strip())])[0]}
    assert agents == {agent}


def test_a_forged_callback_is_refused_and_the_wait_ends_with_the_command(
    fast_callbacks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fast_callbacks.callbacks.forge_signature = True
    out = tmp_path / "idx"
    code = main(fetch("--from", "2026-11-20", "--to", "2026-11-21", "--wait", "3", "-o", str(out)))
    captured = capsys.readouterr()
    assert code == 4
    assert captured.out == ""
    assert not out.exists() or list(out.iterdir()) == []
    error = captured.err.strip().splitlines()[-1]
    match = re.search(r"responseId ([0-9a-f]{32}) .*?(ccfs-tui fetch --bill (\S+) -o (\S+))", error)
    assert match, error
    answers = {a.status for a in fast_callbacks.callbacks.of(match[1]) if a.status is not None}
    assert answers == {401}  # never accepted
    assert "refused a callback" in captured.err
    # the command of the message gets the file later
    fast_callbacks.callbacks.forge_signature = False
    assert main(match[2].split()[1:]) == 0
    assert capsys.readouterr().out.strip() == str(out / match[3])


def test_no_callback_within_wait_gives_the_bill_command(
    fast_callbacks, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fast_callbacks.callbacks.never_send = True
    code = main(fetch("--from", "2026-11-20", "--to", "2026-11-21", "--wait", "0.3"))
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert code == 4
    assert re.search(r"No verified callback for responseId [0-9a-f]{32} within 0\.3 s", err), err
    name = re.search(r"ccfs-tui fetch --bill (\d{8}_[0-9a-f]{32}\.zip)", err)
    assert name, err
    assert main(["fetch", "--bill", name[1]]) == 0
    saved = Path(capsys.readouterr().out.strip())
    from ccfs_tui.core.paths import app_paths

    assert saved == app_paths().index_dir / name[1] and saved.stat().st_size > 0


def test_tls_both_ways(tls_emulator, tmp_path: Path, monkeypatch, capsys) -> None:
    from ccfs_tui.emulator.tls import make_certificate

    pair = make_certificate(tmp_path / "receiver")
    ((app_id, secret),) = tls_emulator.credentials.items()
    for var, value in {
        "CCFS_BASE_URL": tls_emulator.base_url,
        "CCFS_APP_ID": app_id,
        "CCFS_SECRET_KEY": secret.reveal(),
        "CCFS_CA_BUNDLE": str(tls_emulator.ca_bundle),
        "CCFS_CALLBACK_CERT": str(pair.cert),
        "CCFS_CALLBACK_KEY": str(pair.key),
        "CCFS_CALLBACK_LISTEN": LOOPBACK,
    }.items():
        monkeypatch.setenv(var, value)
    tls_emulator.callbacks.first_delay = 0.0
    tls_emulator.callbacks.retry_interval = 0.1
    tls_emulator.callbacks.ca_bundle = pair.cert  # CC-FS checks the receiver's certificate
    code = main(["fetch", "--from", "2026-11-20", "--to", "2026-11-20", "-o", str(tmp_path / "i")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "https://127.0.0.1:" in captured.err
    assert zipfile.is_zipfile(captured.out.strip())
    assert all(a.url.startswith("https://") for a in tls_emulator.callbacks.attempts)


def test_usage_errors_are_one_line(cli_env, capsys) -> None:
    for args, words in (
        (["--from", "2026-11-20"], "needs --from and --to"),
        (["--from", "2026-11-22", "--to", "2026-11-20"], "is before --from"),
        (["--from", "20261120", "--to", "2026-11-22"], "YYYY-MM-DD"),
    ):
        with pytest.raises(SystemExit) as usage:  # argparse style: one line, exit 2
            main(["fetch", *args])
        assert usage.value.code == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert words in line
    # no callback_url and a receiver on every address: which address CC-FS reaches is unknown
    listen_all = ["--callback-listen", "0.0.0.0:0"]
    assert main(["fetch", "--from", "2026-11-20", "--to", "2026-11-20", *listen_all]) == 2
    assert "callback_url" in capsys.readouterr().err


# ---- download --call-id ---------------------------------------------------------------


@pytest.fixture
def multi_call_env(emulator_recordings, monkeypatch):  # -> Iterator[tuple[Emulator, str]]
    """An emulator whose first call has two recordings (a transfer)."""
    from tests.conftest import EMULATOR_AK, EMULATOR_SK, _start_emulator

    first, second, *rest = emulator_recordings
    twin = dataclasses.replace(second, call_id=first.call_id, cc_id=first.cc_id)
    emu = _start_emulator([first, twin, *rest])
    monkeypatch.setenv("CCFS_BASE_URL", emu.base_url)
    monkeypatch.setenv("CCFS_APP_ID", EMULATOR_AK)
    monkeypatch.setenv("CCFS_SECRET_KEY", EMULATOR_SK)
    try:
        yield emu, first.call_id, rest[0].call_id
    finally:
        emu.stop()


def test_download_by_call_id_one_wav_or_a_folder_of_them(
    multi_call_env, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, multi, single = multi_call_env
    assert main(["download", "--call-id", single, "-o", str(tmp_path / "one.wav")]) == 0
    assert capsys.readouterr().out.splitlines() == [str(tmp_path / "one.wav")]
    assert (tmp_path / "one.wav").read_bytes()[:4] == b"RIFF"

    assert main(["download", "--call-id", multi, "-o", str(tmp_path / "many")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert all(
        Path(p).parent == tmp_path / "many" and Path(p).read_bytes()[:4] == b"RIFF" for p in lines
    )
    # again without --force: nothing replaced
    assert main(["download", "--call-id", multi, "-o", str(tmp_path / "many")]) != 0
    assert "already exists" in capsys.readouterr().err
    # default names in the download folder
    assert main(["download", "--call-id", single]) == 0
    from ccfs_tui.core.paths import app_paths

    safe = re.sub(r"[^A-Za-z0-9._-]", "_", single)
    assert capsys.readouterr().out.strip() == str(app_paths().download_dir / f"{safe}.wav")


def test_download_by_unknown_call_id_says_it_may_come_later(multi_call_env, capsys) -> None:
    assert main(["download", "--call-id", "9999999999-123"]) == 6
    (line,) = capsys.readouterr().err.splitlines()
    assert "No recording was found for call id 9999999999-123" in line
    assert "can take a while to appear" in line


def test_download_usage_errors(cli_env, capsys) -> None:
    for args in (["--cc-id", "2"], ["--call-id", "c1", "--record"], ["--call-id", "c1", "-o", "-"]):
        with pytest.raises(SystemExit) as usage:
            main(["download", *args])
        assert usage.value.code == 2
        assert len(capsys.readouterr().err.splitlines()) == 1


def test_open_launches_the_tui_on_the_saved_zips(
    fast_callbacks, tmp_path: Path, capsys, monkeypatch
) -> None:
    from ccfs_tui.ui import launch

    opened: list[list[Path]] = []
    monkeypatch.setattr(launch, "run_tui", lambda paths, **kw: opened.append(list(paths)) or 0)
    code = main(fetch("--from", "2026-11-20", "--to", "2026-11-20", "--open", "-o", str(tmp_path)))
    assert code == 0
    assert opened == [[Path(capsys.readouterr().out.strip())]]
