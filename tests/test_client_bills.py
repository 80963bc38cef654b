"""Client side of queryBillData, downloadBillFile and downloadRecord, on a mock transport:
the exact bodies sent, replies that are not what they should be, nothing half-written."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from ccfs_tui.core.bill_window import BillWindow
from ccfs_tui.core.client import CcfsClient
from ccfs_tui.core.config import Profile
from ccfs_tui.core.errors import (
    CcfsBadReplyError,
    CcfsDestinationError,
    CcfsResultError,
    ConfigError,
)
from ccfs_tui.core.secret import Secret

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40)
RID = "ab" * 16


def client_for(tmp_path: Path, answer, seen: list[httpx.Request]) -> CcfsClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    profile = Profile(
        name="t",
        base_url="http://ccfs.test",
        app_id="ak",
        download_dir=tmp_path / "dl",
        index_dir=tmp_path / "idx",
        retry_backoff=0,
    )
    return CcfsClient(profile, Secret("sk"), transport=httpx.MockTransport(handler), guard=None)


class _Body(httpx.AsyncByteStream):
    """A body httpx has not read yet (``Response(content=...)`` is read at once)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        yield self.data


def reply(data: bytes | dict, content_type: str = "application/octet-stream") -> httpx.Response:
    if isinstance(data, dict):
        data, content_type = json.dumps(data).encode(), "application/json;charset=UTF-8"
    headers = {"Content-Type": content_type, "Content-Length": str(len(data))}
    return httpx.Response(200, headers=headers, stream=_Body(data))


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def msg(request: httpx.Request) -> dict:
    return json.loads(request.content)["msgBody"]


def test_query_sends_the_window_type_url_and_given_filters(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    answer = {"resultCode": "0", "resultDesc": "success", "resultData": {"responseId": RID}}
    client = client_for(tmp_path, lambda r: reply(answer), seen)
    window = BillWindow(datetime(2026, 11, 1), datetime(2026, 11, 3, 23, 59, 59))

    async def go() -> str:
        async with client:
            return await client.query_bill_data(
                window, "record", "http://me:1/cb", {"agentId": "1001", "callId": ""}
            )

    assert run(go()) == RID
    (request,) = seen
    assert request.url.path == "/CCFS/resource/ccfs/queryBillData"
    assert request.headers["authorization"].startswith("auth-v2/ak/")
    assert msg(request) == {
        "beginTime": "2026-11-01 00:00:00",
        "endTime": "2026-11-03 23:59:59",
        "dataType": "record",
        "callBackURL": "http://me:1/cb",
        "agentId": "1001",
    }


@pytest.mark.parametrize(
    ("answer", "error", "words"),
    [
        ({"resultCode": "0300014", "resultDesc": "too long"}, CcfsResultError, "3 days"),
        (
            {"resultCode": "0", "resultData": {"responseId": "../x"}},
            CcfsBadReplyError,
            "responseId",
        ),
        ({"resultCode": "0", "resultData": []}, CcfsBadReplyError, "responseId"),
    ],
)
def test_query_refusals(tmp_path: Path, answer: dict, error: type, words: str) -> None:
    client = client_for(tmp_path, lambda r: reply(answer), [])
    window = BillWindow(datetime(2026, 11, 1), datetime(2026, 11, 2))
    with pytest.raises(error, match=words):
        run(client.query_bill_data(window, "call", "http://me:1/cb"))


def test_bill_file_name_is_checked_before_sending(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    client = client_for(tmp_path, lambda r: reply(b"PK\x03\x04"), seen)
    with pytest.raises(ConfigError, match="not a bill file name"):
        run(client.download_bill_file("../../etc/passwd"))
    assert seen == []


def test_a_bill_file_that_is_not_a_zip_is_not_saved(tmp_path: Path) -> None:
    client = client_for(tmp_path, lambda r: reply(b"<html>proxy</html>", "text/html"), [])
    with pytest.raises(CcfsBadReplyError, match="not a zip"):
        run(client.download_bill_file(f"20261120_{RID}.zip"))
    assert list((tmp_path / "idx").iterdir()) == []


def test_a_bill_file_error_in_json_is_its_result_code(tmp_path: Path) -> None:
    answer = {"resultCode": "0300012", "resultDesc": "no data"}
    client = client_for(tmp_path, lambda r: reply(answer), [])
    with pytest.raises(CcfsResultError) as caught:
        run(client.download_bill_file(f"20261120_{RID}.zip"))
    assert caught.value.result_code == "0300012"


def test_download_record_tells_wav_from_zip_by_the_first_bytes(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a/1.wav", WAV)
        zf.writestr("../2.wav", WAV)
    bodies = iter([WAV, buffer.getvalue()])
    # the content types lie on purpose: only the bytes count
    client = client_for(
        tmp_path,
        lambda r: reply(next(bodies), "application/zip"),
        seen,
    )
    one = run(client.download_record(call_id="17-1", cc_id="2"))
    assert one.files == [tmp_path / "dl" / "17-1.wav"]
    assert msg(seen[0]) == {"callId": "17-1", "ccId": "2"}
    client = client_for(
        tmp_path,
        lambda r: reply(next(bodies), "audio/wav"),
        seen,
    )
    many = run(client.download_record(call_id="17/1"))
    folder = tmp_path / "dl" / "17_1"
    assert many.files == [folder / "1.wav", folder / "2.wav"]
    assert sorted(p.name for p in (tmp_path / "dl").iterdir()) == ["17-1.wav", "17_1"]


def test_download_record_refuses_other_bytes_and_leaves_nothing(tmp_path: Path) -> None:
    client = client_for(tmp_path, lambda r: reply(b"ID3\x03mp3"), [])
    with pytest.raises(CcfsBadReplyError, match="neither a WAV nor a zip"):
        run(client.download_record(call_id="c1"))
    assert list((tmp_path / "dl").iterdir()) == []


def test_download_record_checks_the_target_before_sending(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    client = client_for(tmp_path, lambda r: reply(WAV), seen)
    existing = tmp_path / "mine.wav"
    existing.write_bytes(b"keep")
    with pytest.raises(CcfsDestinationError, match="already exists"):
        run(client.download_record(call_id="c1", dest=existing))
    assert seen == [] and existing.read_bytes() == b"keep"


def test_no_data_for_a_call_id_is_one_clear_sentence(tmp_path: Path) -> None:
    answer = {"resultCode": "0300012", "resultDesc": "no data found"}
    client = client_for(tmp_path, lambda r: reply(answer), [])
    with pytest.raises(CcfsResultError) as caught:
        run(client.download_record(call_id="c\x1b[2J1"))
    text = str(caught.value)
    assert "No recording was found for call id c\\x1b[2J1" in text
    assert "can take a while to appear" in text and "\x1b" not in text
