"""``ccfs-tui listen``, end to end: the CLI in a subprocess against the emulator on loopback,
its two stdout lines read as a script would, the page and a range of the audio fetched,
then Ctrl-C (SIGINT) or SIGTERM: exit 0, the private download folder gone."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

SAFETY_SECONDS = 60  # only so that a broken build fails instead of hanging


class _Lines:
    """The stdout lines of a process, read as they come (by a thread: no read blocks the
    test beyond the safety limit)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.queue.put(line.rstrip("\n"))

    def next(self) -> str:
        try:
            return self.queue.get(timeout=SAFETY_SECONDS)
        except queue.Empty:
            raise AssertionError("no output from ccfs-tui listen") from None


@contextmanager
def _listen(
    *args: str, user: str = "alice", ssh_connection: str | None = None
) -> Iterator[subprocess.Popen[str]]:
    environment = {**os.environ, "USER": user}
    environment.pop("SSH_CONNECTION", None)
    if ssh_connection is not None:
        environment["SSH_CONNECTION"] = ssh_connection
    proc = subprocess.Popen(
        [sys.executable, "-m", "ccfs_tui", "listen", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _stop(proc: subprocess.Popen[str], signum: int) -> tuple[int, str]:
    proc.send_signal(signum)
    proc.wait(timeout=SAFETY_SECONDS)
    assert proc.stderr is not None
    return proc.returncode, proc.stderr.read()


def _listen_folders(home: Path) -> list[Path]:
    return sorted((home / "cache").rglob("listen-*"))


def test_listen_prints_url_and_ssh_line_serves_and_stops_on_ctrl_c(
    cli_env, emulator_recordings, isolated_dirs: Path
) -> None:
    recording = emulator_recordings[0]
    with _listen(recording.original_file_name, "--port", "0") as proc:
        lines = _Lines(proc)
        url = lines.next()
        ssh = lines.next()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        port = url.split(":")[2].split("/")[0]
        assert ssh == f"ssh -L {port}:127.0.0.1:{port} alice@JUMP_HOST"
        page = httpx.get(url)
        assert page.status_code == 200
        assert "<audio controls" in page.text
        assert httpx.get(url.rsplit("/", 2)[0] + "/").status_code == 404
        audio = httpx.get(url + "audio.wav", headers={"Range": "bytes=0-99"})
        assert audio.status_code == 206
        assert audio.content[:4] == b"RIFF" and len(audio.content) == 100
        assert audio.headers["content-range"].startswith("bytes 0-99/")
        original = httpx.get(url + "download")
        assert original.content[:4] == b"RIFF"
        assert original.content[20:22] == b"\x06\x00"  # as CC-FS sent it: A-law
        assert _listen_folders(isolated_dirs)  # the recording sits in a private folder ...
        assert oct(_listen_folders(isolated_dirs)[0].stat().st_mode & 0o777) == "0o700"
        code, err = _stop(proc, signal.SIGINT)
    assert code == 0, err
    assert "Traceback" not in err
    assert not _listen_folders(isolated_dirs)  # ... removed at the end
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)


def test_listen_record_file_over_ssh_names_the_host_and_stops_on_sigterm(
    cli_env, emulator_recordings
) -> None:
    recording = emulator_recordings[1]
    with _listen(
        "--record", recording.file_name, user="bob", ssh_connection="10.1.2.3 50000 10.9.8.7 2222"
    ) as proc:
        lines = _Lines(proc)
        url = lines.next()
        ssh = lines.next()
        port = url.split(":")[2].split("/")[0]
        assert ssh == f"ssh -p 2222 -L {port}:127.0.0.1:{port} bob@10.9.8.7"
        assert httpx.get(url + "audio.wav").content[:4] == b"RIFF"
        code, err = _stop(proc, signal.SIGTERM)
    assert code == 0, err
    assert "run the ssh line" in err


def test_listen_by_call_id(cli_env, emulator_recordings) -> None:
    recording = emulator_recordings[2]
    with _listen("--call-id", recording.call_id) as proc:
        lines = _Lines(proc)
        url = lines.next()
        assert lines.next().startswith("ssh -L ")
        page = httpx.get(url).text
        assert recording.call_id in page
        assert httpx.get(url + "audio.wav").content[:4] == b"RIFF"
        code, err = _stop(proc, signal.SIGINT)
    assert code == 0, err


def test_listen_by_call_id_with_two_recordings_prints_a_url_for_each(cli_env) -> None:
    from ccfs_tui.emulator.catalogue import CatalogueEntry

    call_id = "1763700000-7770001"
    for i in (1, 2):
        cli_env.catalogue.add(
            CatalogueEntry(
                f"/10/1/record/100/100{i}/777000{i}.wav",
                f"Y:/1/0/20261121/100{i}/777000{i}.V3",
                call_id,
                "1",
                "demo-ak",
                20.0 * i,
            )
        )
    with _listen("--call-id", call_id, "--cc-id", "1") as proc:
        lines = _Lines(proc)
        first, second, ssh = lines.next(), lines.next(), lines.next()
        assert first != second and ssh.startswith("ssh -L ")
        durations = []
        for url in (first, second):
            response = httpx.get(url + "audio.wav")
            assert response.status_code == 200
            durations.append(len(response.content))
        assert durations[0] != durations[1]  # two recordings, not one twice
        code, err = _stop(proc, signal.SIGINT)
    assert code == 0, err


def test_listen_needs_exactly_one_source(cli_env) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ccfs_tui", "listen"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "give one of FILE_NAME, --record FILE or --call-id ID" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_listen_unknown_file_is_one_line_and_frees_the_port(cli_env) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ccfs_tui", "listen", "X:/no/such/file.V3"],
        capture_output=True,
        text=True,
        check=False,
        timeout=SAFETY_SECONDS,
    )
    assert done.returncode == 6, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_listen_on_a_busy_port_says_so_before_any_request(cli_env) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "ccfs_tui", "listen", "X:/a.V3", "--port", str(port)],
            capture_output=True,
            text=True,
            check=False,
            timeout=SAFETY_SECONDS,
        )
    assert done.returncode == 1
    assert f"Cannot listen on 127.0.0.1 port {port}" in done.stderr
    assert not [r for r in cli_env.requests_seen if "requestPlayVoice" in r.path]
