"""The queryBillData callback receiver: a forged callback is answered 401 and ignored, a
signed one 200 with a JSON body and handed to whoever waits for its responseId."""

from __future__ import annotations

import asyncio
import json
import ssl
from pathlib import Path

import httpx
import pytest

from ccfs_tui.core.callback_receiver import (
    DEFAULT_REPLY,
    BillNotice,
    CallbackReceiver,
    parse_listen,
)
from ccfs_tui.core.errors import ConfigError
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signing import C2Auth

AK, SK = "demo-ak", "demo-sk-0123456789"
RID = "0123456789abcdef0123456789abcdef"


def body(response_id: str = RID, bill: str | None = None) -> bytes:
    message = {
        "request": {"version": "2.0"},
        "msgBody": {
            "responseId": response_id,
            "billFileName": bill or f"20261120_{response_id}.zip",
        },
    }
    return json.dumps(message, separators=(",", ":")).encode()


def post(
    url: str,
    data: bytes,
    *,
    sk: str = SK,
    ak: str = AK,
    verify: bool | ssl.SSLContext = True,
    **kw: object,
) -> httpx.Response:
    auth = C2Auth(ak, Secret(sk)) if sk else None
    with httpx.Client(verify=verify, trust_env=False) as client:
        return client.post(
            url,
            content=data,
            headers={"Content-Type": "application/json;charset=UTF-8"},
            auth=auth,  # type: ignore[arg-type]
            **kw,  # type: ignore[arg-type]
        )


@pytest.fixture
def receiver():  # -> Iterator[tuple[CallbackReceiver, list[str]]]
    events: list[str] = []
    rec = CallbackReceiver("127.0.0.1:0", app_id=AK, secret=Secret(SK), on_event=events.append)
    with rec:
        yield rec, events


def test_a_signed_callback_is_answered_200_with_json_and_reaches_its_waiter(receiver) -> None:
    rec, events = receiver
    url = rec.default_url()
    assert url is not None and url.startswith("http://127.0.0.1:")

    async def scenario() -> BillNotice:
        waiting = asyncio.create_task(rec.wait(RID))
        await asyncio.sleep(0)
        answer = await asyncio.to_thread(post, url, body())
        assert answer.status_code == 200
        assert answer.json() == json.loads(DEFAULT_REPLY)
        return await asyncio.wait_for(waiting, 10)

    notice = asyncio.run(scenario())
    assert notice.bill_file_name == f"20261120_{RID}.zip"
    assert rec.refused == 0 and events == []
    assert rec.unclaimed() == []


def test_a_callback_before_anyone_waits_is_kept(receiver) -> None:
    rec, _ = receiver
    assert post(f"{rec.default_url()}?x=1", body()).status_code == 200
    assert [n.response_id for n in rec.unclaimed()] == [RID]
    notice = asyncio.run(asyncio.wait_for(rec.wait(RID), 10))
    assert notice.response_id == RID
    assert rec.unclaimed() == []


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"sk": "wrong-sk"}, "signature does not match"),
        ({"ak": "someone-else"}, "unknown app id"),
        ({"sk": ""}, "no Authorization header"),
    ],
)
def test_a_forged_callback_is_answered_401_and_ignored(receiver, kwargs, reason) -> None:
    rec, events = receiver
    answer = post(rec.default_url(), body(), **kwargs)
    assert answer.status_code == 401
    assert rec.notice(RID) is None and rec.unclaimed() == []
    assert rec.refused == 1
    (event,) = events
    assert reason in event and "127.0.0.1" in event


def test_a_signed_body_changed_on_the_way_is_refused(receiver) -> None:
    rec, _ = receiver
    request = httpx.Request(
        "POST",
        rec.default_url(),
        content=body(),
        headers={"Content-Type": "application/json;charset=UTF-8"},
    )
    C2Auth(AK, Secret(SK)).sign_request(request)
    forged = body("f" * 32)
    headers = dict(request.headers)
    with httpx.Client(trust_env=False) as client:
        answer = client.post(request.url, content=forged, headers=headers)
    assert answer.status_code == 401
    assert rec.notice("f" * 32) is None


def test_big_or_malformed_bodies_are_refused(receiver) -> None:
    rec, events = receiver
    url = rec.default_url()
    assert post(url, b"x" * (rec.max_body + 1)).status_code == 413
    assert post(url, b"{not json").status_code == 400
    assert post(url, body(bill="../../etc/passwd")).status_code == 400
    assert post(url, body(response_id="a b")).status_code == 400
    with httpx.Client(trust_env=False) as client:
        assert client.get(url).status_code == 405
    assert rec.refused == 5 and len(events) == 5
    assert rec.unclaimed() == []


def test_events_show_hostile_text_escaped(receiver) -> None:
    rec, events = receiver
    post(rec.default_url(), body(), ak="evil\x1b[2J")
    assert "\x1b" not in events[0] and "\\x1b" in events[0]


def test_tls_receiver(tmp_path: Path) -> None:
    from ccfs_tui.emulator.tls import make_certificate

    pair = make_certificate(tmp_path)
    rec = CallbackReceiver(
        "127.0.0.1:0", app_id=AK, secret=Secret(SK), cert=pair.cert, key=pair.key
    )
    with rec:
        url = rec.default_url()
        assert url is not None and url.startswith("https://")
        assert (
            post(url, body(), verify=ssl.create_default_context(cafile=str(pair.cert))).status_code
            == 200
        )
        assert rec.notice(RID) is not None
        with pytest.raises(httpx.ConnectError):  # not trusted without the certificate
            post(url, body())


def test_bad_tls_files_and_a_busy_port_are_one_config_error(tmp_path: Path) -> None:
    missing = CallbackReceiver(
        "127.0.0.1:0",
        app_id=AK,
        secret=Secret(SK),
        cert=tmp_path / "no.pem",
        key=tmp_path / "no.key",
    )
    with pytest.raises(ConfigError, match="callback_cert"):
        missing.start()
    with CallbackReceiver("127.0.0.1:0", app_id=AK, secret=Secret(SK)) as first:
        second = CallbackReceiver(f"127.0.0.1:{first.port}", app_id=AK, secret=Secret(SK))
        with pytest.raises(ConfigError, match="callback_listen"):
            second.start()


def test_listen_forms() -> None:
    assert parse_listen("0.0.0.0:8089") == ("0.0.0.0", 8089)
    assert parse_listen(":8089") == ("0.0.0.0", 8089)
    assert parse_listen("[::1]:9") == ("::1", 9)
    assert parse_listen("host.example:1") == ("host.example", 1)
    for bad in ("8089", "1.2.3.4:99999", "a b:1", "[::1]"):
        with pytest.raises(ConfigError, match="HOST:PORT"):
            parse_listen(bad)
    assert CallbackReceiver("0.0.0.0:0", app_id=AK, secret=Secret(SK)).default_url() is None
