"""State that survives: audit appends from several processes at once, a token store written
by a process that is SIGKILLed again and again, leftovers of killed writers, a damaged log.
"""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from ccfs_tui.core.atomic import STALE_TEMP_AGE, atomic_write_text
from ccfs_tui.core.audit import AuditLog
from ccfs_tui.core.tokens import TokenStore

REPO = Path(__file__).resolve().parents[1]


def python(code: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


# --------------------------------------------------------------------------- audit log

AUDIT_WRITER = """
    import sys
    from pathlib import Path
    from ccfs_tui.core.audit import AuditLog

    log = AuditLog(Path(sys.argv[1]))
    writer, count = sys.argv[2], int(sys.argv[3])
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    for i in range(count):
        # every 10th entry is longer than PIPE_BUF (4 KiB): still one intact line
        name = f"{writer}:{i}:" + ("y" * 6000 if i % 10 == 0 else "")
        log.record(profile=writer, app_id="ak", action="requestPlayVoice", file_name=name,
                   outcome="ok", result_code="0", token_fingerprint=f"{i:012x}",
                   detail="d" * (i % 300))
"""


def test_audit_appends_from_four_processes_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state" / "audit.jsonl"
    writers, count = 4, 300
    procs = []
    for n in range(writers):
        proc = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(AUDIT_WRITER), str(path), f"w{n}", str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        procs.append(proc)
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err

    raw = path.read_bytes()
    assert raw.endswith(b"\n")
    lines = raw.split(b"\n")[:-1]
    assert len(lines) == writers * count
    seen = set()
    for line in lines:
        entry = json.loads(line)  # every line is whole, valid JSON
        writer, index, *_ = entry["file_name"].split(":")
        assert entry["profile"] == writer and entry["token_fingerprint"] == f"{int(index):012x}"
        assert entry["detail"] == "d" * (int(index) % 300)
        seen.add((writer, int(index)))
    assert seen == {(f"w{n}", i) for n in range(writers) for i in range(count)}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    recent = AuditLog(path).recent(writers * count + 10)
    assert len(recent) == writers * count


def test_recent_reads_the_end_of_a_long_damaged_log(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    for i in range(2_000):
        log.record(profile="p", app_id="a", action="x", file_name=f"f{i}", outcome="ok")
    with log.path.open("ab") as handle:
        handle.write(b"\xff\xfe not json\n")  # damage
        handle.write(b'{"time": 1, "profile": null}\n')  # JSON, wrong types
        handle.write(b"[1, 2]\n")
    log.record(profile="p", app_id="a", action="x", file_name="last", outcome="ok")
    with log.path.open("ab") as handle:
        handle.write(b'{"time": "2026-')  # a writer still appending (or killed mid-line)
    names = [e.file_name for e in log.recent(5)]
    assert names == ["f1996", "f1997", "f1998", "f1999", "last"]
    assert [e.file_name for e in log.recent(3_000)][:2] == ["f0", "f1"]
    assert log.recent(0) == [] and log.recent(-1) == []


# --------------------------------------------------------------------------- token store

STORE_WRITER = """
    import sys
    from pathlib import Path
    from ccfs_tui.core.clock import utc_now
    from ccfs_tui.core.tokens import Token, TokenStore

    path = Path(sys.argv[1])
    now = utc_now()
    store = TokenStore(None)
    for k in range(1500):  # a big store: each save takes a while, kills land inside it
        store.add(Token.issued(f"{k:032X}", f"Y:/1/0/20260301/1001/{k}.V3", now, "p", "https://h:1"))
    store.path = path
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        store.add(Token.issued(f"{i:032X}", f"Y:/1/0/20260301/1001/{i % 1500}.V3", now, "p",
                               "https://h:1"))
"""


def test_sigkill_during_token_store_writes_never_corrupts_it(tmp_path: Path) -> None:
    path = tmp_path / "state" / "tokens.json"
    rng = random.Random(2026)
    for _round in range(12):
        before = path.stat().st_mtime_ns if path.exists() else 0
        proc = python(STORE_WRITER, str(path))
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 30
        while not path.exists() or path.stat().st_mtime_ns == before:  # at least one write
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        proc.stdout.close()
        proc.stderr.close()  # type: ignore[union-attr]

        data = json.loads(path.read_text(encoding="utf-8"))  # whole, valid JSON
        assert data["version"] == 1 and len(data["tokens"]) == 1500
        store = TokenStore(path)
        store.load()
        assert store.load_error is None and len(store.live()) == 1500
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # a killed writer may leave its temporary file: private, never under the final name
    for leftover in path.parent.glob(".tokens.json.*.tmp"):
        assert stat.S_IMODE(leftover.stat().st_mode) == 0o600


def test_leftover_temp_files_of_killed_writers_are_removed_later(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    old = tmp_path / ".tokens.json.abc123.tmp"
    fresh = tmp_path / ".tokens.json.def456.tmp"  # may belong to a writer still running
    other = tmp_path / ".config.toml.xyz.tmp"
    for leftover in (old, fresh, other):
        leftover.write_text("{half")
    stale = time.time() - STALE_TEMP_AGE - 60
    os.utime(old, (stale, stale))
    os.utime(other, (stale, stale))
    atomic_write_text(path, '{"version": 1, "tokens": []}')
    assert path.read_text() == '{"version": 1, "tokens": []}'
    assert not old.exists() and fresh.exists() and other.exists()
