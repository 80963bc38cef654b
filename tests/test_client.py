"""CcfsClient end to end against the embedded emulator on loopback (plain and TLS)."""

from __future__ import annotations

import json
import socket
import stat
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from ccfs_tui.core.audit import AuditLog
from ccfs_tui.core.client import CcfsClient, download_name, request_body
from ccfs_tui.core.clock import FakeClock, utc_now
from ccfs_tui.core.config import Profile
from ccfs_tui.core.errors import (
    CcfsAuthError,
    CcfsBadReplyError,
    CcfsConnectError,
    CcfsError,
    CcfsFlowControlError,
    CcfsResultError,
    CcfsServerError,
    CcfsTimeoutError,
    CcfsTlsError,
)
from ccfs_tui.core.recording import Recording
from ccfs_tui.core.secret import Secret
from ccfs_tui.emulator import Catalogue, Emulator
from ccfs_tui.emulator.sample_index import generate_recordings

AK = "client-ak"
SK = "client-sk-UNIQUE-7f3a"
RECORDINGS: list[Recording] = list(generate_recordings(40, seed=3, start=date(2026, 10, 1), days=2))


@pytest.fixture(scope="module")
def server() -> Iterator[Emulator]:
    catalogue = Catalogue.from_recordings(RECORDINGS, AK)
    with Emulator(
        credentials={AK: Secret(SK), "other-ak": Secret("x")}, catalogue=catalogue
    ) as emu:
        yield emu


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    catalogue = Catalogue.from_recordings(RECORDINGS, AK)
    with Emulator(
        tls=True,
        credentials={AK: Secret(SK)},
        catalogue=catalogue,
        cert_dir=tmp_path_factory.mktemp("cert"),
    ) as emu:
        yield emu


@pytest.fixture(autouse=True)
def no_faults(server: Emulator) -> Iterator[None]:
    server.faults.clear()
    yield
    server.faults.clear()


def _profile(emu: Emulator, tmp_path: Path, **changes: object) -> Profile:
    base = Profile(
        name="t",
        base_url=emu.base_url,
        app_id=AK,
        ca_bundle=emu.ca_bundle,
        download_dir=tmp_path / "dl",
        read_timeout=5.0,
        connect_timeout=2.0,
        retry_backoff=0.01,
    )
    return base.with_overrides(**changes) if changes else base


