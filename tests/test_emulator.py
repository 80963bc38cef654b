"""The embedded CC-FS emulator over real HTTP(S) on loopback, signed with the real C2Auth."""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import re
import socket
import ssl
import stat
import threading
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ccfs_tui.core.clock import FakeClock, utc_now
from ccfs_tui.core.recording import Recording
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signing import C2Auth
from ccfs_tui.emulator import Catalogue, CatalogueEntry, Emulator, codes
from ccfs_tui.emulator.audio import audio_seconds, parse_wav_header
from ccfs_tui.emulator.standalone import serve

AK = "demo-ak"
SK = "demo-sk-0123456789"
JSON_CT = "application/json;charset=UTF-8"
PREFIX = "/CCFS/resource/ccfs/"


def body(file_name: object = None, version: object = "2.0", **msg: object) -> str:
    """A request body; ``file_name=None`` leaves fileName out unless given in ``msg``."""
    message = dict(msg)
    if file_name is not None:
        message["fileName"] = file_name
    return json.dumps({"request": {"version": version}, "msgBody": message})


def client(
    emu: Emulator,
    *,
    ak: str = AK,
    sk: str = SK,
    clock: object = utc_now,
    signed_headers: tuple[str, ...] = ("content-length", "content-type", "host"),
    timeout: float = 5.0,
    verify: object = True,
) -> httpx.Client:
    auth = C2Auth(ak, Secret(sk), signed_headers=signed_headers, clock=clock)  # type: ignore[arg-type]
    return httpx.Client(
        base_url=emu.base_url + PREFIX,
        auth=auth,
        timeout=timeout,
        verify=verify,  # type: ignore[arg-type]
        headers={"Content-Type": JSON_CT},
    )


def post(c: httpx.Client, endpoint: str, content: str | bytes) -> httpx.Response:
    return c.post(endpoint, content=content)


def result(response: httpx.Response) -> str:
    """The resultCode of a JSON answer (whatever its content type), checking both copies."""
    data = json.loads(response.content)
    if "response" in data:
        assert data["response"]["resultCode"] == data["resultCode"]
    return str(data["resultCode"])


def get_token(c: httpx.Client, rec: Recording) -> str:
    response = post(c, "requestPlayVoice", body(rec.play_file_name))
    assert response.status_code == 200, response.text
    return str(response.json()["resultData"]["token"])


def play(c: httpx.Client, token: str | None) -> httpx.Response:
    params = {"t": "1764000000000", "version": "2.0"}
    if token is not None:
        params["st"] = token
    return c.get("playVoice", params=params, auth=None)


def assert_alaw_wav(data: bytes, seconds: float) -> None:
    info = parse_wav_header(data)
    assert info["format_tag"] == 6
    assert info["sample_rate"] == 8000
    assert info["channels"] == 1
    assert info["bits_per_sample"] == 8
    assert info["data_size"] == round(audio_seconds(seconds) * 8000)
    assert info["data_offset"] + info["data_size"] <= len(data)
    assert info["riff_size"] == len(data) - 8


# ---- the happy path ------------------------------------------------------------------


def test_token_then_play_voice_gives_an_alaw_wav(
    emulator: Emulator, emulator_recordings: list[Recording]
) -> None:
    rec = emulator_recordings[0]
    with client(emulator) as c:
        response = post(c, "requestPlayVoice", body(rec.play_file_name))
        assert response.status_code == 200
        assert response.headers["content-type"] == JSON_CT
        data = response.json()
        assert data["resultCode"] == "0" and data["resultDesc"] == "success"
        assert data["response"] == {"version": "2.0", "resultCode": "0", "resultMsg": "success"}
        token = data["resultData"]["token"]
        assert re.fullmatch(r"[0-9A-F]{32}", token)

        audio = play(c, token)
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "application/octet-stream"
    assert int(audio.headers["content-length"]) == len(audio.content)
    assert "authorization" not in audio.request.headers
    assert_alaw_wav(audio.content, rec.duration.total_seconds())
    seen = emulator.requests_seen[-2:]
    assert [(s.endpoint, s.app_id, s.status, s.result_code) for s in seen] == [
        ("requestPlayVoice", AK, 200, "0"),
        ("playVoice", AK, 200, "0"),
    ]


