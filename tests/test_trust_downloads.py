"""Downloads that cannot be turned against the user (issue 14, part A).

A neighbour's link in the download folder, a file at the final name, ``-o`` naming a
device, a FIFO or a folder, an endless or gzip-bombed body, a trickle, Ctrl-C or SIGTERM
in the middle, partial files of killed runs, two recordings with one local name: each is
refused or cleaned up, never followed, never left behind. The CLI runs in-process
(``main``) or, for signals, as a real subprocess against the emulator on loopback.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ccfs_tui.cli import main
from ccfs_tui.core.client import CcfsClient, download_name
from ccfs_tui.core.config import Profile
from ccfs_tui.core.errors import CcfsBadReplyError, CcfsError, CcfsTimeoutError
from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.secret import Secret
from ccfs_tui.emulator import Emulator

AK = "demo-ak"  # the conftest emulator's credentials
SK = "demo-sk-0123456789"
MB = 1 << 20
CLI = (sys.executable, "-m", "ccfs_tui")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("ccfs-tui: "), err
    assert "Traceback" not in err and "\x1b" not in err
    return err


def files_in(folder: Path) -> list[Path]:
    """Every file left in ``folder`` (hidden partial files too, links too)."""
    if not folder.exists():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def profile(emu: Emulator, tmp_path: Path, **changes: Any) -> Profile:
    settings: dict[str, Any] = {"read_timeout": 5.0, "retry_backoff": 0.01, **changes}
    return Profile(
        name="t", base_url=emu.base_url, app_id=AK, download_dir=tmp_path / "dl", **settings
    )


def requests_to(emu: Emulator, *endpoints: str) -> int:
    return sum(1 for r in emu.requests_seen if r.endpoint in endpoints)


# ----------------------------------------------------------------------- links, names


def test_a_link_planted_at_the_old_partial_name_is_not_followed(
    cli_env, emulator_recordings, capsys, tmp_path
) -> None:
    """A neighbour who can write the download folder plants links under every name the
    partial file could predictably get: the download writes none of them."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    victim.chmod(0o644)
    out = tmp_path / "out"
    out.mkdir()
    dest = out / "call.wav"
    for planted in (f".{dest.name}.part", f"{dest.name}.part", f".{dest.name}.tmp"):
        (out / planted).symlink_to(victim)
    code, stdout, err = run(
        capsys, "download", emulator_recordings[0].original_file_name, "-o", str(dest)
    )
    assert (code, err) == (0, ""), err
    assert victim.read_text() == "precious\n"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert not dest.is_symlink() and dest.read_bytes()[:4] == b"RIFF"
    assert stat.S_IMODE(dest.lstat().st_mode) == 0o600
    assert stdout.strip() == str(dest)


