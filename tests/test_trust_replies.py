"""Server replies and file texts that cannot reach the terminal raw (issue 14, part A).

A token holding escape sequences, a megabyte of ``resultDesc`` with escapes, a
``resultData`` that is a list, JSON nested 100,000 deep, a 100 MB reply, a reply that
trickles one byte at a time, a gzip bomb; index files, zip members and audit entries whose
names hold escapes, bidi overrides or newlines. Each ends in one clear line with the
foreign text made visible (``\\x1b``, ``\\u202e``), cut to a few hundred characters.
"""

from __future__ import annotations

import asyncio
import json
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from ccfs_tui.cli import main
from ccfs_tui.core.client import CcfsClient
from ccfs_tui.core.config import Profile
from ccfs_tui.core.errors import CcfsBadReplyError, CcfsTimeoutError
from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.tokens import Token
from ccfs_tui.emulator import Emulator

AK = "demo-ak"  # the conftest emulator's credentials
SK = "demo-sk-0123456789"
ESCAPES = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b31m\u202e"
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def clean_line(err: str, limit: int = 1200) -> str:
    """One line on stderr, no raw control character, no traceback, not too long."""
    assert err.count("\n") == 1 and err.startswith("ccfs-tui: "), err[:500]
    assert "Traceback" not in err and len(err) < limit, len(err)
    assert not any(c in err for c in RAW_CONTROLS), err
    return err


def profile(emu: Emulator, tmp_path: Path, **changes: object) -> Profile:
    base = Profile(
        name="t",
        base_url=emu.base_url,
        app_id=AK,
        download_dir=tmp_path / "dl",
        read_timeout=5.0,
        retry_backoff=0.01,
    )
    return base.with_overrides(**changes) if changes else base


def reply(**fields: object) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode("utf-8")


# ----------------------------------------------------------------------- the sanitiser


def test_the_sanitiser_shows_controls_and_bidi_and_cuts_long_text() -> None:
    from ccfs_tui.core.sanitize import error_text, is_visible, json_visible, visible

    assert visible("a\x1b[2Jb\nc\u202ed\x9be\x7f") == "a\\x1b[2Jb\\x0ac\\u202ed\\x9be\\x7f"
    assert visible("X:\\17\\0\\录音.V3 é") == "X:\\17\\0\\录音.V3 é"  # ordinary text kept
    assert visible("\udcff") == "\\udcff"  # a lone surrogate cannot break the output
    assert is_visible("plain") and not is_visible("a\tb")
    cut = error_text("\x1b" * 10_000)
    assert len(cut) <= 301 and cut.endswith("…") and "\x1b" not in cut
    assert cut[:-1].endswith("\\x1b")  # an escape is never cut in half
    assert error_text("short") == "short"
    value = {"name": "a\u202eb\x85c\u2028\x1bd"}
    text = json_visible(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value and not any(c in text for c in "\u202e\x85\u2028\x1b")


# ----------------------------------------------------------------------- tokens


@pytest.mark.parametrize(
    "token",
    ["AB\x1b[2JCD" + "0" * 24, "ABCD\u202eEF", "AB CD", "AB\nCD", "é" * 8, "A" * 5000],
    ids=["esc", "bidi", "space", "newline", "non-ascii", "too-long"],
)
def test_a_token_that_is_not_plain_text_is_refused(
    cli_env, emulator_recordings, capsys, token
) -> None:
    body = reply(resultCode="0", resultDesc="success", resultData={"token": token})
    cli_env.faults.set(reply_body=body, endpoints={"requestPlayVoice"})
    code, out, err = run(capsys, "token", emulator_recordings[0].original_file_name)
    assert (code, out) == (5, "")
    assert "token that is not plain text" in clean_line(err)
    assert token not in err and not app_paths().token_store.exists()


async def test_a_stored_token_that_is_not_plain_text_is_never_used(
    emulator, emulator_recordings, tmp_path
) -> None:
    """A token read back from a tampered store file: no URL, no download."""
    from ccfs_tui.core.errors import CcfsBadTokenError
    from ccfs_tui.core.sanitize import check_token

    async with CcfsClient(profile(emulator, tmp_path), Secret(SK)) as client:
        good = await client.request_play_token(emulator_recordings[1].original_file_name)
        bad = Token(
            "AB\x1b[2J", good.file_name, good.issued_at, good.expires_at, "t", good.base_url
        )
        before = len(emulator.requests_seen)
        with pytest.raises(CcfsBadTokenError):
            client.playback_url(bad)
        with pytest.raises(CcfsBadTokenError):
            await client.download(bad)
    assert len(emulator.requests_seen) == before
    assert check_token(good.token) == good.token


# ----------------------------------------------------------------------- server texts


@pytest.mark.parametrize("endpoint", ["requestPlayVoice", "playVoice"])
def test_a_huge_result_desc_with_escapes_is_one_short_visible_line(
    cli_env, emulator_recordings, capsys, tmp_path, endpoint
) -> None:
    desc = ESCAPES + "A" * 400_000  # twice in the reply (resultDesc, resultMsg): under 1 MiB
    if endpoint == "requestPlayVoice":
        cli_env.faults.set(result_code="0399999", result_desc=desc, endpoints={endpoint})
    else:  # JSON under octet-stream, cut at 64 KiB: still one line, escapes shown
        cli_env.faults.set(
            json_error_as_audio=True, result_code="0399999", result_desc=desc[:30_000]
        )
        cli_env.faults.endpoints = frozenset({endpoint})
    out_file = tmp_path / "x.wav"
    code, out, err = run(
        capsys, "download", emulator_recordings[2].original_file_name, "-o", str(out_file)
    )
    assert (code, out) == (6, "")
    line = clean_line(err)
    assert "0399999" in line and "\\x1b]52;c;" in line and "\\u202e" in line and "…" in line
    assert not out_file.exists()


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (reply(resultCode="0", resultData=["token", "x"]), "resultData is a list"),
        (reply(resultCode="0", resultData="TOKEN"), "resultData is a string"),
        (reply(resultCode="0", resultData={"token": ["x"]}), "resultData.token is missing"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply"),
        (b"[1, 2]", "not a JSON object but a list"),
        (b"\x1b[2J<html>", "not JSON"),
    ],
    ids=["list", "string", "token-list", "deep-list", "deep-object", "top-list", "escapes"],
)
def test_odd_json_replies_are_one_clear_line(
    cli_env, emulator_recordings, capsys, body, text
) -> None:
    cli_env.faults.set(reply_body=body, endpoints={"requestPlayVoice"})
    code, out, err = run(capsys, "token", emulator_recordings[3].original_file_name)
    assert (code, out) == (5, "")
    assert text in clean_line(err)