def test_audio_is_deterministic_per_file_and_tokens_are_reusable(
    emulator: Emulator, emulator_recordings: list[Recording]
) -> None:
    first, second = emulator_recordings[:2]
    with client(emulator) as c:
        token = get_token(c, first)
        again = get_token(c, first)
        assert token != again
        a, b = play(c, token).content, play(c, again).content
        other = play(c, get_token(c, second)).content
        assert play(c, token).content == a  # the token stays valid for its 30 minutes
    assert a == b and a != other


def test_backslash_form_is_found_too(
    emulator: Emulator, emulator_recordings: list[Recording]
) -> None:
    rec = emulator_recordings[3]
    with client(emulator) as c:
        response = post(c, "requestPlayVoice", body(rec.original_file_name))
    assert result(response) == "0"


def test_keep_alive_serves_several_requests_on_one_connection(emulator: Emulator) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=5)
    try:
        conn.request("GET", PREFIX + "playVoice?version=2.0&st=")
        first = conn.getresponse()
        first.read()
        sock = conn.sock
        conn.request("GET", PREFIX + "nothing-here")
        second = conn.getresponse()
        second.read()
        assert conn.sock is sock  # no reconnect: HTTP/1.1 keep-alive with Content-Length
    finally:
        conn.close()
    assert (first.status, second.status) == (200, 404)


async def test_async_client_in_the_test_loop(
    emulator: Emulator, emulator_recordings: list[Recording]
) -> None:
    auth = C2Auth(AK, Secret(SK))
    async with httpx.AsyncClient(
        base_url=emulator.base_url + PREFIX, auth=auth, headers={"Content-Type": JSON_CT}
    ) as c:
        answers = await asyncio.gather(
            *(
                c.post("requestPlayVoice", content=body(rec.play_file_name))
                for rec in emulator_recordings[:10]
            )
        )
        tokens = [a.json()["resultData"]["token"] for a in answers]
        audio = await c.get("playVoice", params={"version": "2.0", "st": tokens[0]}, auth=None)
    assert len(set(tokens)) == 10
    assert parse_wav_header(audio.content)["format_tag"] == 6


def test_concurrent_threads(emulator: Emulator, emulator_recordings: list[Recording]) -> None:
    codes_seen: list[str] = []

    def worker(rec: Recording) -> None:
        with client(emulator) as c:
            codes_seen.append(result(post(c, "requestPlayVoice", body(rec.play_file_name))))

    threads = [threading.Thread(target=worker, args=(r,)) for r in emulator_recordings[:16]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert codes_seen == ["0"] * 16


# ---- signature ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "options", "reason"),
    [
        ("wrong SK", {"sk": "not-the-sk"}, "signature does not match"),
        ("unknown AK", {"ak": "nobody"}, "unknown app id"),
        (
            "clock 1 h ahead",
            {"clock": FakeClock(datetime.now(UTC) + timedelta(hours=1))},
            "away from server time",
        ),
        (
            "clock 1 h behind",
            {"clock": FakeClock(datetime.now(UTC) - timedelta(hours=1))},
            "away from server time",
        ),
        ("host not signed", {"signed_headers": ("content-type",)}, "not signed: host"),
    ],
)
def test_refused_signatures_are_401(
    emulator: Emulator, emulator_recordings: list[Recording], case: str, options: dict, reason: str
) -> None:
    with client(emulator, **options) as c:
        response = post(c, "requestPlayVoice", body(emulator_recordings[0].play_file_name))
    assert response.status_code == 401, case
    data = response.json()
    assert data["resultCode"] == "401" and reason in data["resultDesc"]
    assert SK not in response.text
    assert emulator.requests_seen[-1].status == 401


