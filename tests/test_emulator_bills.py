"""The emulator's bill interfaces (queryBillData, its callback, downloadBillFile) and
downloadRecord by call id, over real HTTP(S) on loopback (reference sections 6-8)."""

from __future__ import annotations

import csv
import io
import json
import re
import ssl
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from ccfs_tui.core.recording import COLUMNS, Recording
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signing import C2Auth, VerificationError, verify_authorization
from ccfs_tui.emulator import Catalogue, CatalogueEntry, Emulator, codes
from ccfs_tui.emulator.audio import parse_wav_header
from ccfs_tui.emulator.cdr_rows import CDR_COLUMNS
from ccfs_tui.emulator.sample_index import generate_recordings, index_row
from ccfs_tui.emulator.tls import make_certificate, server_context

AK, SK = "bill-ak", "bill-sk-0123456789"
PREFIX = "/CCFS/resource/ccfs/"
JSON_CT = "application/json;charset=UTF-8"
TODAY = datetime.now(UTC).date()
FIRST_DAY = TODAY - timedelta(days=3)
BEGIN = datetime.combine(FIRST_DAY, datetime.min.time())
END = BEGIN + timedelta(days=3) - timedelta(seconds=1)  # yesterday 23:59:59
FMT = "%Y-%m-%d %H:%M:%S"
MEMBER = re.compile(r"(\d{20})_(call|record)_(\d+)\.csv")


# ---- a callback receiver (what a client of CC-FS runs) -------------------------------------


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: str
    verified: bool


@dataclass
class Receiver:
    """Records callbacks, checks their signature, answers from ``replies`` then 200 + JSON."""

    replies: list[tuple[int, bytes]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, request: BaseHTTPRequestHandler) -> tuple[int, bytes]:
        length = int(request.headers.get("Content-Length", "0"))
        body = request.rfile.read(length).decode("utf-8")
        split = urlsplit(request.path)
        query = dict(parse_qsl(split.query))
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            verify_authorization(
                request.headers.get("Authorization"),
                secrets={AK: Secret(SK)},
                method="POST",
                path=split.path,
                query=query,
                headers=headers,
                body=body,
                now=datetime.now(UTC),
                required_headers=("content-length", "content-type", "host"),
            )
            verified = True
        except VerificationError:
            verified = False
        with self.lock:
            self.received.append(Received(split.path, query, headers, body, verified))
            if not verified:
                return 401, b'{"resultCode":"401"}'
            return self.replies.pop(0) if self.replies else (200, b'{"resultCode":"0"}')


def _serve(receiver: Receiver, context: ssl.SSLContext | None) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            status, body = receiver.answer(self)
            self.send_response(status)
            self.send_header("Content-Type", JSON_CT)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    """A plain-HTTP receiver and its callback URL."""
    rec = Receiver()
    server = _serve(rec, None)
    try:
        yield rec, f"http://127.0.0.1:{server.server_address[1]}/hooks/ccfs?tenant=t1"
    finally:
        server.shutdown()
        server.server_close()


