"""C2 auth-v2 signing: Huawei's vectors, the httpx.Auth, and verification."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ccfs_tui.core.clock import FakeClock
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.signing import (
    C2Auth,
    VerificationError,
    enc,
    parse_authorization,
    shorten_authorization,
    sign,
    verify_authorization,
)

VECTORS_FILE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "c2_vectors.json"
LOCAL_VECTORS = Path(__file__).parent / "data" / "c2_vectors.json"


def _vectors() -> list[dict]:
    path = VECTORS_FILE if VECTORS_FILE.exists() else LOCAL_VECTORS
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("vector", _vectors(), ids=lambda v: f"{v['ak']}-{v['uri'][-12:]}")
def test_huawei_vector(vector: dict) -> None:
    got = sign(
        app_id=vector["ak"],
        secret=Secret(vector["sk"]),
        timestamp=vector["ts"],
        method=vector["method"],
        path=vector["uri"],
        query=vector["query"],
        headers=vector["headers"],
        body=vector["body"],
    )
    assert got == vector["authorization"]


def test_local_copy_of_vectors_matches_reference() -> None:
    if not VECTORS_FILE.exists():
        pytest.skip("shared/reference not beside this checkout")
    assert json.loads(LOCAL_VECTORS.read_text()) == json.loads(VECTORS_FILE.read_text())


def test_enc_keeps_unreserved_and_uppercases_hex() -> None:
    assert enc("aZ9-._~") == "aZ9-._~"
    assert enc("a b/+=") == "a%20b%2F%2B%3D"
    assert enc("录") == "%E5%BD%95"


def _signed_request(auth: C2Auth, url: str, body: str) -> httpx.Request:
    request = httpx.Request(
        "POST",
        url,
        content=body.encode("utf-8"),
        headers={"Content-Type": "application/json;charset=UTF-8"},
    )
    flow = auth.auth_flow(request)
    return next(flow)


def test_auth_signs_what_httpx_sends_on_default_port() -> None:
    clock = FakeClock(datetime(2018, 7, 2, 2, 42, 49, tzinfo=UTC))
    auth = C2Auth("testak", Secret("testsk"), clock=clock)
    body = '{"request":{"version":"2.0"},"msgBody":{"fileName":"Y:/1/0/20180309/108/2022318.V3"}}'
    request = _signed_request(auth, "https://cc-fs.example:443/CCFS/resource/ccfs/x", body)
    assert request.headers["host"] == "cc-fs.example"  # httpx drops :443 ...
    # ... and the signature covers exactly that Host, so the server verifies it.
    app_id = verify_authorization(
        request.headers["authorization"],
        secrets={"testak": Secret("testsk")},
        method="POST",
        path="/CCFS/resource/ccfs/x",
        query={},
        headers=dict(request.headers),
        body=body,
        now=clock(),
    )
    assert app_id == "testak"


def test_auth_matches_vector_through_httpx() -> None:
    vector = _vectors()[0]
    clock = FakeClock(datetime(2018, 7, 2, 2, 42, 49, tzinfo=UTC))
    auth = C2Auth(vector["ak"], Secret(vector["sk"]), clock=clock)
    url = f"http://{vector['headers']['host']}{vector['uri']}"
    request = _signed_request(auth, url, vector["body"])
    assert request.headers["authorization"] == vector["authorization"]


def test_host_only_signed_headers() -> None:
    auth = C2Auth("ak", Secret("sk"), signed_headers=["host"], clock=FakeClock())
    request = _signed_request(auth, "http://10.0.0.1:8443/p", "{}")
    assert parse_authorization(request.headers["authorization"]).signed_headers == ("host",)


def _verify(request: httpx.Request, now: datetime, **kwargs: object) -> str:
    return verify_authorization(
        request.headers.get("authorization"),
        secrets={"ak": Secret("sk")},
        method=request.method,
        path=request.url.path,
        query={},
        headers=dict(request.headers),
        body=request.content.decode(),
        now=now,
        **kwargs,  # type: ignore[arg-type]
    )


def test_verify_refuses_wrong_secret_skew_and_tampering() -> None:
    clock = FakeClock()
    good = _signed_request(C2Auth("ak", Secret("sk"), clock=clock), "http://h:1/p", '{"a":1}')
    assert _verify(good, clock()) == "ak"
    wrong = _signed_request(C2Auth("ak", Secret("nope"), clock=clock), "http://h:1/p", "{}")
    with pytest.raises(VerificationError, match="does not match"):
        _verify(wrong, clock())
    with pytest.raises(VerificationError, match="away from server time"):
        _verify(good, clock() + timedelta(hours=1))
    tampered = httpx.Request("POST", "http://h:1/p", content=b'{"a":2}', headers=good.headers)
    with pytest.raises(VerificationError, match="does not match"):
        _verify(tampered, clock())
    with pytest.raises(VerificationError, match="no Authorization"):
        _verify(httpx.Request("POST", "http://h:1/p"), clock())


def test_verify_requires_signed_host() -> None:
    clock = FakeClock()
    auth = C2Auth("ak", Secret("sk"), signed_headers=["content-type"], clock=clock)
    request = _signed_request(auth, "http://h:1/p", "{}")
    with pytest.raises(VerificationError, match="not signed: host"):
        _verify(request, clock())


def test_repr_and_shortened_header_never_show_secret_or_signature() -> None:
    auth = C2Auth("ak", Secret("topsecret"), clock=FakeClock())
    assert "topsecret" not in repr(auth)
    request = _signed_request(auth, "http://h:1/p", "{}")
    full = request.headers["authorization"]
    short = shorten_authorization(full)
    signature = full.rsplit("/", 1)[1]
    assert signature not in short
    assert short.startswith("auth-v2/ak/") and "…" in short