def test_missing_authorization_is_401(emulator: Emulator) -> None:
    response = httpx.post(
        emulator.url("requestPlayVoice"), content=body("Y:/a.V3"), headers={"Content-Type": JSON_CT}
    )
    assert response.status_code == 401
    assert "no Authorization" in response.json()["resultDesc"]


def test_a_header_changed_after_signing_is_401(emulator: Emulator) -> None:
    auth = C2Auth(AK, Secret(SK))
    with httpx.Client() as c:
        request = c.build_request(
            "POST", emulator.url("requestPlayVoice"), content=body("Y:/a.V3"),
            headers={"Content-Type": JSON_CT},
        )  # fmt: skip
        auth.sign_request(request)
        request.headers["Content-Type"] = "application/json"
        response = c.send(request)
    assert response.status_code == 401


def test_host_only_signing_and_small_skew_are_accepted(
    emulator: Emulator, emulator_recordings: list[Recording]
) -> None:
    skewed = FakeClock(datetime.now(UTC) - timedelta(minutes=10))
    with client(emulator, signed_headers=("host",), clock=skewed) as c:
        assert (
            result(post(c, "requestPlayVoice", body(emulator_recordings[0].play_file_name))) == "0"
        )


# ---- bodies and result codes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("", codes.BODY_EMPTY),
        ("   \r\n", codes.BODY_EMPTY),
        ("fileName=Y:/a.V3", codes.BAD_FORMAT),
        ("[1, 2]", codes.BAD_FORMAT),
        ('{"msgBody": {"fileName": "Y:/a.V3"}}', codes.PARAM_NULL),
        ('{"request": "2.0", "msgBody": {"fileName": "Y:/a.V3"}}', codes.BAD_FORMAT),
        ('{"request": {}, "msgBody": {"fileName": "Y:/a.V3"}}', codes.PARAM_NULL),
        (body("Y:/a.V3", version=None), codes.PARAM_NULL),
        (body("Y:/a.V3", version="1.0"), codes.WRONG_VERSION),
        (body("Y:/a.V3", version=2.0), codes.BAD_FORMAT),
        (body("Y:/a.V3", version=""), codes.EMPTY_STRING),
        ('{"request": {"version": "2.0"}}', codes.PARAM_NULL),
        ('{"request": {"version": "2.0"}, "msgBody": []}', codes.BAD_FORMAT),
        (body(fileName=None), codes.PARAM_NULL),
        (body(""), codes.EMPTY_STRING),
        (body(123), codes.BAD_FORMAT),
        (body("Y:/" + "a" * 223), codes.TOO_LONG),
        (body("Y:/" + "a" * 222), codes.FILE_NOT_FOUND),
        (body("Y:/1/0/20261399/1001/0000001.V3"), codes.BAD_DATE),
        (body("Y:/1/0/20261130/1001/0000001.V3"), codes.FILE_NOT_FOUND),
    ],
)
def test_request_play_voice_result_codes(emulator: Emulator, content: str, code: str) -> None:
    with client(emulator) as c:
        response = post(c, "requestPlayVoice", content)
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_CT
    assert result(response) == code
    assert response.json()["resultDesc"]
    assert emulator.requests_seen[-1].result_code == code


def test_unknown_file_and_foreign_owner(
    emulator: Emulator, emulator_recordings: list[Recording]
) -> None:
    emulator.credentials["other-ak"] = Secret("other-sk")
    with client(emulator) as c:
        missing = post(c, "requestPlayVoice", body("Y:/1/0/20261120/1001/9999999.V3"))
    with client(emulator, ak="other-ak", sk="other-sk") as c:
        foreign = post(c, "requestPlayVoice", body(emulator_recordings[0].play_file_name))
    assert (result(missing), missing.json()["resultDesc"]) == (
        codes.FILE_NOT_FOUND,
        "file not found",
    )
    assert result(foreign) == codes.APP_ID_MISMATCH
    assert foreign.json()["resultDesc"] == "appId is not allowed to access this file"


