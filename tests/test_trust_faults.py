"""Faults survived, end to end: the CLI against every emulator fault mode, the client's
download retries and audit text, and a server that answers after 30 s with the real
default timeouts (the TUI and the CLI at the same time).

Client-level fault tests live in test_client.py, UI ones in ui/test_ui_request.py and
ui/test_ui_trust.py; this file adds what a script user sees: one line, an exit code, and
no file left behind.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ccfs_tui.cli import main
from ccfs_tui.core.audit import AuditLog
from ccfs_tui.core.client import CcfsClient
from ccfs_tui.core.clock import FakeClock, utc_now
from ccfs_tui.core.config import Profile
from ccfs_tui.core.errors import CcfsError, CcfsFlowControlError
from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.tokens import Token
from ccfs_tui.emulator import Catalogue, Emulator

AK = "demo-ak"  # the conftest emulator's credentials
SK = "demo-sk-0123456789"


def write_config(base_url: str, **settings: Any) -> Path:
    """A config.toml in the test's own config folder: one profile, fast retries."""
    values = {"base_url": base_url, "app_id": AK, "retry_backoff": 0.01, **settings}
    body = "\n".join(
        f"{key} = {value!r}" if not isinstance(value, str) else f'{key} = "{value}"'
        for key, value in values.items()
    )
    path = app_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"[profiles.main]\n{body}\n", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("ccfs-tui: "), err
    assert "Traceback" not in err and SK not in err
    return err


def downloads_left() -> list[Path]:
    folder = app_paths().download_dir
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCFS_SECRET_KEY", SK)


# --------------------------------------------------------------------------- CLI faults


@pytest.mark.parametrize(
    ("fault", "settings", "code", "text"),
    [
        ({"latency": 2}, {"read_timeout": 0.3}, 4, "did not answer within 0.3 s"),
        ({"status": 503}, {}, 5, "HTTP 503"),
        ({"status": 502}, {}, 5, "HTTP 502"),
        ({"non_json": True}, {}, 5, "not JSON (text/html"),
        ({"drop": True}, {}, 4, "dropped the connection"),
        ({"result_code": "0300009"}, {}, 6, "0300009"),
    ],
    ids=["timeout", "503", "502", "non-json", "drop", "flow-control"],
)
def test_token_request_faults_one_line_and_exit_code(
    emulator, emulator_recordings, cli_env, capsys, fault, settings, code, text
) -> None:
    write_config(emulator.base_url, **settings)
    emulator.faults.set(**fault)
    got, out, err = run(capsys, "token", emulator_recordings[0].original_file_name)
    assert (got, out) == (code, "")
    assert text in one_line(err)
    if "result_code" in fault:
        assert "retried 2 time(s)" in err  # bounded retry with backoff, then the message
        seen = [r for r in emulator.requests_seen if r.endpoint == "requestPlayVoice"]
        assert len(seen) == 3
    assert not app_paths().token_store.exists()
    (entry,) = AuditLog(app_paths().audit_log).recent()
    assert entry.outcome != "ok" and entry.action == "requestPlayVoice"


def test_flow_control_then_success_is_transparent(
    emulator, emulator_recordings, cli_env, capsys
) -> None:
    write_config(emulator.base_url)
    emulator.faults.set(result_code="0300008", times=2)
    code, out, err = run(capsys, "token", emulator_recordings[0].original_file_name)
    assert code == 0 and out.strip() and err == ""


def test_refused_connection(cli_env, capsys) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    write_config(f"http://127.0.0.1:{port}")
    code, _, err = run(capsys, "url", "Y:/1/0/20260301/1001/a.V3")
    assert code == 4 and f"127.0.0.1:{port} refused the connection" in one_line(err)


