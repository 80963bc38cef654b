"""The signature guard (issue 14 B): CC-FS locks the address after repeated bad signatures
(reference section 8), so a 401 is never retried, two in a row hold the profile until the
user confirms, and a 403 lock is named in one line. End to end against the emulator."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ccfs_tui.cli import main
from ccfs_tui.core.client import CcfsClient
from ccfs_tui.core.config import Profile
from ccfs_tui.core.errors import CcfsAuthError, CcfsIpLockedError, CcfsResendBlockedError
from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signature_guard import SignatureGuard, credential_fingerprint

REPO = Path(__file__).resolve().parents[1]
WRONG_SK = "wrong-sk-GUARD-5a1e"
LOCK_LINE = (
    "CC-FS has locked this machine's address after too many bad signatures: wait, then fix "
    "the AK/SK."
)


@pytest.fixture
def cli_env(cli_env, monkeypatch: pytest.MonkeyPatch):  # -> Callable[[str | None], None]
    """conftest's ``cli_env``, plus a way to switch the SK (None: the emulator's own)."""
    ((_, secret),) = cli_env.credentials.items()

    def use(sk: str | None = None) -> None:
        monkeypatch.setenv("CCFS_SECRET_KEY", sk or secret.reveal())

    return use


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _signed_requests(emulator) -> int:
    return sum(1 for seen in emulator.requests_seen if seen.endpoint != "playVoice")


def _cli_process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ccfs_tui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )


def test_a_401_is_sent_once_never_retried(emulator, emulator_recordings, cli_env, capsys):
    cli_env(WRONG_SK)
    rec = emulator_recordings[0]
    for args in (("token", rec.original_file_name), ("download", "--record", rec.file_name)):
        before = _signed_requests(emulator)
        code, _, err = _run(capsys, *args, "--confirm-resend")
        assert code == 3 and "HTTP 401" in err and err.count("\n") == 1
        assert _signed_requests(emulator) == before + 1  # one request, no retry


def test_two_401s_in_a_row_hold_the_profile_in_every_process(
    emulator, emulator_recordings, cli_env, capsys
) -> None:
    cli_env(WRONG_SK)
    name = emulator_recordings[0].original_file_name
    code, _, err = _run(capsys, "token", name)
    assert code == 3 and "HTTP 401" in err and "until you confirm" not in err
    code, _, err = _run(capsys, "token", name)
    assert code == 3 and "HTTP 401" in err and "until you confirm (--confirm-resend" in err
    assert _signed_requests(emulator) == 2

    # the third is refused before it is sent: here, in another process, after a restart
    code, out, err = _run(capsys, "url", name)
    assert code == 3 and out == "" and err.count("\n") == 1
    assert err.startswith("ccfs-tui: Not sent: CC-FS refused the signature of profile")
    assert "2 times in a row" in err and "--confirm-resend" in err and "Fix the AK/SK" in err
    other = _cli_process("download", "--record", emulator_recordings[1].file_name)
    assert other.returncode == 3 and "Not sent" in other.stderr and "Traceback" not in other.stderr
    assert _signed_requests(emulator) == 2

    # the state: private, per profile, a fingerprint of the AK/SK, never the SK
    state = app_paths().signature_guard
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    text = state.read_text()
    assert WRONG_SK not in text and WRONG_SK.encode().hex() not in text
    entry = json.loads(text)["profiles"]["default"]
    assert entry["refused"] == 2 and len(entry["credential"]) == 16

    # a confirmation lets exactly one more go out
    code, _, err = _run(capsys, "token", "--confirm-resend", name)
    assert code == 3 and "HTTP 401" in err and _signed_requests(emulator) == 3
    code, _, err = _run(capsys, "token", name)
    assert code == 3 and "3 times in a row" in err and _signed_requests(emulator) == 3

    # a new SK (the fix) is not held; its success clears the state
    cli_env()
    code, out, _ = _run(capsys, "token", name)
    assert code == 0 and out.strip() and _signed_requests(emulator) == 4
    assert "default" not in json.loads(state.read_text())["profiles"]


def test_a_success_resets_the_count(emulator, emulator_recordings, cli_env, capsys) -> None:
    name = emulator_recordings[0].original_file_name
    for sk in (WRONG_SK, None, WRONG_SK):
        cli_env(sk)
        _run(capsys, "token", name)
    cli_env(WRONG_SK)
    code, _, err = _run(capsys, "token", name)  # refused, but only the 2nd in a row
    assert code == 3 and "HTTP 401" in err and _signed_requests(emulator) == 4


def test_guard_state_is_per_profile_and_per_key(tmp_path: Path) -> None:
    guard = SignatureGuard(tmp_path / "state" / "guard.json")
    sk, other = Secret("sk-one"), Secret("sk-two")
    for _ in range(2):
        guard.refused("prod", "ak", sk)
    with pytest.raises(CcfsResendBlockedError) as info:
        guard.check("prod", "ak", sk)
    assert info.value.kind == "resend-blocked" and info.value.refused == 2
    guard.check("lab", "ak", sk)  # another profile is not held
    guard.check("prod", "ak", other)  # nor the same profile with a new SK
    guard.check("prod", "ak2", sk)  # nor with a new AK
    guard.confirm("prod", "ak", sk)
    guard.check("prod", "ak", sk)  # confirmed: one attempt
    guard.refused("prod", "ak", sk)
    with pytest.raises(CcfsResendBlockedError):
        guard.check("prod", "ak", sk)
    guard.accepted("prod", "ak", sk)
    guard.check("prod", "ak", sk)
    assert "sk-one" not in (tmp_path / "state" / "guard.json").read_text()
    assert credential_fingerprint("ak", sk) != credential_fingerprint("ak", other)
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700


def test_403_lock_is_one_line_exit_3_and_holds_the_profile(
    emulator, emulator_recordings, cli_env, capsys
) -> None:
    name = emulator_recordings[0].original_file_name
    emulator.faults.set(status=403, times=1)
    code, out, err = _run(capsys, "token", name)
    assert code == 3 and out == "" and err.count("\n") == 1
    assert err.startswith(f"ccfs-tui: {LOCK_LINE}") and "Traceback" not in err
    assert "until you confirm" in err
    # nothing more goes out, even with the right key, until confirmed
    code, _, err = _run(capsys, "token", name)
    assert code == 3 and "Not sent: CC-FS locked this machine's address" in err
    assert _signed_requests(emulator) == 1
    code, out, _ = _run(capsys, "token", "--confirm-resend", name)
    assert code == 0 and out.strip()


async def test_emulator_lock_after_bad_signatures_end_to_end(
    emulator_recordings, tmp_path: Path
) -> None:
    from ccfs_tui.emulator import Catalogue, Emulator

    ak, sk = "lock-ak", "lock-sk"
    catalogue = Catalogue.from_recordings(emulator_recordings, ak)
    with Emulator(credentials={ak: Secret(sk)}, catalogue=catalogue, lock_after=3) as emu:
        profile = Profile(name="p", base_url=emu.base_url, app_id=ak, download_dir=tmp_path)
        name = emulator_recordings[0].original_file_name
        async with CcfsClient(profile, Secret(WRONG_SK)) as bad:
            for attempt in range(3):
                if attempt:
                    bad.confirm_resend()
                with pytest.raises(CcfsAuthError) as info:
                    await bad.request_play_token(name)
                assert type(info.value) is CcfsAuthError  # 401
            bad.confirm_resend()
            with pytest.raises(CcfsIpLockedError) as locked:
                await bad.request_play_token(name)
        assert str(locked.value).startswith(LOCK_LINE)
        # the lock is the address's: the right key is locked out too (no guard here)
        async with CcfsClient(profile, Secret(sk), guard=None) as good:
            with pytest.raises(CcfsIpLockedError):
                await good.request_play_token(name)
        reply = httpx.post(emu.url("requestPlayVoice"), content=b"{}")
        assert reply.status_code == 403
        body = reply.json()
        assert body["status"] == 403 and body["error"] == "Forbidden"
        assert body["message"] == "No message available"
        assert body["path"] == "/CCFS/resource/ccfs/requestPlayVoice" and "timestamp" in body
        emu.unlock()
        async with CcfsClient(profile, Secret(sk), guard=None) as good:
            assert (await good.request_play_token(name)).token