def test_token_lives_30_minutes_on_the_server_clock(
    emulator_recordings: list[Recording],
) -> None:
    clock = FakeClock(datetime.now(UTC))
    catalogue = Catalogue.from_recordings(emulator_recordings, AK)
    rec = emulator_recordings[0]
    with (
        Emulator(credentials={AK: Secret(SK)}, catalogue=catalogue, clock=clock) as emu,
        client(emu, clock=clock) as c,
    ):
        token = get_token(c, rec)
        clock.advance(minutes=29, seconds=59)
        assert_alaw_wav(play(c, token).content, rec.duration.total_seconds())
        clock.advance(seconds=2)  # 30:01
        late = play(c, token)
    assert late.status_code == 200
    assert late.headers["content-type"] == "application/octet-stream"
    assert result(late) == codes.TOKEN_EXPIRED
    assert "expired" in late.json()["resultDesc"]


@pytest.mark.parametrize(
    ("token", "code"),
    [(None, codes.TOKEN_EMPTY), ("", codes.TOKEN_EMPTY), ("0" * 32, codes.TOKEN_UNKNOWN)],
)
def test_play_voice_errors_are_json_under_octet_stream(
    emulator: Emulator, token: str | None, code: str
) -> None:
    with client(emulator) as c:
        response = play(c, token)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert result(response) == code


# ---- downloads -------------------------------------------------------------------------


def test_download_record_file(emulator: Emulator, emulator_recordings: list[Recording]) -> None:
    rec = emulator_recordings[5]
    with client(emulator) as c:
        response = post(c, "downloadRecordFile", body(rec.file_name))
        played = play(c, get_token(c, rec)).content
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    name = rec.file_name.rsplit("/", 1)[-1]
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert_alaw_wav(response.content, rec.duration.total_seconds())
    assert response.content == played


@pytest.mark.parametrize(
    ("file_name", "code"),
    [
        (None, codes.PARAM_NULL),
        ("", codes.EMPTY_STRING),
        ("/10/1/record/100/1001/" + "1" * 204 + ".wav", codes.TOO_LONG),
        ("\\10\\1\\record\\1.wav", codes.BAD_FORMAT),
        ("/10/1/record/100/1001/0 1.wav", codes.BAD_FORMAT),
        ("/10/1/record/100/1001/9999999.wav", codes.FILE_NOT_FOUND),
    ],
)
def test_download_record_file_errors(emulator: Emulator, file_name: str | None, code: str) -> None:
    content = body(file_name) if file_name is not None else body(fileName=None)
    with client(emulator) as c:
        response = post(c, "downloadRecordFile", content)
    assert response.headers["content-type"] == JSON_CT
    assert result(response) == code


def _transferred_call(emu: Emulator, owner_of_second: str = AK) -> list[CatalogueEntry]:
    parts = [
        CatalogueEntry(
            f"/10/1/record/100/100{i}/777000{i}.wav",
            f"Y:/1/0/20261121/100{i}/777000{i}.V3",
            "1763700000-7770001",
            "1",
            AK if i == 1 else owner_of_second,
            20.0 * i,
        )
        for i in (1, 2)
    ]
    for part in parts:
        emu.catalogue.add(part)
    return parts


