"""``ccfs-tui doctor`` against the emulator on loopback: each check's line, the exit code,
the SK never shown, at most one signed request."""

from __future__ import annotations

import os
import socket
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from ccfs_tui.cli import main
from ccfs_tui.cli.doctor import ASCII_MARKS, MARKS, line, marks_for
from ccfs_tui.core.clock import FakeClock, utc_now
from ccfs_tui.core.doctor import CheckResult, Status, run_doctor
from ccfs_tui.core.doctor.ports import check_port, listen_address
from ccfs_tui.core.doctor.terminal import check_locale, check_tmux
from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signature_guard import default_guard

WRONG_SK = "wrong-sk-9f8e7d6c5b"
SIGNED = "/CCFS/resource/ccfs/"


@pytest.fixture
def good_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal every terminal check passes in."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("LANG", "C.UTF-8")
    for var in ("LC_ALL", "LC_CTYPE", "NO_COLOR", "COLORTERM"):
        monkeypatch.delenv(var, raising=False)


def _doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, str], str]:
    """Exit code, each check's line by its name, and all the output."""
    code = main(["doctor", *args])
    out, err = capsys.readouterr()
    lines = {}
    for text in out.splitlines()[:-1]:
        mark, name_and_rest = text.split(" ", 1)
        name = name_and_rest[:13].strip()
        lines[name] = f"{mark} {name_and_rest[13:].strip()}"
    return code, lines, out + err


def _signed_requests(emulator) -> list:  # list[SeenRequest]
    return [seen for seen in emulator.requests_seen if seen.path.startswith(SIGNED)]


def _secret(emulator) -> str:
    return next(iter(emulator.credentials.values())).reveal()


def test_all_pass_on_the_plain_emulator_exit_0(cli_env, good_terminal, capsys) -> None:
    code, lines, output = _doctor(capsys)
    assert code == 0, output
    assert lines["signature"].startswith("✓ accepted (resultCode")
    assert lines["clock"].startswith("✓ in step")
    assert lines["TCP"].startswith("✓") and lines["DNS"].startswith("✓")
    assert lines["TLS"].startswith("⚠ none: base_url is http://")  # a warning passes
    assert lines["SK"] == "✓ found in $CCFS_SECRET_KEY (not shown)"
    assert output.splitlines()[-1] == "ccfs-tui doctor: all checks passed (1 warning)"
    assert _secret(cli_env) not in output
    assert len(_signed_requests(cli_env)) == 1