class Sleeps:
    """Records the backoff delays instead of waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


REC = RECORDINGS[0]


async def test_token_from_backslash_name_then_play_and_download(server: Emulator, tmp_path) -> None:
    clock = FakeClock(utc_now())
    audit = AuditLog(tmp_path / "audit.jsonl")
    async with CcfsClient(_profile(server, tmp_path), Secret(SK), clock=clock, audit=audit) as c:
        assert "\\" in REC.original_file_name
        token = await c.request_play_token(REC.original_file_name)
        assert token.file_name == REC.play_file_name
        assert token.issued_at == clock() and token.expires_at - clock() == timedelta(minutes=30)
        url = c.playback_url(token, now_ms=1764000000000)
        assert url.startswith(f"{server.base_url}/CCFS/resource/ccfs/playVoice?t=1764000000000")
        assert "&version=2.0&st=" in url
        seen: list[tuple[int, int | None]] = []
        path = await c.download(token, progress=lambda done, total: seen.append((done, total)))
    assert path == tmp_path / "dl" / download_name(REC.play_file_name)
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert seen[-1] == (len(data), len(data))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entries = audit.recent()
    assert [(e.action, e.outcome) for e in entries] == [
        ("requestPlayVoice", "ok"),
        ("playVoice", "ok"),
    ]
    assert entries[0].token_fingerprint == token.fingerprint
    assert token.token not in audit.path.read_text()


async def test_download_record_file(server: Emulator, tmp_path) -> None:
    async with CcfsClient(_profile(server, tmp_path), Secret(SK)) as c:
        path = await c.download(REC.file_name, tmp_path / "x.wav", source="record")
    assert path.read_bytes()[:4] == b"RIFF"


async def test_request_body_is_compact_json_with_version() -> None:
    body = request_body("Y:/录音/1.V3")
    assert body == '{"request":{"version":"2.0"},"msgBody":{"fileName":"Y:/录音/1.V3"}}'


async def test_preview_shows_shortened_signature_never_secret(server: Emulator, tmp_path) -> None:
    async with CcfsClient(_profile(server, tmp_path), Secret(SK)) as c:
        preview = c.preview(REC.original_file_name)
    assert preview.method == "POST" and preview.url.endswith("/requestPlayVoice")
    assert preview.headers["Authorization"].startswith(f"auth-v2/{AK}/")
    assert "…" in preview.headers["Authorization"]
    assert json.loads(preview.body)["msgBody"]["fileName"] == REC.play_file_name
    assert SK not in repr(preview)


async def test_wrong_secret_is_401_with_clock_hint(server: Emulator, tmp_path) -> None:
    async with CcfsClient(_profile(server, tmp_path), Secret("wrong-sk")) as c:
        with pytest.raises(CcfsAuthError) as info:
            await c.request_play_token(REC.original_file_name)
    text = str(info.value)
    assert "401" in text and "local UTC time is" in text and "wrong-sk" not in text


async def test_skewed_clock_is_401_showing_local_time(server: Emulator, tmp_path) -> None:
    skewed = FakeClock(utc_now() + timedelta(hours=2))
    async with CcfsClient(_profile(server, tmp_path), Secret(SK), clock=skewed) as c:
        with pytest.raises(CcfsAuthError) as info:
            await c.request_play_token(REC.original_file_name)
    assert skewed().strftime("%Y-%m-%d %H:%M") in str(info.value)


async def test_host_only_signing_is_accepted(server: Emulator, tmp_path) -> None:
    profile = _profile(server, tmp_path, signed_headers=("host",))
    async with CcfsClient(profile, Secret(SK)) as c:
        assert (await c.request_play_token(REC.original_file_name)).token


async def test_unknown_file_and_foreign_owner_show_server_text(server: Emulator, tmp_path) -> None:
    async with CcfsClient(_profile(server, tmp_path), Secret(SK)) as c:
        with pytest.raises(CcfsResultError) as info:
            await c.request_play_token("Y:/no/such/file.V3")
    assert info.value.result_code and info.value.desc in str(info.value)
    async with CcfsClient(_profile(server, tmp_path, app_id="other-ak"), Secret("x")) as c:
        with pytest.raises(CcfsResultError) as other:
            await c.request_play_token(REC.original_file_name)
    assert other.value.result_code != info.value.result_code


async def test_flow_control_is_retried_with_backoff(server: Emulator, tmp_path) -> None:
    sleeps = Sleeps()
    server.faults.set(result_code="0300008", times=2)
    async with CcfsClient(_profile(server, tmp_path), Secret(SK), sleep=sleeps) as c:
        token = await c.request_play_token(REC.original_file_name)
    assert token.token and sleeps.delays == [0.01, 0.02]


async def test_flow_control_gives_up_with_a_clear_message(server: Emulator, tmp_path) -> None:
    sleeps = Sleeps()
    server.faults.set(result_code="0300009")
    async with CcfsClient(_profile(server, tmp_path), Secret(SK), sleep=sleeps) as c:
        with pytest.raises(CcfsFlowControlError) as info:
            await c.request_play_token(REC.original_file_name)
    assert "0300009" in str(info.value) and "retried 2 time(s)" in str(info.value)
    assert len(sleeps.delays) == 2


async def test_timeout(server: Emulator, tmp_path) -> None:
    server.faults.set(latency=1.5, times=1)
    async with CcfsClient(_profile(server, tmp_path, read_timeout=0.3), Secret(SK)) as c:
        with pytest.raises(CcfsTimeoutError, match=r"did not answer within 0\.3 s"):
            await c.request_play_token(REC.original_file_name)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors(server: Emulator, tmp_path, status: int) -> None:
    server.faults.set(status=status, times=1)
    async with CcfsClient(_profile(server, tmp_path), Secret(SK)) as c:
        with pytest.raises(CcfsServerError) as info:
            await c.request_play_token(REC.original_file_name)
    assert info.value.status == status and "retry" in info.value.hint


async def test_non_json_reply(server: Emulator, tmp_path) -> None:
    server.faults.set(non_json=True, times=1)
    async with CcfsClient(_profile(server, tmp_path), Secret(SK)) as c:
        with pytest.raises(CcfsBadReplyError, match=r"not JSON .*text/html"):
            await c.request_play_token(REC.original_file_name)


async def test_dropped_connection(server: Emulator, tmp_path) -> None:
    server.faults.set(drop=True, times=1)
    async with CcfsClient(_profile(server, tmp_path), Secret(SK)) as c:
        with pytest.raises(CcfsConnectError, match="dropped the connection"):
            await c.request_play_token(REC.original_file_name)


async def test_refused_connection(tmp_path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    profile = Profile(name="t", base_url=f"http://127.0.0.1:{port}", app_id=AK)
    async with CcfsClient(profile, Secret(SK)) as c:
        with pytest.raises(CcfsConnectError, match="refused"):
            await c.request_play_token("Y:/a.V3")


async def test_dns_failure_message() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    profile = Profile(name="t", base_url="https://cc-fs.invalid:9443", app_id=AK)
    async with CcfsClient(profile, Secret(SK), transport=httpx.MockTransport(fail)) as c:
        with pytest.raises(CcfsConnectError, match="Cannot resolve the host name"):
            await c.request_play_token("Y:/a.V3")


async def test_json_error_under_octet_stream_leaves_no_file(server: Emulator, tmp_path) -> None:
    async with CcfsClient(_profile(server, tmp_path), Secret(SK)) as c:
        token = await c.request_play_token(REC.original_file_name)
        server.faults.set(json_error_as_audio=True, times=1)
        dest = tmp_path / "out.wav"
        with pytest.raises(CcfsResultError):
            await c.download(token, dest)
    assert not dest.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


async def test_reset_mid_download_leaves_no_file(server: Emulator, tmp_path) -> None:
    async with CcfsClient(_profile(server, tmp_path), Secret(SK)) as c:
        token = await c.request_play_token(REC.original_file_name)
        server.faults.set(drop_mid_body=True, times=1)
        dest = tmp_path / "out.wav"
        with pytest.raises(CcfsConnectError):
            await c.download(token, dest)
    assert not dest.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


async def test_expired_token_is_refused_by_playvoice(tmp_path) -> None:
    server_clock = FakeClock(utc_now())
    catalogue = Catalogue.from_recordings(RECORDINGS, AK)
    with Emulator(credentials={AK: Secret(SK)}, catalogue=catalogue, clock=server_clock) as emu:
        async with CcfsClient(_profile(emu, tmp_path), Secret(SK)) as c:
            token = await c.request_play_token(REC.original_file_name)
            server_clock.advance(minutes=30, seconds=1)
            with pytest.raises(CcfsResultError, match="expired"):
                await c.download(token, tmp_path / "late.wav")


async def test_tls_with_ca_bundle(tls_server: Emulator, tmp_path) -> None:
    assert tls_server.base_url.startswith("https://") and tls_server.ca_bundle
    async with CcfsClient(_profile(tls_server, tmp_path), Secret(SK)) as c:
        token = await c.request_play_token(REC.original_file_name)
        path = await c.download(token, tmp_path / "tls.wav")
    assert path.read_bytes()[:4] == b"RIFF"


async def test_tls_without_ca_bundle_points_at_the_setting(tls_server: Emulator, tmp_path) -> None:
    async with CcfsClient(_profile(tls_server, tmp_path, ca_bundle=None), Secret(SK)) as c:
        with pytest.raises(CcfsTlsError) as info:
            await c.request_play_token(REC.original_file_name)
    assert "ca_bundle" in info.value.hint and "CCFS_CA_BUNDLE" in info.value.hint


async def test_tls_insecure_still_works(tls_server: Emulator, tmp_path) -> None:
    profile = _profile(tls_server, tmp_path, ca_bundle=None, verify=False)
    async with CcfsClient(profile, Secret(SK)) as c:
        assert (await c.request_play_token(REC.original_file_name)).token


async def test_token_is_only_sent_to_its_own_server(server: Emulator, tmp_path) -> None:
    async with CcfsClient(_profile(server, tmp_path), Secret(SK)) as c:
        token = await c.request_play_token(REC.original_file_name)
    elsewhere = _profile(server, tmp_path).with_overrides(base_url="https://10.9.9.9:1")
    async with CcfsClient(elsewhere, Secret(SK)) as c:
        with pytest.raises(CcfsError, match="issued by"):
            c.playback_url(token)


async def test_no_error_text_contains_the_secret(server: Emulator, tmp_path) -> None:
    texts = []
    for fault in ({"status": 500}, {"non_json": True}, {"result_code": "0300004"}, {"drop": True}):
        server.faults.set(times=1, **fault)
        async with CcfsClient(_profile(server, tmp_path), Secret(SK)) as c:
            with pytest.raises(CcfsError) as info:
                await c.request_play_token(REC.original_file_name)
        texts.append(str(info.value) + repr(info.value))
    for text in texts:
        assert SK not in text and "auth-v2/" not in text