def test_download_record_single_and_zip(
    emulator: Emulator, emulator_recordings: list[Recording]
) -> None:
    rec = emulator_recordings[7]
    parts = _transferred_call(emulator)
    with client(emulator) as c:
        by_name = post(c, "downloadRecord", body(rec.original_file_name))
        by_call = post(c, "downloadRecord", body(callId=rec.call_id, ccId=rec.cc_id))
        by_number = post(c, "downloadRecord", body(callId=rec.call_id, ccId=int(rec.cc_id)))
        both = post(c, "downloadRecord", body(rec.play_file_name, callId=rec.call_id, ccId="1"))
        zipped = post(c, "downloadRecord", body(callId=parts[0].call_id, ccId="1"))
        one_of_two = post(c, "downloadRecord", body(parts[1].original_file_name))
    for response in (by_name, by_call, by_number, both):
        assert response.headers["content-type"] == "application/octet-stream"
        assert_alaw_wav(response.content, rec.duration.total_seconds())
    assert by_name.content == by_call.content == both.content
    assert zipped.headers["content-disposition"].endswith('"1763700000-7770001.zip"')
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        names = archive.namelist()
        members = [archive.read(n) for n in names]
    assert names == ["7770001.wav", "7770002.wav"]
    assert_alaw_wav(members[0], 20.0)
    assert_alaw_wav(members[1], 40.0)
    assert members[1] == one_of_two.content


@pytest.mark.parametrize(
    ("msg", "code"),
    [
        ({}, codes.NAME_OR_CALL_ID),
        ({"callId": "1763700000-0000000"}, codes.NO_DATA),
        ({"ccId": "1"}, codes.NAME_OR_CALL_ID),
        ({"callId": "", "ccId": "1"}, codes.EMPTY_STRING),
        ({"callId": "1" * 26, "ccId": "1"}, codes.TOO_LONG),
        ({"callId": ["x"], "ccId": "1"}, codes.BAD_FORMAT),
        ({"callId": "1763700000-0000000", "ccId": "1"}, codes.NO_DATA),
        ({"callId": "1763700000-7770001", "ccId": "2"}, codes.NO_DATA),
        ({"fileName": "Y:/1/0/20261121/1001/7770001.V3", "callId": "other"}, codes.NO_DATA),
    ],
)
def test_download_record_errors(emulator: Emulator, msg: dict, code: str) -> None:
    _transferred_call(emulator)
    with client(emulator) as c:
        response = post(c, "downloadRecord", body(**msg))
    assert result(response) == code


def test_download_record_refuses_a_call_partly_owned_by_another_app(emulator: Emulator) -> None:
    parts = _transferred_call(emulator, owner_of_second="other-ak")
    with client(emulator) as c:
        whole = post(c, "downloadRecord", body(callId=parts[0].call_id, ccId="1"))
        mine = post(c, "downloadRecord", body(parts[0].original_file_name))
    assert result(whole) == codes.OTHER_DEVELOPER
    assert mine.content[:4] == b"RIFF"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", PREFIX + "requestPlayVoice"),
        ("POST", PREFIX + "playVoice"),
        ("GET", PREFIX + "queryBillData"),
        ("POST", PREFIX + "getRecordFileUrlFromObs"),
        ("GET", "/"),
        ("DELETE", PREFIX + "downloadRecord"),
    ],
)
def test_anything_else_is_404(emulator: Emulator, method: str, path: str) -> None:
    response = httpx.request(method, emulator.base_url + path)
    assert response.status_code == 404
    assert emulator.requests_seen[-1].status == 404


# ---- TLS ---------------------------------------------------------------------------------


def test_tls_with_the_ca_bundle(
    tls_emulator: Emulator, emulator_recordings: list[Recording]
) -> None:
    assert tls_emulator.base_url.startswith("https://127.0.0.1:")
    assert tls_emulator.ca_bundle is not None
    context = ssl.create_default_context(cafile=str(tls_emulator.ca_bundle))
    context.verify_flags |= ssl.VERIFY_X509_STRICT  # Python 3.13's default: stay compatible
    rec = emulator_recordings[0]
    with client(tls_emulator, verify=context) as c:
        audio = play(c, get_token(c, rec))
    assert_alaw_wav(audio.content, rec.duration.total_seconds())
    key = next(tls_emulator.ca_bundle.parent.glob("*key*.pem"))
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert SK not in tls_emulator.ca_bundle.read_text()