def test_all_pass_over_tls_with_the_ca_bundle(
    tls_emulator, good_terminal, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("CCFS_BASE_URL", tls_emulator.base_url)
    monkeypatch.setenv("CCFS_APP_ID", next(iter(tls_emulator.credentials)))
    monkeypatch.setenv("CCFS_SECRET_KEY", _secret(tls_emulator))
    monkeypatch.setenv("CCFS_CA_BUNDLE", str(tls_emulator.ca_bundle))
    code, lines, output = _doctor(capsys)
    assert code == 0, output
    assert lines["TLS"].startswith("✓ TLSv1.") and "trusted with" in lines["TLS"]
    assert lines["signature"].startswith("✓ accepted")
    assert output.splitlines()[-1] == "ccfs-tui doctor: all checks passed"
    assert len(_signed_requests(tls_emulator)) == 1


def test_tls_without_the_ca_bundle_fails_with_the_fix_and_sends_nothing(
    tls_emulator, good_terminal, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("CCFS_BASE_URL", tls_emulator.base_url)
    monkeypatch.setenv("CCFS_APP_ID", next(iter(tls_emulator.credentials)))
    monkeypatch.setenv("CCFS_SECRET_KEY", _secret(tls_emulator))
    code, lines, _ = _doctor(capsys)
    assert code == 1
    assert lines["TLS"].startswith("✗ the certificate of 127.0.0.1:")
    assert "Set ca_bundle in the profile (or CCFS_CA_BUNDLE)" in lines["TLS"]
    assert lines["signature"].startswith("– not sent")
    assert tls_emulator.requests_seen == []


def test_insecure_runs_but_warns_that_the_certificate_is_not_checked(
    tls_emulator, good_terminal, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("CCFS_BASE_URL", tls_emulator.base_url)
    monkeypatch.setenv("CCFS_APP_ID", next(iter(tls_emulator.credentials)))
    monkeypatch.setenv("CCFS_SECRET_KEY", _secret(tls_emulator))
    code, lines, _ = _doctor(capsys, "--insecure")
    assert code == 0
    assert lines["TLS"].startswith("⚠") and "NOT checked" in lines["TLS"]
    assert lines["signature"].startswith("✓ accepted")


def test_wrong_sk_fails_the_signature_line_with_the_causes_exit_1(
    cli_env, good_terminal, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("CCFS_SECRET_KEY", WRONG_SK)
    code, lines, output = _doctor(capsys)
    assert code == 1
    assert lines["signature"].startswith("✗ refused (HTTP 401)")
    assert "wrong AK or SK" in lines["signature"] and "clock" in lines["signature"]
    assert lines["clock"].startswith("✓")  # so the clock is not the cause
    assert output.splitlines()[-1].startswith("ccfs-tui doctor: 1 check(s) failed: signature")
    assert WRONG_SK not in output and _secret(cli_env) not in output
    assert [seen.status for seen in _signed_requests(cli_env)] == [401]


def test_a_held_profile_is_not_sent_on(cli_env, good_terminal, capsys) -> None:
    guard = default_guard()
    for _ in range(2):
        guard.refused("default", next(iter(cli_env.credentials)), Secret(_secret(cli_env)))
    code, lines, _ = _doctor(capsys)
    assert code == 1
    assert lines["signature"].startswith("✗ not sent: CC-FS refused the signature")
    assert "--confirm-resend" in lines["signature"]
    assert _signed_requests(cli_env) == []


def test_dead_port_fails_tcp_and_sends_nothing(good_terminal, monkeypatch, capsys) -> None:
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        monkeypatch.setenv("CCFS_BASE_URL", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("CCFS_APP_ID", "ak")
        monkeypatch.setenv("CCFS_SECRET_KEY", WRONG_SK)
        code, lines, output = _doctor(capsys)
    assert code == 1
    assert lines["TCP"].startswith(f"✗ 127.0.0.1:{port} refused the connection")
    assert "Check the port in base_url" in lines["TCP"]
    assert lines["signature"].startswith("– not sent: nothing answers at base_url")
    assert WRONG_SK not in output


def test_a_url_with_a_wrong_path_is_told_from_a_refused_signature(
    cli_env, good_terminal, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("CCFS_BASE_URL", f"{cli_env.base_url}/ccfs")
    code, lines, _ = _doctor(capsys)
    assert code == 1
    assert lines["signature"].startswith("✗") and "HTTP 404" in lines["signature"]
    assert "wrong URL" in lines["signature"] and "without a path" in lines["signature"]


def _run_core(emulator, clock) -> dict[str, CheckResult]:
    ((app_id, secret),) = emulator.credentials.items()
    env = {
        "CCFS_BASE_URL": emulator.base_url,
        "CCFS_APP_ID": app_id,
        "CCFS_SECRET_KEY": secret.reveal(),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }
    return {result.name: result for result in run_doctor(env=env, clock=clock)}


def test_a_clock_an_hour_off_fails_and_no_signature_is_risked(emulator) -> None:
    results = _run_core(emulator, FakeClock(utc_now() - timedelta(hours=1)))
    clock = results["clock"]
    assert clock.status is Status.FAIL
    assert clock.text.startswith("the server's clock is 1 h ahead of this machine's")
    assert "NTP" in clock.fix
    assert results["signature"].status is Status.SKIP
    assert results["signature"].text.startswith("not sent: fix the clock first")
    assert _signed_requests(emulator) == []


def test_a_server_whose_own_clock_is_off_is_seen_from_its_date_header(emulator) -> None:
    """The emulator's Date header follows its own clock: a CC-FS an hour behind is seen
    as such by a machine whose clock is right."""
    from ccfs_tui.emulator import Emulator

    hour_behind = FakeClock(utc_now() - timedelta(hours=1))
    behind = Emulator(credentials=dict(emulator.credentials), clock=hour_behind).start()
    try:
        results = _run_core(behind, utc_now)
    finally:
        behind.stop()
    assert results["clock"].status is Status.FAIL
    assert results["clock"].text.startswith("the server's clock is 1 h behind this machine's")
    assert _signed_requests(behind) == []


def test_a_clock_minutes_off_warns_and_the_signature_still_goes(emulator) -> None:
    results = _run_core(emulator, FakeClock(utc_now() + timedelta(minutes=5)))
    assert results["clock"].status is Status.WARN
    assert results["clock"].text.startswith("the server's clock is 5 min behind this machine's")
    assert results["signature"].status is Status.OK  # the emulator allows 15 minutes
    assert len(_signed_requests(emulator)) == 1


def test_bad_config_file_fails_first_with_the_fix(good_terminal, capsys) -> None:
    config = app_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[profiles.prod]\nbase_url = "https://cc-fs:28443"\n')
    config.chmod(0o664)
    code, lines, _ = _doctor(capsys)
    assert code == 1
    assert (
        lines["config file"].startswith("✗")
        and "group or others can write it" in (lines["config file"])
    )
    assert f"chmod go-w {config}" in lines["config file"]
    config.chmod(0o600)
    config.write_text("[profiles.prod\n")
    code, lines, _ = _doctor(capsys)
    assert code == 1 and "not valid TOML" in lines["config file"]


def test_config_file_parsed_is_named_with_its_mode(good_terminal, monkeypatch, capsys) -> None:
    config = app_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[profiles.prod]\nbase_url = "https://cc-fs.invalid:28443"\n')
    config.chmod(0o600)
    monkeypatch.setenv("CCFS_APP_ID", "ak")
    code, lines, _ = _doctor(capsys)
    assert lines["config file"] == f"✓ {config}: parsed, 1 profile, mode -rw-------"
    assert lines["SK"].startswith("✗ No secret key (SK) for profile 'prod'")
    # .invalid never resolves (RFC 2606): no network needed to see the DNS line fail
    assert lines["DNS"].startswith("✗ cannot resolve cc-fs.invalid")
    assert code == 1


def test_secret_command_source_named_and_its_failure_explained(
    cli_env, good_terminal, monkeypatch, capsys, tmp_path: Path
) -> None:
    monkeypatch.delenv("CCFS_SECRET_KEY")
    config = app_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        '[profiles.default]\nsecret_command = "echo no such entry in the vault >&2; exit 3"\n'
    )
    config.chmod(0o600)
    code, lines, _ = _doctor(capsys)
    assert code == 1
    assert lines["SK"].startswith("✗ profiles.default.secret_command: exited 3")
    assert "no such entry in the vault" in lines["SK"]
    assert lines["signature"] == "– not sent: no SK (see SK)"
    assert _signed_requests(cli_env) == []


def test_terminal_lines(cli_env, monkeypatch, capsys) -> None:
    monkeypatch.delenv("TERM", raising=False)
    monkeypatch.setenv("LANG", "C")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_CTYPE", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    code, lines, _ = _doctor(capsys)
    assert code == 1
    assert lines["TERM"].startswith("✗ TERM is not set")
    assert lines["colours"].startswith("⚠ none: NO_COLOR is set")
    assert lines["locale"].startswith("✗ not UTF-8 (LANG=C)") and "C.UTF-8" in lines["locale"]
    assert lines["tmux"] == "– not inside tmux"


@pytest.mark.parametrize(
    ("setting", "mark", "words"),
    [("on", "✓", "set-clipboard is on: copy works"), ("off", "⚠", "tmux set -g set-clipboard on")],
)
def test_tmux_set_clipboard_read_from_tmux(
    cli_env, good_terminal, monkeypatch, capsys, tmp_path: Path, setting, mark, words
) -> None:
    fake = tmp_path / "bin" / "tmux"  # a stand-in tmux that answers `show -gv OPTION`
    fake.parent.mkdir()
    fake.write_text(
        '#!/bin/sh\n[ "$1 $2 $3" = "show -gv set-clipboard" ] && echo ' + setting + "\n"
        'if [ "$3" = allow-passthrough ]; then echo off; fi\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1,0")
    code, lines, _ = _doctor(capsys)
    assert lines["tmux"].startswith(mark) and words in lines["tmux"]
    assert code == 0  # a warning does not fail the doctor


def test_tmux_passthrough_is_enough_for_copy() -> None:
    options = {"set-clipboard": "off", "allow-passthrough": "on"}
    result = check_tmux({"TMUX": "x"}, options.get)
    assert result.status is Status.OK and "allow-passthrough" in result.text


@pytest.mark.parametrize(
    ("env", "status"),
    [
        ({"LANG": "en_US.UTF-8"}, Status.OK),
        ({"LANG": "de_DE.utf8@euro"}, Status.OK),
        ({"LC_ALL": "C", "LANG": "C.UTF-8"}, Status.FAIL),  # LC_ALL wins
        ({"LC_CTYPE": "C.UTF-8", "LANG": "C"}, Status.OK),
        ({}, Status.FAIL),
    ],
)
def test_locale_follows_lc_all_lc_ctype_lang(env: dict[str, str], status: Status) -> None:
    assert check_locale(env).status is status


def test_a_port_in_use_fails_and_a_free_one_passes() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = check_port("listen port", "127.0.0.1", port)
        assert result.status is Status.FAIL and "another program uses it" in result.text
        assert f"sport = :{port}" in result.fix
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    assert check_port("listen port", "127.0.0.1", free).status is Status.OK


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("0.0.0.0:8443", ("0.0.0.0", 8443)),
        (":9000", ("", 9000)),
        (9000, ("", 9000)),
        ("[::1]:9000", ("::1", 9000)),
        (("127.0.0.1", 80), ("127.0.0.1", 80)),
        (None, None),
        (0, None),
        ("port", None),
    ],
)
def test_listen_address_forms(value: object, address: tuple[str, int] | None) -> None:
    assert listen_address(value) == address


def test_marks_fall_back_to_ascii(tmp_path: Path) -> None:
    with (tmp_path / "out").open("w", encoding="ascii") as ascii_out:
        assert marks_for(ascii_out) == ASCII_MARKS
    with (tmp_path / "out").open("w", encoding="utf-8") as utf8_out:
        assert marks_for(utf8_out) == MARKS
    result = CheckResult("TLS", Status.FAIL, "bad\x1b[2J", "fix it")
    assert line(result, ASCII_MARKS) == "[FAIL] TLS           bad\\x1b[2J -> fix it"


def test_state_files_stay_private_after_a_doctor_run(cli_env, good_terminal, capsys) -> None:
    code, _, _ = _doctor(capsys)
    assert code == 0
    audit = app_paths().audit_log
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600
    assert "ccfs-tui-doctor-" in audit.read_text() and _secret(cli_env) not in audit.read_text()


def test_profile_ports_checked_when_set(cli_env, good_terminal, capsys) -> None:
    with socket.socket() as busy, socket.socket() as probe:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
        probe.close()
        config = app_paths().config_file
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(
            f'[profiles.default]\ncallback_listen = "127.0.0.1:{taken}"\nlisten_port = {free}\n'
        )
        config.chmod(0o600)
        code, lines, _ = _doctor(capsys)
    assert code == 1
    assert lines["callback port"].startswith(f"✗ cannot listen on 127.0.0.1:{taken}")
    assert lines["listen port"] == f"✓ 127.0.0.1:{free} is free to listen on"


def test_no_port_lines_for_a_profile_without_ports(cli_env, good_terminal, capsys) -> None:
    code, lines, _ = _doctor(capsys)
    assert code == 0 and "callback port" not in lines and "listen port" not in lines
