"""The listening server on loopback: tokens, the page, the decoded audio with Range, the
original download, the bind warning; the ``ssh -L`` line; the listen settings."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ccfs_tui.core.audio.alaw import decode_alaw
from ccfs_tui.core.audio.wav import WavError, wav_info
from ccfs_tui.core.config import load_config
from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.listen_server import (
    ListenEntry,
    ListenError,
    ListenServer,
    attachment_name,
    parse_range,
)
from ccfs_tui.core.ssh_hint import ssh_forward_line
from ccfs_tui.emulator.audio import make_wav


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    path = tmp_path / "rec.wav"
    path.write_bytes(make_wav("X:/17/0/20261120/1/2043295.V3", 2.0))
    return path


@pytest.fixture
def server() -> Iterator[ListenServer]:
    with ListenServer() as started:
        yield started


def _entry(path: Path, **fields: str) -> ListenEntry:
    values = {
        "file_name": "X:\\17\\0\\20261120\\1\\2043295.V3",
        "call_id": "1795136824-0438486",
        "time": "2026-11-20 09:14:03",
        "caller": "13800000001",
        "callee": "4001",
    }
    values.update(fields)
    return ListenEntry(path, **values)


def _decoded(path: Path) -> bytes:
    info = wav_info(path)
    data = path.read_bytes()[info.data_offset : info.data_offset + info.data_size]
    return decode_alaw(data)


# ---- tokens ---------------------------------------------------------------------------


def test_each_registration_gets_its_own_128_bit_token(server, recording) -> None:
    first = server.register(_entry(recording))
    second = server.register(_entry(recording))
    assert first.token != second.token
    assert len(first.token) >= 22  # token_urlsafe(16): 16 random bytes
    assert re.fullmatch(r"[A-Za-z0-9_-]+", first.token)
    assert first.url == f"http://127.0.0.1:{server.port}/{first.token}/"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/favicon.ico",
        "/{wrong}/",
        "/{wrong}/audio.wav",
        "/{token}/nope",
        "/{token}/a/b",
        "/{short}/",
        "/{token}x/",
        "/x/{token}/",
    ],
)
def test_anything_but_a_registered_url_is_a_bare_404(server, recording, path: str) -> None:
    listening = server.register(_entry(recording))
    token = listening.token
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    target = path.format(token=token, wrong=wrong, short=token[:10])
    response = httpx.get(f"http://127.0.0.1:{server.port}{target}")
    assert response.status_code == 404
    assert response.text == "Not found\n"


def test_other_methods_say_nothing_more(server, recording) -> None:
    listening = server.register(_entry(recording))
    response = httpx.post(listening.url, content=b"x")
    assert response.status_code >= 400
    assert listening.token not in response.text and "POST" not in response.text
    assert "Python" not in response.headers.get("server", "")


def test_the_token_without_its_slash_redirects_to_the_page(server, recording) -> None:
    listening = server.register(_entry(recording))
    response = httpx.get(listening.url.rstrip("/"), follow_redirects=True)
    assert response.status_code == 200 and "<audio" in response.text


def test_after_stop_the_urls_are_gone(recording) -> None:
    server = ListenServer().start()
    listening = server.register(_entry(recording))
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(listening.url)
    with pytest.raises(ListenError):
        server.register(_entry(recording))


# ---- the page -------------------------------------------------------------------------


def test_page_has_the_player_the_call_and_a_download_link(server, recording) -> None:
    listening = server.register(_entry(recording))
    response = httpx.get(listening.url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<audio controls preload="metadata" src="audio.wav"></audio>' in page
    for shown in ("1795136824-0438486", "2026-11-20 09:14:03", "13800000001", "4001", "0:02"):
        assert shown in page
    assert '<a href="download" download>' in page
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


def test_page_escapes_every_field(server, recording) -> None:
    hostile = '<script>alert(1)</script>"onload="x'
    listening = server.register(
        _entry(recording, call_id=hostile, caller="<img src=x>", file_name="a\u202eb\x1b[2J")
    )
    page = httpx.get(listening.url).text
    assert "<script>" not in page and "<img" not in page and '"onload="' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;onload=&quot;x" in page
    assert "\u202e" not in page and "\x1b" not in page  # bidi and ESC shown as escapes
    assert "\\u202e" in page


# ---- the audio ------------------------------------------------------------------------


def test_audio_is_pcm16_decoded_from_the_alaw_file(server, recording) -> None:
    listening = server.register(_entry(recording))
    response = httpx.get(listening.audio_url)
    assert response.status_code == 200
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-type"] == "audio/wav"
    body = response.content
    tag, channels, rate, _, align, bits = struct.unpack_from("<HHIIHH", body, 20)
    assert (tag, channels, rate, align, bits) == (1, 1, 8000, 2, 16)
    assert body[36:40] == b"data" and struct.unpack_from("<I", body, 40)[0] == len(body) - 44
    assert body[44:] == _decoded(recording)
    assert int(response.headers["content-length"]) == len(body) == 44 + 2 * 16000


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-43", 0, 43),  # the header alone
        ("bytes=40-47", 40, 47),  # across the header and the samples
        ("bytes=1001-2000", 1001, 2000),  # odd start: half a sample
        ("bytes=30000-", 30000, 32043),
        ("bytes=-7", 32037, 32043),
        ("bytes=32000-999999", 32000, 32043),
    ],
)
def test_range_requests_get_exactly_those_bytes(
    server, recording, header: str, first: int, last: int
) -> None:
    listening = server.register(_entry(recording))
    whole = httpx.get(listening.audio_url).content
    response = httpx.get(listening.audio_url, headers={"Range": header})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes {first}-{last}/{len(whole)}"
    assert response.content == whole[first : last + 1]


def test_a_range_past_the_end_is_416(server, recording) -> None:
    listening = server.register(_entry(recording))
    response = httpx.get(listening.audio_url, headers={"Range": "bytes=40000-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */32044"
    # ... and the connection still serves the next request
    assert httpx.get(listening.audio_url, headers={"Range": "bytes=0-3"}).content == b"RIFF"


def test_several_ranges_get_the_whole_file(server, recording) -> None:
    listening = server.register(_entry(recording))
    response = httpx.get(listening.audio_url, headers={"Range": "bytes=0-1,5-9"})
    assert response.status_code == 200 and len(response.content) == 32044


def test_head_gives_the_size_without_the_body(server, recording) -> None:
    listening = server.register(_entry(recording))
    response = httpx.head(listening.audio_url)
    assert response.status_code == 200
    assert response.headers["content-length"] == "32044" and response.content == b""


def test_parse_range() -> None:
    assert parse_range(None, 100) is None
    assert parse_range("bytes=5-", 100) == (5, 99)
    assert parse_range("bytes=-200", 100) == (0, 99)
    assert parse_range("items=0-5", 100) is None
    assert parse_range("bytes=9-3", 100) is None
    with pytest.raises(ValueError):
        parse_range("bytes=100-", 100)
    with pytest.raises(ValueError):
        parse_range("bytes=-0", 100)


# ---- the download ---------------------------------------------------------------------


def test_download_is_the_file_as_sent_as_an_attachment(server, recording) -> None:
    listening = server.register(_entry(recording))
    response = httpx.get(listening.download_url)
    assert response.content == recording.read_bytes()
    assert response.headers["content-disposition"] == 'attachment; filename="2043295.wav"'


def test_attachment_name_is_plain_ascii() -> None:
    assert attachment_name('X:\\a\\"; evil\r\n.V3') == "evil.wav"
    assert attachment_name("/10/1/record/100/13533/0903379.wav") == "0903379.wav"
    assert attachment_name("..") == "recording.wav"


def test_a_file_that_is_not_a_wav_is_refused_at_registration(server, tmp_path: Path) -> None:
    path = tmp_path / "reply.wav"
    path.write_bytes(b'{"resultCode":"0300029"}')
    with pytest.raises(WavError):
        server.register(_entry(path))
    assert server.registered() == []


# ---- binding --------------------------------------------------------------------------


def test_loopback_by_default_without_warning(server) -> None:
    assert server.address == "127.0.0.1" and server.loopback and server.warning is None


def test_bound_elsewhere_it_says_so_loudly(recording) -> None:
    with ListenServer("0.0.0.0") as server:
        assert not server.loopback
        warning = server.warning
        assert warning is not None and warning.startswith("WARNING")
        assert "0.0.0.0" in warning and str(server.port) in warning
        listening = server.register(_entry(recording))
        assert listening.url.startswith(f"http://127.0.0.1:{server.port}/")
        assert httpx.get(listening.url).status_code == 200


def test_a_busy_port_is_one_clear_error(server) -> None:
    with pytest.raises(ListenError) as caught:
        ListenServer(port=server.port).start()
    assert f"port {server.port}" in str(caught.value)


# ---- the ssh line ---------------------------------------------------------------------


def test_ssh_line_from_the_ssh_session() -> None:
    env = {"SSH_CONNECTION": "192.0.2.10 51234 198.51.100.7 22", "USER": "alice"}
    assert ssh_forward_line(8765, env=env) == "ssh -L 8765:127.0.0.1:8765 alice@198.51.100.7"


def test_ssh_line_with_another_port_and_ipv6() -> None:
    env = {"SSH_CONNECTION": "2001:db8::1 51234 2001:db8::7 2222", "USER": "bob"}
    line = ssh_forward_line(9000, "::1", env=env)
    assert line == "ssh -p 2222 -L 9000:[::1]:9000 bob@2001:db8::7"


def test_the_servers_ssh_line_forwards_its_port(server) -> None:
    env = {"SSH_CONNECTION": "192.0.2.10 51234 198.51.100.7 22", "USER": "alice"}
    port = server.port
    assert server.ssh_line(env) == f"ssh -L {port}:127.0.0.1:{port} alice@198.51.100.7"


def test_ssh_line_has_placeholders_outside_ssh_or_for_odd_values() -> None:
    assert ssh_forward_line(8765, env={}) == "ssh -L 8765:127.0.0.1:8765 USER@JUMP_HOST"
    odd = {"SSH_CONNECTION": "x y $(reboot) 22", "USER": "a;rm -rf ~"}
    assert ssh_forward_line(8765, env=odd) == "ssh -L 8765:127.0.0.1:8765 USER@JUMP_HOST"


# ---- settings -------------------------------------------------------------------------


def test_listen_settings_from_the_profile_and_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.a]\nlisten_bind = "::1"\nlisten_port = 8765\n')
    path.chmod(0o600)
    profile = load_config(path, env={}).profile("a")
    assert (profile.listen_bind, profile.listen_port) == ("::1", 8765)
    env = {"CCFS_LISTEN_BIND": "127.0.0.2", "CCFS_LISTEN_PORT": "0"}
    profile = load_config(path, env=env).profile("a")
    assert (profile.listen_bind, profile.listen_port) == ("127.0.0.2", 0)
    default = load_config(tmp_path / "none.toml", env={}).profile()
    assert (default.listen_bind, default.listen_port) == ("127.0.0.1", 0)


@pytest.mark.parametrize(
    ("text", "env", "named"),
    [
        ("listen_port = 70000", {}, "profiles.a.listen_port"),
        ('listen_port = "80"', {}, "profiles.a.listen_port"),
        ('listen_bind = "a b"', {}, "profiles.a.listen_bind"),
        ("", {"CCFS_LISTEN_PORT": "http"}, "CCFS_LISTEN_PORT"),
    ],
)
def test_bad_listen_settings_name_the_key(
    tmp_path: Path, text: str, env: dict[str, str], named: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[profiles.a]\n{text}\n")
    path.chmod(0o600)
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=env)
    assert named in str(caught.value)