def test_tls_without_the_ca_bundle_fails_verification(
    tls_emulator: Emulator, emulator_recordings: list[Recording]
) -> None:
    with client(tls_emulator) as c, pytest.raises(httpx.ConnectError) as info:
        post(c, "requestPlayVoice", body(emulator_recordings[0].play_file_name))
    assert isinstance(info.value.__context__, ssl.SSLCertVerificationError) or (
        "CERTIFICATE_VERIFY_FAILED" in str(info.value)
    )
    # The failed handshake did not hurt the server.
    with client(
        tls_emulator, verify=ssl.create_default_context(cafile=str(tls_emulator.ca_bundle))
    ) as c:
        assert (
            result(post(c, "requestPlayVoice", body(emulator_recordings[0].play_file_name))) == "0"
        )


def test_plain_http_to_the_tls_port_gets_no_answer(tls_emulator: Emulator) -> None:
    url = tls_emulator.base_url.replace("https://", "http://") + PREFIX + "playVoice"
    with pytest.raises(httpx.TransportError):
        httpx.get(url, timeout=3)


# ---- faults ------------------------------------------------------------------------------


def test_latency_makes_a_short_client_timeout_fire(
    emulator: Emulator, emulator_recordings: list[Recording]
) -> None:
    emulator.faults.set(latency=0.8, times=1)
    rec = emulator_recordings[0]
    with client(emulator, timeout=0.1) as c, pytest.raises(httpx.ReadTimeout):
        post(c, "requestPlayVoice", body(rec.play_file_name))
    with client(emulator) as c:
        assert result(post(c, "requestPlayVoice", body(rec.play_file_name))) == "0"
    assert not emulator.faults.active  # used up by the first request
    assert emulator.requests_seen[-1].faults == ()  # the slow one is still being "processed"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_status_fault_gives_an_html_error_page(
    emulator: Emulator, emulator_recordings: list[Recording], status: int
) -> None:
    emulator.faults.status = status
    with client(emulator) as c:
        response = post(c, "requestPlayVoice", body(emulator_recordings[0].play_file_name))
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f"<h1>{status} " in response.text
    assert ("retry-after" in response.headers) == (status == 503)


@pytest.mark.parametrize(
    ("code", "words"),
    [(codes.DOWNLOAD_FLOW_CONTROL, "download flow control"), ("0300009", "query flow control")],
)
def test_result_code_fault(
    emulator: Emulator, emulator_recordings: list[Recording], code: str, words: str
) -> None:
    emulator.faults.set(result_code=code)
    rec = emulator_recordings[0]
    with client(emulator) as c:
        answers = [
            post(c, "requestPlayVoice", body(rec.play_file_name)),
            post(c, "downloadRecordFile", body(rec.file_name)),
            post(c, "downloadRecord", body(rec.play_file_name)),
        ]
        wrong_sk = client(emulator, sk="bad")
        refused = post(wrong_sk, "requestPlayVoice", body(rec.play_file_name))
        wrong_sk.close()
    for answer in answers:
        assert answer.headers["content-type"] == JSON_CT
        assert result(answer) == code and words in answer.json()["resultDesc"]
    assert refused.status_code == 401  # the signature is checked first


def test_drop_closes_without_a_reply(
    emulator: Emulator, emulator_recordings: list[Recording]
) -> None:
    emulator.faults.set(drop=True, times=1)
    with client(emulator) as c:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
            post(c, "requestPlayVoice", body(emulator_recordings[0].play_file_name))
        assert result(post(c, "requestPlayVoice", body(emulator_recordings[0].play_file_name)))
    assert emulator.requests_seen[-2].status == 0
    assert emulator.requests_seen[-2].faults == ("drop",)


def test_non_json_fault(emulator: Emulator, emulator_recordings: list[Recording]) -> None:
    emulator.faults.non_json = True
    with client(emulator) as c:
        response = post(c, "requestPlayVoice", body(emulator_recordings[0].play_file_name))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    with pytest.raises(ValueError):
        response.json()