@pytest.mark.parametrize("where", ["-o", "download folder"])
def test_a_link_at_the_final_name_is_refused_before_any_request(
    cli_env, emulator_recordings, capsys, tmp_path, where
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    rec = emulator_recordings[1]
    if where == "-o":
        link = tmp_path / "call.wav"
        args = ["download", rec.original_file_name, "-o", str(link)]
    else:
        link = app_paths().download_dir / download_name(rec.play_file_name)
        args = ["download", rec.original_file_name]
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(victim)
    code, out, err = run(capsys, *args)
    assert (code, out) == (1, "")
    assert "is a symbolic link; ccfs-tui never writes through a link" in one_line(err)
    assert link.is_symlink() and victim.read_text() == "precious\n"
    if where == "-o":  # checked before the token was requested
        assert requests_to(cli_env, "requestPlayVoice", "playVoice") == 0
    else:  # the name is known once the token is there: checked before playVoice
        assert requests_to(cli_env, "playVoice") == 0
    assert not [p for p in files_in(link.parent) if p.name.endswith(".part")]


async def test_partial_files_are_private_random_and_exclusive(
    emulator, emulator_recordings, tmp_path
) -> None:
    """While the body arrives, the partial file is 0600, in the target's folder, under a
    random name that says which process writes it; none is left afterwards."""
    dest = tmp_path / "dl" / "call.wav"
    seen: list[tuple[str, int]] = []

    def progress(done: int, total: int | None) -> None:
        for part in dest.parent.glob(".*.part"):
            seen.append((part.name, stat.S_IMODE(part.lstat().st_mode)))

    async with CcfsClient(profile(emulator, tmp_path), Secret(SK)) as client:
        token = await client.request_play_token(emulator_recordings[2].original_file_name)
        await client.download(token, dest, progress=progress)
    assert seen, "no partial file was seen while the body arrived"
    names = {name for name, _ in seen}
    assert len(names) == 1 and {mode for _, mode in seen} == {0o600}
    (name,) = names
    assert name.startswith(".call.wav.") and f"-{os.getpid()}-" in name
    assert name != ".call.wav.part"
    assert files_in(dest.parent) == [dest]


def test_two_recordings_with_the_same_tail_get_two_names() -> None:
    """Only the last three path parts used to make the name: another drive or VDN with the
    same day, agent and number overwrote the first recording."""
    first = download_name("Y:/1/0/20260301/1001/0903379.V3")
    other_drive = download_name("Z:/1/0/20260301/1001/0903379.V3")
    other_vdn = download_name("Y:/2/1/20260301/1001/0903379.V3")
    assert len({first, other_drive, other_vdn}) == 3
    assert first.startswith("20260301_1001_0903379_") and first.endswith(".wav")
    assert download_name("Y:\\1\\0\\20260301\\1001\\0903379.V3") == first  # same recording
    weird = download_name("Y:/../\x1b[2J/..\u202e/x y.V3")
    assert "/" not in weird and "\x1b" not in weird and "\u202e" not in weird
    assert not weird.startswith(".")


async def test_the_tui_and_the_cli_use_one_naming_function(
    emulator, emulator_recordings, tmp_path
) -> None:
    """The TUI downloads with ``client.download(token)``: the same name as the CLI."""
    rec = emulator_recordings[3]
    async with CcfsClient(profile(emulator, tmp_path), Secret(SK)) as client:
        token = await client.request_play_token(rec.original_file_name)
        path = await client.download(token)
    assert path == tmp_path / "dl" / download_name(rec.play_file_name)


# ----------------------------------------------------------------------- -o rules


def test_an_existing_file_is_refused_without_force_and_replaced_with_it(
    cli_env, emulator_recordings, capsys, tmp_path
) -> None:
    dest = tmp_path / "call.wav"
    dest.write_text("mine\n")
    dest.chmod(0o644)
    rec = emulator_recordings[4]
    code, out, err = run(capsys, "download", rec.original_file_name, "-o", str(dest))
    assert (code, out) == (1, "")
    assert "already exists" in one_line(err) and "--force" in err
    assert dest.read_text() == "mine\n" and stat.S_IMODE(dest.stat().st_mode) == 0o644
    assert requests_to(cli_env, "requestPlayVoice", "playVoice") == 0  # no token spent
    code, out, err = run(capsys, "download", rec.original_file_name, "-o", str(dest), "--force")
    assert (code, err) == (0, "")
    assert dest.read_bytes()[:4] == b"RIFF"


def _device(tmp_path: Path) -> Path:
    """A character device like /dev/null that a test may safely see replaced."""
    if os.geteuid() == 0:
        node = tmp_path / "null"
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        return node
    return Path("/dev/null")


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
@pytest.mark.parametrize("force", [False, True])
def test_o_naming_a_device_fifo_or_folder_is_refused_before_any_request(
    cli_env, emulator_recordings, capsys, tmp_path, kind, force
) -> None:
    if kind == "device":
        target, text = _device(tmp_path), "is a device"
    elif kind == "fifo":
        target, text = tmp_path / "pipe", "is a FIFO"
        os.mkfifo(target)
    else:
        target, text = tmp_path / "folder", "is a folder, not a file name"
        target.mkdir()
    before = target.lstat()
    args = ["download", emulator_recordings[5].original_file_name, "-o", str(target)]
    code, out, err = run(capsys, *args, *(["--force"] if force else []))
    assert (code, out) == (1, "")
    assert text in one_line(err)
    after = target.lstat()
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert len(cli_env.requests_seen) == 0  # not even the token request
    assert not list(target.parent.glob(".*.part"))


def _subprocess_env(emu: Emulator, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCFS_")}
    env.update(CCFS_BASE_URL=emu.base_url, CCFS_APP_ID=AK, CCFS_SECRET_KEY=SK, **extra)
    return env


def test_o_dash_writes_the_audio_to_stdout(emulator, emulator_recordings, tmp_path) -> None:
    done = subprocess.run(
        [*CLI, "download", emulator_recordings[6].original_file_name, "-o", "-"],
        env=_subprocess_env(emulator),
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout[:4] == b"RIFF" and done.stdout[8:12] == b"WAVE"
    assert done.stderr == b""
    assert files_in(app_paths().download_dir) == [] and files_in(tmp_path / "-") == []


def test_o_dash_refuses_a_terminal(cli_env, emulator_recordings, capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = run(capsys, "download", emulator_recordings[6].original_file_name, "-o", "-")
    assert (code, out) == (1, "") and "Standard output is a terminal" in one_line(err)
    assert len(cli_env.requests_seen) == 0


# ----------------------------------------------------------------------- size limits


def test_max_download_mb_is_a_profile_setting_with_an_env_override(monkeypatch) -> None:
    from ccfs_tui.core.config import load_config
    from ccfs_tui.core.errors import ConfigError

    path = app_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[profiles.a]\nmax_download_mb = 10\nrequest_timeout = 7\n")
    config = load_config(path, env={})
    assert (config.profile("a").max_download_mb, config.profile("a").request_timeout) == (10, 7.0)
    assert Profile().max_download_mb == 2048 and Profile().request_timeout == 60.0
    assert load_config(path, env={"CCFS_MAX_DOWNLOAD_MB": "3"}).profile().max_download_mb == 3
    for bad in ("0", "-1", "lots"):
        with pytest.raises(ConfigError, match="CCFS_MAX_DOWNLOAD_MB"):
            load_config(path, env={"CCFS_MAX_DOWNLOAD_MB": bad})
    path.write_text("[profiles.a]\nmax_download_mb = 0\n")
    with pytest.raises(ConfigError, match="max_download_mb"):
        load_config(path, env={})


async def test_a_content_length_over_the_limit_is_refused_before_writing(
    emulator, emulator_recordings, tmp_path
) -> None:
    emulator.faults.set(endless_body=True, declared_length=50 * MB, endpoints={"playVoice"})
    calls: list[int] = []
    async with CcfsClient(profile(emulator, tmp_path, max_download_mb=1), Secret(SK)) as client:
        token = await client.request_play_token(emulator_recordings[7].original_file_name)
        with pytest.raises(CcfsBadReplyError, match=r"more than max_download_mb \(1 MB\)"):
            await asyncio.wait_for(
                client.download(token, progress=lambda done, _: calls.append(done)), 20
            )
    assert calls == [] and files_in(tmp_path / "dl") == []


@pytest.mark.parametrize("encoded", [False, True], ids=["plain", "gzip-bomb"])
async def test_a_body_that_grows_past_the_limit_is_stopped_and_removed(
    emulator, emulator_recordings, tmp_path, encoded
) -> None:
    """An endless body (3.9 GB in 15 s before) or an endless gzip stream of zeros."""
    emulator.faults.set(endless_body=True, gzip=encoded, endpoints={"playVoice"})
    async with CcfsClient(profile(emulator, tmp_path, max_download_mb=2), Secret(SK)) as client:
        token = await client.request_play_token(emulator_recordings[8].original_file_name)
        with pytest.raises(CcfsBadReplyError, match=r"grew past max_download_mb \(2 MB\)"):
            await asyncio.wait_for(client.download(token), 30)
    assert files_in(tmp_path / "dl") == []


async def test_a_gzip_download_is_decoded_and_its_length_checked_encoded(
    emulator, emulator_recordings, tmp_path
) -> None:
    """Content-Length is the encoded size: a good gzip download used to fail the check."""
    rec = emulator_recordings[9]
    async with CcfsClient(profile(emulator, tmp_path), Secret(SK)) as client:
        token = await client.request_play_token(rec.original_file_name)
        plain = (await client.download(token, tmp_path / "plain.wav")).read_bytes()
        emulator.faults.set(gzip=True, endpoints={"playVoice"})
        seen: list[tuple[int, int | None]] = []
        path = await client.download(
            token, tmp_path / "gz.wav", progress=lambda d, t: seen.append((d, t))
        )
        assert path.read_bytes() == plain
        done, total = seen[-1]
        assert done == total == len(gzip.compress(plain, 9))  # the encoded size
        emulator.faults.set(gzip=True, drop_mid_body=True, endpoints={"playVoice"})
        with pytest.raises(CcfsError, match=r"stopped|dropped"):
            await client.download(token, tmp_path / "cut.wav")
    assert not (tmp_path / "cut.wav").exists()


async def test_a_trickling_download_is_aborted_after_read_timeout(
    emulator, emulator_recordings, tmp_path
) -> None:
    """One byte every 20 ms never trips a per-read timeout; it is no real progress."""
    emulator.faults.set(trickle=0.02, endpoints={"playVoice"})
    client = CcfsClient(profile(emulator, tmp_path, read_timeout=0.5), Secret(SK))
    async with client:
        token = await client.request_play_token(emulator_recordings[10].original_file_name)
        started = time.monotonic()
        with pytest.raises(CcfsTimeoutError, match=r"made no real progress.*0\.5 s"):
            await asyncio.wait_for(client.download(token), 20)
    assert time.monotonic() - started < 5
    assert files_in(tmp_path / "dl") == []


# ----------------------------------------------------------------------- stale partial files


@pytest.fixture
def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def live_pid() -> Iterator[int]:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield child.pid
    finally:
        child.kill()
        child.wait()


async def test_stale_partial_files_of_killed_runs_are_removed_on_the_next_download(
    emulator, emulator_recordings, tmp_path, dead_pid, live_pid
) -> None:
    from ccfs_tui.core.download_files import HOST_TAG

    folder = tmp_path / "dl"
    folder.mkdir()
    old = time.time() - 2 * 24 * 3600

    def part(name: str, pid: int, host: str = HOST_TAG, age: float | None = None) -> Path:
        path = folder / f".{name}.{host}-{pid}-abcd1234.part"
        path.write_bytes(b"RIFF....")
        if age is not None:
            os.utime(path, (age, age))
        return path

    killed = part("a.wav", dead_pid)  # kill -9: its writer is gone
    running = part("b.wav", live_pid)  # another download still running
    ancient = part("c.wav", live_pid, age=old)  # a day old: stale whoever holds the pid
    elsewhere = part("d.wav", dead_pid, host="0badf00d")  # another machine's: pid unknown
    elsewhere_old = part("e.wav", dead_pid, host="0badf00d", age=old)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = folder / f".f.wav.{HOST_TAG}-{dead_pid}-abcd1234.part"
    link.symlink_to(victim)
    mine = folder / "notes.part"
    mine.write_text("not ours")
    async with CcfsClient(profile(emulator, tmp_path), Secret(SK)) as client:
        token = await client.request_play_token(emulator_recordings[11].original_file_name)
        await client.download(token)
    assert not killed.exists() and not ancient.exists() and not elsewhere_old.exists()
    assert running.exists() and elsewhere.exists() and mine.exists()
    assert link.is_symlink() and victim.read_text() == "precious\n"


# ----------------------------------------------------------------------- signals


def _wait_for(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("fault", "sig", "code"),
    [
        ({"endless_body": True, "endpoints": {"playVoice"}}, signal.SIGINT, 130),
        ({"endless_body": True, "gzip": True, "endpoints": {"playVoice"}}, signal.SIGINT, 130),
        ({"endless_body": True, "endpoints": {"playVoice"}}, signal.SIGTERM, 143),
        ({"trickle": 0.05, "endpoints": {"requestPlayVoice"}}, signal.SIGINT, 130),
    ],
    ids=["sigint-stream", "sigint-gzip-stream", "sigterm-stream", "sigint-trickled-token"],
)
def test_a_signal_stops_the_cli_at_once_and_leaves_nothing(
    emulator, emulator_recordings, tmp_path, fault, sig, code
) -> None:
    """Ctrl-C (or SIGTERM) while data keeps arriving: the CLI stops within a second or
    two (a behaviour check, the bound is generous) and no partial file is left."""
    emulator.faults.set(**fault)
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen(
        [*CLI, "download", emulator_recordings[12].original_file_name, "-o", str(out / "call.wav")],
        env=_subprocess_env(emulator),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        if "playVoice" in fault["endpoints"]:  # data is pouring into the partial file
            _wait_for(lambda: any(p.stat().st_size > MB for p in out.glob(".*.part")), 30)
        else:  # the token reply is trickling in
            _wait_for(lambda: requests_to(emulator, "requestPlayVoice") > 0, 30)
            time.sleep(0.3)
        sent = time.monotonic()
        process.send_signal(sig)
        stdout, stderr = process.communicate(timeout=10)
        elapsed = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == code, stderr
    assert elapsed < 3, f"took {elapsed:.1f} s to stop"
    assert stdout == b"" and b"Traceback" not in stderr and stderr.count(b"\n") == 1
    assert files_in(out) == []