async def test_a_100_mb_reply_is_not_read_whole(emulator, emulator_recordings, tmp_path) -> None:
    """An endless JSON reply: refused once it passes 1 MiB, not read into memory."""
    emulator.faults.set(endless_body=True, endpoints={"requestPlayVoice"})
    async with CcfsClient(profile(emulator, tmp_path), Secret(SK)) as client:
        with pytest.raises(CcfsBadReplyError, match="longer than 1024 KiB"):
            await asyncio.wait_for(
                client.request_play_token(emulator_recordings[4].original_file_name), 20
            )


async def test_a_gzip_bomb_reply_is_decoded_only_up_to_the_cap(
    emulator, emulator_recordings, tmp_path
) -> None:
    """64 MiB of JSON whitespace sent as about 64 KiB of gzip (a 1 MB bomb took 2.1 GB)."""
    body = b'{"resultCode":"0","resultData":{"token":"AB"}}' + b" " * (64 << 20)
    emulator.faults.set(reply_body=body, gzip=True, endpoints={"requestPlayVoice"})
    name = emulator_recordings[5].original_file_name
    async with CcfsClient(profile(emulator, tmp_path), Secret(SK)) as client:
        tracemalloc.start()
        try:
            with pytest.raises(CcfsBadReplyError, match="longer than 1024 KiB"):
                await asyncio.wait_for(client.request_play_token(name), 30)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 16 << 20, f"peak {peak >> 20} MiB"


async def test_a_trickling_reply_hits_request_timeout(
    emulator, emulator_recordings, tmp_path
) -> None:
    """One byte every 50 ms never trips read_timeout (it applies per read)."""
    emulator.faults.set(trickle=0.05, endpoints={"requestPlayVoice"})
    settings = profile(emulator, tmp_path, request_timeout=1.0, read_timeout=5.0)
    async with CcfsClient(settings, Secret(SK)) as client:
        started = time.monotonic()
        with pytest.raises(CcfsTimeoutError, match="whole reply within 1 s") as info:
            await asyncio.wait_for(
                client.request_play_token(emulator_recordings[6].original_file_name), 20
            )
    assert time.monotonic() - started < 4
    assert "request_timeout" in info.value.hint


# ----------------------------------------------------------------------- file texts


def test_index_problems_from_hostile_files_are_shown_not_executed(capsys, tmp_path) -> None:
    folder = tmp_path / "idx"
    folder.mkdir()
    fields = ["dev", "acc", "1", "1001", "call1", "138", "4008"]
    bad_date = [*fields, f"2026-13-01 {ESCAPES}", "2026-11-20 10:00:00", "/1/a.wav"]
    bad_date += ["0", "success", "Y:/1/a.V3", "1", "0", "5", "1", "1"]
    (folder / f"evil{ESCAPES}_record.csv").write_text(",".join(bad_date) + "\n")
    with zipfile.ZipFile(folder / "bill.zip", "w") as archive:
        archive.writestr(f"x{ESCAPES}\nforged line.csv", "nothing")
    _, out, err = run(capsys, "index", str(folder))
    lines = err.splitlines()
    assert len(lines) == 2, err  # one per problem: a newline in a name forges no line
    assert not any(c in err for c in RAW_CONTROLS)
    assert all("\\x1b" in line for line in lines) and "\\x0aforged line.csv" in err
    assert "0 recordings" in out


def test_audit_output_shows_escapes_and_bidi_as_text(capsys) -> None:
    from ccfs_tui.core.audit import AuditLog

    AuditLog(app_paths().audit_log).record(
        profile=f"p{ESCAPES}",
        app_id="ak",
        action="playVoice",
        file_name=f"Y:/{ESCAPES}/a.V3",
        outcome="error",
        detail=ESCAPES,
    )
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and not any(c in out for c in RAW_CONTROLS)
    assert main(["audit", "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and not any(c in out for c in RAW_CONTROLS)
    assert json.loads(out)["file_name"] == f"Y:/{ESCAPES}/a.V3"