def test_json_error_as_audio_fault(
    emulator: Emulator, emulator_recordings: list[Recording]
) -> None:
    rec = emulator_recordings[0]
    with client(emulator) as c:
        token = get_token(c, rec)
        emulator.faults.set(json_error_as_audio=True)
        voice = play(c, token)
        download = post(c, "downloadRecordFile", body(rec.file_name))
        emulator.faults.set(result_code=codes.DOWNLOAD_FLOW_CONTROL)
        flow = post(c, "downloadRecord", body(rec.play_file_name))
        still_json = post(c, "requestPlayVoice", body(rec.play_file_name))
    for response in (voice, download, flow):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/octet-stream"
    assert result(voice) == result(download) == codes.INJECTED_ERROR
    assert result(flow) == codes.DOWNLOAD_FLOW_CONTROL
    assert still_json.headers["content-type"] == JSON_CT


def test_drop_mid_body_fault(emulator: Emulator, emulator_recordings: list[Recording]) -> None:
    rec = emulator_recordings[0]
    with client(emulator) as c:
        token = get_token(c, rec)
        emulator.faults.set(drop_mid_body=True, endpoints={"playVoice"})
        received = 0
        with (
            pytest.raises(httpx.RemoteProtocolError),
            c.stream("GET", "playVoice", params={"st": token}, auth=None) as response,
        ):
            total = int(response.headers["content-length"])
            for chunk in response.iter_bytes():
                received += len(chunk)
    assert total == 58 + round(audio_seconds(rec.duration.total_seconds()) * 8000)
    assert 0 < received < total


def test_times_and_endpoints_scope_faults(
    emulator: Emulator, emulator_recordings: list[Recording]
) -> None:
    rec = emulator_recordings[0]
    emulator.faults.set(status=503, times=2, endpoints="requestPlayVoice")
    with client(emulator) as c:
        assert post(c, "downloadRecordFile", body(rec.file_name)).status_code == 200
        statuses = [
            post(c, "requestPlayVoice", body(rec.play_file_name)).status_code for _ in "abc"
        ]
    assert statuses == [503, 503, 200]
    assert emulator.faults.times is None and emulator.faults.status is None
    assert emulator.faults.endpoints is None
    with pytest.raises(TypeError, match="unknown fault"):
        emulator.faults.set(explode=True)


# ---- lifecycle, logging, standalone -------------------------------------------------------


def test_log_callback_never_sees_secrets_or_tokens(emulator_recordings: list[Recording]) -> None:
    lines: list[str] = []
    catalogue = Catalogue.from_recordings(emulator_recordings, AK)
    with Emulator(credentials={AK: Secret(SK)}, catalogue=catalogue, log=lines.append) as emu:
        with client(emu) as c:
            token = get_token(c, emulator_recordings[0])
            play(c, token)
            client(emu, sk="bad").post("requestPlayVoice", content=body("x")).close()
        assert "Secret('********')" in repr(emu.credentials)
    text = "\n".join(lines)
    assert "requestPlayVoice -> 200 resultCode=0 appId=demo-ak" in text
    assert "-> 401" in text
    assert SK not in text and token not in text and "auth-v2" not in text


def test_stop_closes_the_port_and_open_connections(emulator_recordings: list[Recording]) -> None:
    emu = Emulator(credentials={AK: Secret(SK)}).start()
    port = emu.port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/")
    conn.getresponse().read()
    emu.stop()
    emu.stop()  # idempotent
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 2):
        pass
    conn.sock.settimeout(2)  # type: ignore[union-attr]
    assert conn.sock.recv(1) == b""  # type: ignore[union-attr]
    conn.close()
    with pytest.raises(RuntimeError):
        _ = emu.base_url