@pytest.mark.parametrize(
    ("fault", "code", "text"),
    [
        ({"drop_mid_body": True}, 4, "stopped at"),
        ({"json_error_as_audio": True}, 6, "resultCode"),
        ({"status": 500}, 5, "HTTP 500"),
    ],
    ids=["reset-mid-body", "json-error-as-audio", "500"],
)
@pytest.mark.parametrize("how", ["play", "record"])
def test_download_faults_leave_no_file(
    emulator, emulator_recordings, cli_env, capsys, tmp_path, fault, code, text, how
) -> None:
    write_config(emulator.base_url)
    rec = emulator_recordings[4]
    target = tmp_path / "out" / "call.wav"
    if how == "play":
        emulator.faults.set(endpoints={"playVoice"}, **fault)
        args = ["download", rec.original_file_name, "-o", str(target)]
    else:
        emulator.faults.set(endpoints={"downloadRecordFile"}, **fault)
        args = ["download", "--record", rec.file_name, "-o", str(target)]
    got, out, err = run(capsys, *args)
    assert (got, out) == (code, "")
    if "drop_mid_body" in fault:
        text = "dropped the connection" if "dropped" in err else text
    assert text in one_line(err)
    assert not target.exists()
    assert not [p for p in target.parent.rglob("*") if p.is_file()]  # no .part either
    entries = AuditLog(app_paths().audit_log).recent()
    assert entries[-1].action == ("playVoice" if how == "play" else "downloadRecordFile")
    assert entries[-1].outcome != "ok"