def wait_for(condition: Callable[[], bool], what: str, limit: float = 20.0) -> None:
    """Wait until ``condition`` holds (``limit`` only bounds a failure, it is not asserted)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        time.sleep(0.02)


# ---- the emulator -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def recordings() -> list[Recording]:
    """300 recordings over the 3 days before today (UTC), some calls in 2 or 3 parts."""
    return list(
        generate_recordings(
            300, seed=5, start=FIRST_DAY, days=3, app_id=AK, transfers=0.3, account_id="555"
        )
    )


@pytest.fixture
def emulator(recordings: list[Recording]) -> Iterator[Emulator]:
    others = generate_recordings(20, seed=9, start=FIRST_DAY, days=3, app_id="other-ak")
    catalogue = Catalogue.from_recordings(recordings, AK)
    for rec in Catalogue.from_recordings(others, "other-ak"):
        catalogue.add(rec)
    emu = Emulator(credentials={AK: Secret(SK)}, catalogue=catalogue)
    emu.bills.time_zone = UTC
    emu.callbacks.first_delay = 0
    emu.callbacks.retry_interval = 0.2
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()
        emu.callbacks.join(5)


def post(
    emu: Emulator, endpoint: str, msg: dict[str, Any], ak: str = AK, sk: str = SK
) -> httpx.Response:
    with httpx.Client(
        base_url=emu.base_url + PREFIX, auth=C2Auth(ak, Secret(sk)), timeout=10
    ) as client:
        body = json.dumps({"request": {"version": "2.0"}, "msgBody": msg})
        return client.post(endpoint, content=body, headers={"Content-Type": JSON_CT})


def result(response: httpx.Response) -> str:
    return str(json.loads(response.content)["resultCode"])


def query(url: str, **extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "beginTime": BEGIN.strftime(FMT),
        "endTime": END.strftime(FMT),
        "dataType": "call_record",
        "callBackURL": url,
    }
    msg.update(extra)
    return msg


def ask(emu: Emulator, url: str, **extra: Any) -> str:
    """queryBillData; the responseId."""
    response = post(emu, "queryBillData", query(url, **extra))
    assert response.status_code == 200 and result(response) == "0", response.text
    return str(response.json()["resultData"]["responseId"])


def delivered(emu: Emulator, response_id: str) -> Callable[[], bool]:
    return lambda: any(a.delivered for a in emu.callbacks.of(response_id))


def download_bill(emu: Emulator, name: str) -> dict[str, list[list[str]]]:
    response = post(emu, "downloadBillFile", {"billFileName": name})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "Application/Octet-stream;charset=UTF-8"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {
            n: list(csv.reader(io.StringIO(archive.read(n).decode("utf-8"), newline="")))
            for n in archive.namelist()
        }


def in_window(recordings: list[Recording]) -> list[Recording]:
    return [r for r in recordings if BEGIN <= r.call_begin <= END]


# ---- queryBillData and its callback -------------------------------------------------------


def test_a_query_answers_a_response_id_then_posts_a_signed_callback(
    emulator: Emulator, receiver: tuple[Receiver, str]
) -> None:
    rec, url = receiver
    response = post(emulator, "queryBillData", query(url))
    data = response.json()
    assert response.headers["content-type"] == JSON_CT
    assert data["resultCode"] == "0" and data["resultDesc"] == "success"
    assert data["response"] == {"version": "2.0", "resultCode": "0", "resultMsg": "success"}
    response_id = data["resultData"]["responseId"]
    assert re.fullmatch(r"[0-9a-f]{32}", response_id)

    wait_for(delivered(emulator, response_id), "the callback delivered")
    (got,) = rec.received
    assert got.verified and got.path == "/hooks/ccfs" and got.query == {"tenant": "t1"}
    assert got.headers["authorization"].startswith(f"auth-v2/{AK}/")
    assert "/content-length;content-type;host/" in got.headers["authorization"]
    assert got.headers["content-type"] == JSON_CT
    today = datetime.now(UTC).strftime("%Y%m%d")
    assert json.loads(got.body) == {
        "request": {"version": "2.0"},
        "msgBody": {"responseId": response_id, "billFileName": f"{today}_{response_id}.zip"},
    }
    (attempt,) = emulator.callbacks.of(response_id)
    assert (attempt.number, attempt.status, attempt.delivered, attempt.forged) == (
        1, 200, True, False,
    )  # fmt: skip


def test_the_callback_repeats_the_account_id_when_the_query_had_one(
    emulator: Emulator, receiver: tuple[Receiver, str]
) -> None:
    rec, url = receiver
    response_id = ask(emulator, url, accountId="555")
    wait_for(delivered(emulator, response_id), "the callback delivered")
    assert json.loads(rec.received[0].body)["msgBody"]["accountId"] == "555"


def test_the_callback_is_retried_until_a_200_with_a_body(
    emulator: Emulator, receiver: tuple[Receiver, str]
) -> None:
    rec, url = receiver
    rec.replies = [(500, b"oops"), (200, b""), (200, b"  \r\n"), (204, b"")]
    response_id = ask(emulator, url)
    wait_for(delivered(emulator, response_id), "the callback delivered")
    emulator.stop()
    emulator.callbacks.join(5)
    attempts = emulator.callbacks.of(response_id)
    assert [(a.number, a.status, a.delivered) for a in attempts] == [
        (1, 500, False), (2, 200, False), (3, 200, False), (4, 204, False), (5, 200, True),
    ]  # fmt: skip
    assert len(rec.received) == 5 and len({r.body for r in rec.received}) == 1
    assert all(r.verified for r in rec.received)


def test_the_forged_signature_switch_sends_callbacks_a_receiver_refuses(
    emulator: Emulator, receiver: tuple[Receiver, str]
) -> None:
    rec, url = receiver
    emulator.callbacks.forge_signature = True
    response_id = ask(emulator, url)
    wait_for(lambda: len(emulator.callbacks.of(response_id)) >= 2, "two forged tries")
    emulator.callbacks.forge_signature = False
    wait_for(delivered(emulator, response_id), "the callback delivered")
    attempts = emulator.callbacks.of(response_id)
    assert attempts[0].forged and attempts[0].status == 401 and not attempts[0].delivered
    assert attempts[-1].delivered and not attempts[-1].forged
    # the forged ones carry the right AK, a well-formed header, but a wrong signature
    forged = [r for r in rec.received if not r.verified]
    assert len(forged) == sum(a.forged for a in attempts) >= 2
    assert forged[0].headers["authorization"].startswith(f"auth-v2/{AK}/")
    assert forged[0].body == rec.received[-1].body


def test_the_never_send_switch_keeps_the_callback_back(
    emulator: Emulator, receiver: tuple[Receiver, str]
) -> None:
    rec, url = receiver
    emulator.callbacks.never_send = True
    response_id = ask(emulator, url)
    wait_for(lambda: emulator.callbacks.skipped >= 3, "three tries skipped")
    assert rec.received == [] and emulator.callbacks.of(response_id) == []
    # the bill exists all the same: a client that polls can still fetch it
    name = f"{datetime.now(UTC):%Y%m%d}_{response_id}.zip"
    assert download_bill(emulator, name)


def test_a_callback_over_https_is_verified_against_the_given_ca(
    emulator: Emulator, tmp_path: Path
) -> None:
    pair = make_certificate(tmp_path / "receiver-tls")
    rec = Receiver()
    server = _serve(rec, server_context(pair))
    url = f"https://localhost:{server.server_address[1]}/cb"
    try:
        emulator.callbacks.max_attempts = 1
        untrusted = ask(emulator, url)
        wait_for(lambda: bool(emulator.callbacks.of(untrusted)), "a try without the CA")
        (refused,) = emulator.callbacks.of(untrusted)
        assert refused.status is None and not refused.delivered
        assert refused.error is not None and "CERTIFICATE_VERIFY_FAILED" in refused.error
        assert rec.received == []

        emulator.callbacks.ca_bundle = pair.cert
        trusted = ask(emulator, url)
        wait_for(delivered(emulator, trusted), "the callback delivered over TLS")
        assert [r.verified for r in rec.received] == [True]
        assert json.loads(rec.received[0].body)["msgBody"]["responseId"] == trusted
    finally:
        server.shutdown()
        server.server_close()


# ---- queryBillData refusals ----------------------------------------------------------------

NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"beginTime": None}, codes.PARAM_NULL),
        ({"endTime": None}, codes.PARAM_NULL),
        ({"beginTime": ""}, codes.EMPTY_STRING),
        ({"beginTime": "2026/01/01 00:00:00"}, codes.BAD_FORMAT),
        ({"beginTime": "2026-01-01T00:00:00"}, codes.BAD_FORMAT),
        ({"endTime": "2026-02-30 00:00:00"}, codes.BAD_FORMAT),
        ({"endTime": 20260101}, codes.BAD_FORMAT),
        ({"dataType": None}, codes.PARAM_NULL),
        ({"dataType": "calls"}, codes.PARAM_NULL),
        ({"dataType": ""}, codes.PARAM_NULL),
        ({"callBackURL": None}, codes.PARAM_NULL),
        ({"callBackURL": ""}, codes.EMPTY_STRING),
        ({"callBackURL": "ftp://127.0.0.1/cb"}, codes.BAD_FORMAT),
        ({"callBackURL": "http:///cb"}, codes.BAD_FORMAT),
        ({"callBackURL": "http://h/" + "x" * 1100}, codes.TOO_LONG),
        ({"agentId": ["1001"]}, codes.BAD_FORMAT),
        ({"callerNo": "1" * 65}, codes.TOO_LONG),
        ({"beginTime": (END + timedelta(seconds=1)).strftime(FMT)}, codes.BEGIN_AFTER_END),
        (
            {"beginTime": (END - timedelta(days=3, seconds=1)).strftime(FMT)},
            codes.RANGE_TOO_LONG,
        ),
        (
            {
                "beginTime": (NOW - timedelta(hours=1)).strftime(FMT),
                "endTime": (NOW + timedelta(hours=1)).strftime(FMT),
            },
            codes.IN_THE_FUTURE,
        ),
    ],
)
def test_query_refusals(emulator: Emulator, change: dict[str, Any], code: str) -> None:
    msg = query("http://127.0.0.1:9/cb")
    for key, value in change.items():
        if value is None:
            del msg[key]
        else:
            msg[key] = value
    response = post(emulator, "queryBillData", msg)
    assert response.status_code == 200 and result(response) == code
    assert response.json()["resultDesc"]
    assert len(emulator.bills) == 0
    emulator.stop()
    assert emulator.callbacks.attempts == []


def test_query_limits_are_inclusive(emulator: Emulator) -> None:
    exactly_three_days = query(
        "http://127.0.0.1:9/cb", beginTime=(END - timedelta(days=3)).strftime(FMT)
    )
    up_to_now = query(
        "http://127.0.0.1:9/cb",
        beginTime=(NOW - timedelta(days=1)).strftime(FMT),
        endTime=NOW.strftime(FMT),
    )
    emulator.callbacks.never_send = True
    assert result(post(emulator, "queryBillData", exactly_three_days)) == "0"
    assert result(post(emulator, "queryBillData", up_to_now)) == "0"


def test_a_query_needs_a_good_signature(emulator: Emulator) -> None:
    response = post(emulator, "queryBillData", query("http://127.0.0.1:9/cb"), sk="wrong")
    assert response.status_code == 401 and len(emulator.bills) == 0


# ---- downloadBillFile ---------------------------------------------------------------------


def _bill(
    emulator: Emulator, receiver: tuple[Receiver, str], **extra: Any
) -> dict[str, list[list[str]]]:
    rec, url = receiver
    response_id = ask(emulator, url, **extra)
    wait_for(delivered(emulator, response_id), "the callback delivered")
    notice = json.loads(rec.received[-1].body)["msgBody"]
    assert notice["responseId"] == response_id
    return download_bill(emulator, notice["billFileName"])


def _split(files: dict[str, list[list[str]]], kind: str) -> list[list[str]]:
    """The rows of every ``kind`` member, in part order, each member's header checked."""
    matches = sorted(
        (int(m.group(3)), name)
        for name in files
        if (m := MEMBER.fullmatch(name)) and m.group(2) == kind
    )
    assert [n for n, _ in matches] == list(range(1, len(matches) + 1))
    header = list(CDR_COLUMNS) if kind == "call" else list(COLUMNS)
    rows: list[list[str]] = []
    for _, name in matches:
        assert files[name][0] == header
        rows += files[name][1:]
    return rows