def test_defaults_make_up_credentials_and_a_catalogue() -> None:
    with Emulator() as emu:
        ((ak, sk),) = emu.credentials.items()
        entry = next(iter(emu.catalogue))
        assert entry.owner == ak and len(emu.catalogue) >= 100
        with client(emu, ak=ak, sk=sk.reveal()) as c:
            assert result(post(c, "requestPlayVoice", body(entry.original_file_name))) == "0"


@pytest.fixture
def standalone() -> Iterator[tuple[threading.Event, io.StringIO, list[int]]]:
    stop, out, status = threading.Event(), io.StringIO(), []
    yield stop, out, status
    stop.set()


def _run_standalone(
    stop: threading.Event, out: io.StringIO, status: list[int], **kwargs: object
) -> threading.Thread:
    def run() -> None:
        status.append(serve(out=out, stop=stop, recordings=50, **kwargs))  # type: ignore[arg-type]

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    for _ in range(200):
        if "Ctrl-C" in out.getvalue():
            break
        stop.wait(0.05)
    return thread


def _exports(text: str) -> dict[str, str]:
    return dict(re.findall(r"export (CCFS_\w+)=(\S+)", text))


def test_standalone_with_made_up_credentials(
    standalone: tuple[threading.Event, io.StringIO, list[int]],
    tmp_path: Path,
    isolated_dirs: Path,
) -> None:
    stop, out, status = standalone
    index = tmp_path / "index.csv"
    thread = _run_standalone(
        stop, out, status, host="127.0.0.1", port=0, tls=True, app_id=None, secret=None,
        index_path=index,
    )  # fmt: skip
    env = _exports(out.getvalue())
    assert set(env) == {"CCFS_BASE_URL", "CCFS_APP_ID", "CCFS_SECRET_KEY", "CCFS_CA_BUNDLE"}
    # The certificate is kept in the user cache folder, so it can be trusted once.
    assert Path(env["CCFS_CA_BUNDLE"]).is_relative_to(isolated_dirs / "cache")
    assert str(index) in out.getvalue()
    line = index.read_text().splitlines()[1].split(",")
    with httpx.Client(
        verify=ssl.create_default_context(cafile=env["CCFS_CA_BUNDLE"]),
        auth=C2Auth(env["CCFS_APP_ID"], Secret(env["CCFS_SECRET_KEY"])),
    ) as c:
        response = c.post(
            env["CCFS_BASE_URL"] + PREFIX + "requestPlayVoice",
            content=body(line[12].replace("\\", "/")),
            headers={"Content-Type": JSON_CT},
        )
    assert result(response) == "0"
    stop.set()
    thread.join(5)
    assert status == [0] and "stopped" in out.getvalue()
    assert Path(env["CCFS_CA_BUNDLE"]).exists()


def test_standalone_never_prints_a_given_secret(
    standalone: tuple[threading.Event, io.StringIO, list[int]], tmp_path: Path
) -> None:
    stop, out, status = standalone
    thread = _run_standalone(
        stop, out, status, host="127.0.0.1", port=0, tls=False, app_id="my-ak",
        secret=Secret("my-very-secret-sk"), index_path=tmp_path / "i.csv",
    )  # fmt: skip
    text = out.getvalue()
    stop.set()
    thread.join(5)
    assert "my-very-secret-sk" not in text
    assert _exports(text) == {
        "CCFS_BASE_URL": _exports(text)["CCFS_BASE_URL"],
        "CCFS_APP_ID": "my-ak",
    }
    assert _exports(text)["CCFS_BASE_URL"].startswith("http://127.0.0.1:")
    assert status == [0]


def test_an_emulator_bug_answers_500_instead_of_hanging(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ccfs_tui.emulator import handlers

    def broken(self: object, body: bytes) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(handlers.Handler, "_do_playVoice", broken)
    response = httpx.get(emulator.url("playVoice"), params={"st": "X"}, timeout=5)
    assert response.status_code == 500
    assert emulator.requests_seen[-1].status == 500