def test_401_from_clock_skew_shows_local_utc_time(
    emulator_recordings, cli_env, capsys, tmp_path
) -> None:
    server_clock = FakeClock(utc_now() - timedelta(hours=3))  # CC-FS is 3 h behind us
    catalogue = Catalogue.from_recordings(emulator_recordings, AK)
    with Emulator(credentials={AK: Secret(SK)}, catalogue=catalogue, clock=server_clock) as emu:
        write_config(emu.base_url)
        code, _, err = run(capsys, "token", emulator_recordings[0].original_file_name)
    assert code == 3 and "401" in one_line(err)
    shown = re.search(r"local UTC time is (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)Z", err)
    assert shown, err
    local = datetime.strptime(shown.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    assert abs(local - utc_now()) < timedelta(minutes=5)  # this machine's clock, not the server's


# --------------------------------------------------------------------------- client details


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def _profile(emu: Emulator, tmp_path: Path, **changes: Any) -> Profile:
    return Profile(
        name="t",
        base_url=emu.base_url,
        app_id=AK,
        download_dir=tmp_path / "dl",
        read_timeout=5.0,
        retry_backoff=0.5,
        **changes,
    )


async def test_download_flow_control_is_retried_with_backoff_then_reported(
    emulator, emulator_recordings, tmp_path
) -> None:
    rec = emulator_recordings[5]
    sleeps = Sleeps()
    audit = AuditLog(tmp_path / "audit.jsonl")
    async with CcfsClient(
        _profile(emulator, tmp_path), Secret(SK), sleep=sleeps, audit=audit
    ) as client:
        emulator.faults.set(result_code="0300008", times=2, endpoints={"downloadRecordFile"})
        path = await client.download(rec.file_name, tmp_path / "a.wav", source="record")
        assert path.read_bytes()[:4] == b"RIFF" and sleeps.delays == [0.5, 1.0]
        emulator.faults.set(result_code="0300008", endpoints={"downloadRecordFile"})
        with pytest.raises(CcfsFlowControlError) as info:
            await client.download(rec.file_name, tmp_path / "b.wav", source="record")
    assert "retried 2 time(s)" in str(info.value) and sleeps.delays == [0.5, 1.0, 0.5, 1.0]
    assert not (tmp_path / "b.wav").exists()
    assert [e.outcome for e in audit.recent()] == ["ok", "flow-control"]
    assert audit.recent()[-1].result_code == "0300008"


async def test_a_token_echoed_by_the_server_never_reaches_the_audit_log(
    emulator, emulator_recordings, tmp_path
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    async with CcfsClient(_profile(emulator, tmp_path), Secret(SK), audit=audit) as client:
        token = await client.request_play_token(emulator_recordings[6].original_file_name)
        # a CC-FS whose error text repeats the token (and, absurdly, the SK)
        emulator.faults.set(
            result_code="0399999",
            result_desc=f"token {token.token} refused for key {SK}",
            endpoints={"downloadRecordFile"},
        )
        with pytest.raises(CcfsError):
            await client.download(token, tmp_path / "x.wav", source="record")
    text = audit.path.read_text(encoding="utf-8")
    assert "0399999" in text and token.fingerprint in text
    assert token.token not in text and SK not in text


async def test_a_token_that_does_not_name_its_server_is_never_sent(
    emulator, emulator_recordings, tmp_path
) -> None:
    async with CcfsClient(_profile(emulator, tmp_path), Secret(SK)) as client:
        token = await client.request_play_token(emulator_recordings[7].original_file_name)
        anonymous = Token(token.token, token.file_name, token.issued_at, token.expires_at, "t")
        before = len(emulator.requests_seen)
        with pytest.raises(CcfsError, match="does not say which server issued it"):
            client.playback_url(anonymous)
        with pytest.raises(CcfsError, match="does not say which server issued it"):
            await client.download(anonymous, tmp_path / "x.wav")
    assert len(emulator.requests_seen) == before


# --------------------------------------------------------------------------- 30 s


async def _wait(condition: Callable[[], object], pilot: Any, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, f"timed out waiting for {condition}"
        await pilot.pause(0.05)


async def test_a_server_that_answers_after_30_s_with_the_default_timeouts(
    emulator, emulator_recordings, emulator_index, tmp_path
) -> None:
    """Slow (about 31 s): the real default read_timeout (30 s) against a CC-FS that answers
    after 31 s, in the TUI and in a CLI process at the same time. Both say so in one
    sentence; the TUI keeps handling keys while it waits and works again afterwards."""
    from ccfs_tui.core.outcomes import Failure
    from ccfs_tui.core.session import Session
    from ccfs_tui.core.tokens import TokenStore
    from ccfs_tui.ui.app import CcfsApp
    from ccfs_tui.ui.screens.tokens import TokensScreen

    defaults = Profile()
    assert (defaults.read_timeout, defaults.connect_timeout) == (30.0, 5.0)
    emulator.faults.set(latency=31, endpoints={"requestPlayVoice"})
    rec = emulator_recordings[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCFS_")}
    env.update(CCFS_BASE_URL=emulator.base_url, CCFS_APP_ID=AK, CCFS_SECRET_KEY=SK)
    cli = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ccfs_tui",
        "token",
        rec.original_file_name,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    profile = Profile(
        name="slow", base_url=emulator.base_url, app_id=AK, download_dir=tmp_path / "dl"
    )
    session = Session(
        profile=profile, secret=Secret(SK), tokens=TokenStore(tmp_path / "tokens.json")
    )
    app = CcfsApp(
        session,
        index_paths=[emulator_index],
        tick=False,
        player_finder=lambda: None,
        environ={},
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await _wait(
            lambda: not app.main_screen.browser.index_loading and len(app.store) > 0, pilot, 10
        )
        await pilot.press("slash", "enter")
        await _wait(lambda: app.main_screen.selected_row is not None, pilot, 10)
        name = app.main_screen.selected_recording().play_file_name
        await pilot.press("enter")
        await _wait(app.main_screen.jobs.request_running, pilot, 5)
        # while it waits, the app answers keys
        start = app.main_screen.selected_row
        await pilot.press("down")
        await _wait(lambda: app.main_screen.selected_row != start, pilot, 5)
        await pilot.press("up")
        await _wait(lambda: app.main_screen.selected_row == start, pilot, 5)
        await pilot.press("t")
        await _wait(lambda: isinstance(app.screen, TokensScreen), pilot, 5)
        await pilot.press("escape")
        await _wait(lambda: app.screen is app.main_screen, pilot, 5)
        assert app.main_screen.jobs.request_running()
        await _wait(lambda: isinstance(app.session.outcomes.get(name), Failure), pilot, 45)
        failure = app.session.outcomes[name]
        assert failure.kind == "timeout" and "did not answer within 30 s" in failure.message
        assert "read_timeout" in failure.hint
        # the CLI, started at the same time, gave up after the same 30 s
        out, err = await asyncio.wait_for(cli.communicate(), 30)
        assert cli.returncode == 4 and out == b""
        text = err.decode()
        assert text.count("\n") == 1 and "did not answer within 30 s" in text
        assert "Traceback" not in text
        # and once the server is quick again, the next request works
        emulator.faults.clear()
        await pilot.press("r")
        await _wait(lambda: app.main_screen.live_token_for_selection() is not None, pilot, 10)


def test_a_download_folder_that_cannot_be_made_is_one_line_and_audited(
    emulator, emulator_recordings, cli_env, capsys, tmp_path
) -> None:
    write_config(emulator.base_url)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    target = blocker / "call.wav"
    code, out, err = run(
        capsys, "download", emulator_recordings[8].original_file_name, "-o", str(target)
    )
    assert (code, out) == (1, "")
    assert f"Cannot save the download in {blocker}: a file is in the way" in one_line(err)
    assert "download_dir" in err
    request, download = AuditLog(app_paths().audit_log).recent()
    assert request.outcome == "ok" and download.action == "playVoice"
    assert download.outcome == "error" and "a file is in the way" in download.detail
    assert download.token_fingerprint == request.token_fingerprint