def test_the_bill_zip_holds_matching_record_and_cdr_files(
    emulator: Emulator, receiver: tuple[Receiver, str], recordings: list[Recording]
) -> None:
    emulator.bills.part_rows = 40
    files = _bill(emulator, receiver)
    assert all(MEMBER.fullmatch(name) for name in files)
    prefixes = {MEMBER.fullmatch(name).group(1) for name in files}  # type: ignore[union-attr]
    assert len(prefixes) == 1 and prefixes.pop().startswith(datetime.now(UTC).strftime("%Y%m%d"))
    assert all(len(rows) - 1 <= 40 for rows in files.values())

    records = _split(files, "record")
    expected = sorted(in_window(recordings), key=lambda r: (r.call_begin, r.call_id, r.file_name))
    assert len(expected) > 200  # the other app's recordings are not in it
    assert records == [index_row(r) for r in expected]
    assert len(files) == 2 * ((len(records) + 39) // 40)

    cdrs = _split(files, "call")
    assert all(len(row) == 29 for row in cdrs)
    col = {name: i for i, name in enumerate(CDR_COLUMNS)}
    # one agent leg per recording, joined by call_id, with the recording's times and agent
    keys = ("call_id", "agent_id", "call_begin", "call_end")

    def leg(row: list[str]) -> tuple[str, ...]:
        return tuple(row[col[key]] for key in keys)

    assert Counter(map(leg, cdrs)) == Counter((r[4], r[3], r[7], r[8]) for r in records)
    legs_per_call = Counter(row[col["call_id"]] for row in cdrs)
    assert legs_per_call == Counter(r[4] for r in records)
    assert {2, 3} <= set(legs_per_call.values())  # calls recorded in 2 and 3 parts
    for call_id, count in legs_per_call.items():
        rows = [row for row in cdrs if row[col["call_id"]] == call_id]
        numbers = [row[col["call_id_num"]] for row in rows]
        assert numbers == (["-1"] if count == 1 else [*map(str, range(1, count)), "-1"])
        assert [bool(row[col["release_cause"]]) for row in rows] == [False] * (count - 1) + [True]
        for before, after in pairwise(rows):
            assert after[col["pre_device_no"]] == before[col["agent_id"]]
        for row in rows:
            times = [
                row[col[c]]
                for c in ("wait_begin", "wait_end", "ack_begin", "ack_end", "call_begin")
            ]
            assert times == sorted(times) and row[col["device_type"]] == "2"


@pytest.mark.parametrize(("data_type", "kinds"), [("call", {"call"}), ("record", {"record"})])
def test_the_data_type_chooses_the_files(
    emulator: Emulator, receiver: tuple[Receiver, str], data_type: str, kinds: set[str]
) -> None:
    files = _bill(emulator, receiver, dataType=data_type)
    assert {MEMBER.fullmatch(n).group(2) for n in files} == kinds  # type: ignore[union-attr]


def test_filters_narrow_the_bill(
    emulator: Emulator, receiver: tuple[Receiver, str], recordings: list[Recording]
) -> None:
    target = in_window(recordings)[17]
    by_agent = _split(
        _bill(emulator, receiver, dataType="record", agentId=target.agent_id), "record"
    )
    assert by_agent and {r[3] for r in by_agent} == {target.agent_id}
    by_callee = _split(
        _bill(emulator, receiver, dataType="record", calleeNo2=target.callee_no), "record"
    )
    assert by_callee and {r[6] for r in by_callee} == {target.callee_no}
    by_call = _split(
        _bill(emulator, receiver, dataType="record", callId=target.call_id, agentId=""), "record"
    )
    assert {r[4] for r in by_call} == {target.call_id}
    nothing = _bill(emulator, receiver, dataType="call", callerNo="no-such-number")
    (only,) = nothing.values()
    assert only == [list(CDR_COLUMNS)]  # an empty bill is a header line


@pytest.mark.parametrize(
    ("msg", "code"),
    [
        ({}, codes.PARAM_NULL),
        ({"billFileName": ""}, codes.EMPTY_STRING),
        ({"billFileName": 20260101}, codes.BAD_FORMAT),
        ({"billFileName": "a" * 46 + ".zip"}, codes.BAD_NAME),
        ({"billFileName": "../20260101_x.zip"}, codes.BAD_NAME),
        ({"billFileName": "20260101_x y.zip"}, codes.BAD_NAME),
        ({"billFileName": "20260101_" + "0" * 32 + ".zip"}, codes.NO_DATA),
    ],
)
def test_download_bill_file_refusals(emulator: Emulator, msg: dict[str, Any], code: str) -> None:
    response = post(emulator, "downloadBillFile", msg)
    assert response.status_code == 200 and result(response) == code
    assert response.headers["content-type"] == JSON_CT


def test_another_app_cannot_download_a_bill(
    emulator: Emulator, receiver: tuple[Receiver, str]
) -> None:
    rec, url = receiver
    response_id = ask(emulator, url)
    wait_for(delivered(emulator, response_id), "the callback delivered")
    name = json.loads(rec.received[0].body)["msgBody"]["billFileName"]
    assert len(name) <= 49
    emulator.credentials["other-ak"] = Secret("other-sk")
    response = post(emulator, "downloadBillFile", {"billFileName": name}, "other-ak", "other-sk")
    assert result(response) == codes.NO_DATA


# ---- downloadRecord by call id -------------------------------------------------------------


def _calls(recordings: list[Recording]) -> dict[str, list[Recording]]:
    calls: dict[str, list[Recording]] = {}
    for rec in recordings:
        calls.setdefault(rec.call_id, []).append(rec)
    return calls


def test_a_call_with_several_recordings_downloads_as_a_zip_of_wavs(
    emulator: Emulator, recordings: list[Recording]
) -> None:
    calls = _calls(recordings)
    three = next(parts for parts in calls.values() if len(parts) == 3)
    one = next(parts for parts in calls.values() if len(parts) == 1)[0]
    zipped = post(emulator, "downloadRecord", {"callId": three[0].call_id, "ccId": 1})
    single = post(emulator, "downloadRecord", {"callId": one.call_id})  # ccId defaults
    assert zipped.content[:2] == b"PK" and single.content[:4] == b"RIFF"
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        wavs = {name: archive.read(name) for name in archive.namelist()}
    assert sorted(wavs) == sorted(r.file_name.rsplit("/", 1)[1] for r in three)
    for rec in three:
        info = parse_wav_header(wavs[rec.file_name.rsplit("/", 1)[1]])
        assert info["data_size"] == rec.duration.total_seconds() * 8000
    assert parse_wav_header(single.content)["data_size"] == one.duration.total_seconds() * 8000


def test_download_record_codes_of_section_7(emulator: Emulator) -> None:
    twin = CatalogueEntry("/10/2/record/1.wav", "Y:/2/0/20260101/1/1.V3", "dup-1", "2", AK, 5.0)
    other = CatalogueEntry("/10/1/record/1.wav", "Y:/1/0/20260101/1/1.V3", "dup-1", "1", AK, 5.0)
    foreign = CatalogueEntry("/10/1/record/2.wav", "Y:/1/0/20260101/1/2.V3", "f-1", "1", "x", 5.0)
    for entry in (twin, other, foreign):
        emulator.catalogue.add(entry)
    assert result(post(emulator, "downloadRecord", {"ccId": "1"})) == codes.NAME_OR_CALL_ID
    assert result(post(emulator, "downloadRecord", {"callId": "dup-1"})) == codes.GIVE_CC_ID
    chosen = post(emulator, "downloadRecord", {"callId": "dup-1", "ccId": 2})
    assert chosen.content[:4] == b"RIFF"
    assert result(post(emulator, "downloadRecord", {"callId": "nope"})) == codes.NO_DATA
    assert result(post(emulator, "downloadRecord", {"callId": "f-1"})) == codes.OTHER_DEVELOPER
    by_name = post(emulator, "downloadRecord", {"fileName": "Y:/1/0/20260101/1/2.V3"})
    assert result(by_name) == codes.OTHER_DEVELOPER


def test_the_sample_catalogue_has_calls_of_two_and_three_recordings() -> None:
    emu = Emulator()
    sizes = Counter(Counter((e.cc_id, e.call_id) for e in emu.catalogue).values())
    assert sizes[2] > 0 and sizes[3] > 0 and sizes[1] > sizes[2]
    assert all(e.recording is not None for e in emu.catalogue)


def test_entries_without_an_index_line_stay_out_of_bills(
    emulator: Emulator, receiver: tuple[Receiver, str], recordings: list[Recording]
) -> None:
    bare = CatalogueEntry("/10/1/record/9.wav", "Y:/1/0/20260101/1/9.V3", "bare-1", "1", AK, 5.0)
    emulator.catalogue.add(bare)
    records = _split(_bill(emulator, receiver, dataType="record"), "record")
    assert "bare-1" not in {r[4] for r in records}
    assert len(records) == len(in_window(recordings))
