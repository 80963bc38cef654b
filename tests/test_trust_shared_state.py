"""State shared by several processes (issue 14 B): the token store is merged under a lock,
bad entries in it are skipped with one warning, folders are private, the audit log is not
followed through a planted link and its reader is bounded and cancellable."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from ccfs_tui.core.clock import FakeClock
from ccfs_tui.core.tokens import Token, TokenStore

REPO = Path(__file__).resolve().parents[1]

STORE_ADDER = """
    import sys
    from pathlib import Path
    from ccfs_tui.core.clock import utc_now
    from ccfs_tui.core.tokens import Token, TokenStore

    store = TokenStore(Path(sys.argv[1]))
    store.load()  # what a CLI does: load, then (a second later) add its token
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    n = sys.argv[2]
    store.add(Token.issued(f"TOKEN{n:>027}", f"Y:/1/0/20260301/1001/{n}.V3", utc_now(), "p",
                           "https://h:1"))
"""


def test_twelve_processes_adding_tokens_at_once_keep_all_twelve(tmp_path: Path) -> None:
    path = tmp_path / "state" / "tokens.json"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(STORE_ADDER), str(path), str(n)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        for n in range(12)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    store = TokenStore(path)
    store.load()
    assert store.load_error is None
    assert sorted(t.file_name.rsplit("/", 1)[1] for t in store.live()) == sorted(
        f"{n}.V3" for n in range(12)
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_running_store_never_drops_tokens_another_process_saved(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "tokens.json"
    tui = TokenStore(path, clock)
    tui.load()  # the TUI started first: the file was empty
    cli = TokenStore(path, clock)
    cli.load()
    saved_by_cli = Token.issued("C" * 32, "Y:/1/cli.V3", clock(), "p", "https://h:1")
    cli.add(saved_by_cli)
    mine = Token.issued("T" * 32, "Y:/1/tui.V3", clock(), "p", "https://h:1")
    tui.add(mine)  # must not overwrite the CLI's token with what the TUI has in memory
    again = TokenStore(path, clock)
    again.load()
    assert {t.token for t in again.live()} == {"C" * 32, "T" * 32}
    assert saved_by_cli in tui.all()  # and the TUI now knows it
    tui.remove(mine)  # a removal is explicit: only that token goes
    again.load()
    assert [t.token for t in again.live()] == ["C" * 32]
    # a renewal by another process is not undone by an older token saved later
    clock.advance(60)
    newer = Token.issued("N" * 32, "Y:/1/cli.V3", clock(), "p", "https://h:1")
    cli.add(newer)
    older = TokenStore(path, clock)
    older._pending[(saved_by_cli.file_name, "p")] = saved_by_cli  # written late (a failed write)
    older.save()
    again.load()
    assert [t.token for t in again.live()] == ["N" * 32]


def _entry(**changes: object) -> dict[str, object]:
    clock = FakeClock()
    data: dict[str, object] = dict(Token.issued("A" * 32, "Y:/1/a.V3", clock(), "p").to_json())
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "bad",
    [
        _entry(issued_at="2026-11-24T08:00:00", file_name="Y:/1/naive.V3"),  # no UTC offset
        _entry(expires_at="2026-11-24 08:30:00", file_name="Y:/1/naive2.V3"),
        _entry(expires_at=12, file_name="Y:/1/number.V3"),
        _entry(token={"x": 1}),
        _entry(file_name=None),
        "just a string",
        [1, 2],
        None,
    ],
)
def test_bad_token_entries_are_skipped_with_one_warning(tmp_path: Path, bad: object) -> None:
    clock = FakeClock()
    path = tmp_path / "tokens.json"
    good = _entry(token="G" * 32, file_name="Y:/1/good.V3")
    path.write_text(json.dumps({"version": 1, "tokens": [bad, good, bad]}))
    store = TokenStore(path, clock)
    store.load()  # no traceback: the good token loads, the bad ones are named once
    assert [t.token for t in store.live()] == ["G" * 32]
    assert store.load_error is not None and "skipped 2 unreadable token entries" in store.load_error
    store.add(Token.issued("B" * 32, "Y:/1/b.V3", clock(), "p"))  # and it can still be written
    again = TokenStore(path, clock)
    again.load()
    assert again.load_error is None and len(again.live()) == 2


def test_deeply_nested_token_store_is_ignored_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    store = TokenStore(path, FakeClock())
    store.load()
    assert store.all() == [] and store.load_error and "could not read it" in store.load_error
    path.write_text('{"tokens": ' + "[" * 200_000 + "]" * 200_000 + "}")
    store.load()
    assert store.all() == [] and store.load_error


def test_cli_warns_once_about_bad_token_entries(
    tmp_path: Path, cli_env, emulator_recordings, capsys
) -> None:
    from ccfs_tui.cli import main
    from ccfs_tui.core.paths import app_paths

    store = app_paths().token_store
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_text(json.dumps({"tokens": [_entry(issued_at="2026-11-24T08:00:00")]}))
    code = main(["token", emulator_recordings[0].original_file_name])
    out, err = capsys.readouterr()
    assert code == 0 and out.strip()
    assert err.count("\n") == 1 and "skipped 1 unreadable token entry" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- folders


def test_folders_the_tool_creates_are_private(tmp_path: Path) -> None:
    from ccfs_tui.core.atomic import atomic_write_text
    from ccfs_tui.core.audit import AuditLog

    state = tmp_path / "new" / "deeper" / "state"
    atomic_write_text(state / "tokens.json", "{}")
    for folder in (tmp_path / "new", tmp_path / "new" / "deeper", state):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    log_dir = tmp_path / "logs" / "state"
    AuditLog(log_dir / "audit.jsonl").record(
        profile="p", app_id="a", action="x", file_name="f", outcome="ok"
    )
    assert stat.S_IMODE(log_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "logs").stat().st_mode) == 0o700


async def test_download_folder_the_client_creates_is_private(emulator, tmp_path: Path) -> None:
    from ccfs_tui.core.client import CcfsClient
    from ccfs_tui.core.config import Profile

    ((app_id, secret),) = emulator.credentials.items()
    entry = next(iter(emulator.catalogue))
    folder = tmp_path / "made" / "downloads"
    profile = Profile(base_url=emulator.base_url, app_id=app_id, download_dir=folder)
    async with CcfsClient(profile, secret, guard=None) as client:
        path = await client.download(entry.file_name, source="record")
    assert path is not None and path.parent == folder
    for made in (folder, folder.parent):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700, made


# --------------------------------------------------------------------------- audit log


def _entry_line(name: str) -> bytes:
    entry = {
        "time": "2026-11-24T08:00:00Z", "profile": "p", "app_id": "a", "action": "x",
        "file_name": name, "outcome": "ok",
    }  # fmt: skip
    return json.dumps(entry).encode() + b"\n"


def test_audit_log_is_not_followed_through_a_planted_link(tmp_path: Path) -> None:
    from ccfs_tui.core.audit import AuditLog

    target = tmp_path / "elsewhere.txt"
    target.write_text("precious\n")
    link = tmp_path / "state" / "audit.jsonl"
    link.parent.mkdir()
    link.symlink_to(target)
    warnings: list[str] = []
    log = AuditLog(link, on_warning=warnings.append)
    for _ in range(3):
        log.record(profile="p", app_id="a", action="x", file_name="f", outcome="ok")
    assert target.read_text() == "precious\n"  # nothing appended through the link
    assert len(warnings) == 1 and "symbolic link" in warnings[0] and str(link) in warnings[0]
    assert log.warning == warnings[0]
    with pytest.raises(OSError, match="symbolic link"):
        log.recent()


def test_unwritable_audit_log_is_one_warning_not_silence(tmp_path: Path) -> None:
    from ccfs_tui.core.audit import AuditLog

    path = tmp_path / "audit.jsonl"
    path.mkdir()  # in the way: cannot be opened for writing (works as root too)
    warnings: list[str] = []
    log = AuditLog(path, on_warning=warnings.append)
    for _ in range(3):
        log.record(profile="p", app_id="a", action="x", file_name="f", outcome="ok")
    assert len(warnings) == 1 and str(path) in warnings[0] and "not being audited" in warnings[0]


def test_cli_warns_once_when_the_audit_log_cannot_be_written(
    cli_env, emulator_recordings, capsys
) -> None:
    from ccfs_tui.cli import main
    from ccfs_tui.core.paths import app_paths

    app_paths().audit_log.mkdir(parents=True)
    rec = emulator_recordings[0]
    code = main(["download", rec.original_file_name, "-o", str(app_paths().state_dir / "a.wav")])
    out, err = capsys.readouterr()
    assert code == 0 and out.strip()
    assert err.count("\n") == 1 and "warning: Cannot write the audit log" in err


def test_audit_reader_skips_a_huge_last_line_quickly(tmp_path: Path) -> None:
    from ccfs_tui.core.audit import MAX_LINE, AuditLog

    path = tmp_path / "audit.jsonl"
    with path.open("wb") as handle:
        handle.write(_entry_line("first") + _entry_line("second"))
        handle.truncate(handle.tell() + (1 << 30))  # a 1 GB line (sparse: no disk used)
        handle.seek(0, os.SEEK_END)
        handle.write(b"\n" + _entry_line("after") + b"x" * (MAX_LINE + 10) + b"\n")
        handle.write(_entry_line("last"))
    log = AuditLog(path)
    result: list[object] = []
    reader = threading.Thread(target=lambda: result.append(log.recent(10)), daemon=True)
    reader.start()
    reader.join(120)  # the quadratic reader took hours on this file
    assert not reader.is_alive(), "the audit reader is stuck on a huge line"
    assert [e.file_name for e in result[0]] == ["first", "second", "after", "last"]  # type: ignore[attr-defined]
    assert log.skipped_lines == 2


def test_audit_reader_stops_when_cancelled(tmp_path: Path) -> None:
    from ccfs_tui.core.audit import AuditLog

    path = tmp_path / "audit.jsonl"
    with path.open("wb") as handle:
        handle.truncate(4 << 30)  # 4 GB with no newline (sparse)
    calls = [0]

    def cancelled() -> bool:
        calls[0] += 1
        return calls[0] > 3

    assert AuditLog(path).recent(10, cancelled) == []
    assert calls[0] == 4  # asked between blocks, stopped at once


def test_audit_text_output_cannot_be_forged_by_a_newline(capsys) -> None:
    from ccfs_tui.cli import main
    from ccfs_tui.core.audit import AuditLog
    from ccfs_tui.core.paths import app_paths

    forged = "Y:/1/a.V3\n2026-11-24T09:00:00Z  prod/ak  playVoice          ok [0]  Y:/forged.V3"
    AuditLog(app_paths().audit_log).record(
        profile="p", app_id="ak", action="requestPlayVoice", file_name=forged, outcome="auth"
    )
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "\\x0a2026-11-24T09:00:00Z" in out
    assert main(["audit", "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and json.loads(out)["file_name"] == forged
