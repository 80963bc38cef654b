"""The Session (core/session.py) against the emulator on loopback: what both front ends do
with a profile, its SK and client, the token store and the audit log."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ccfs_tui.core.audit import AuditLog
from ccfs_tui.core.clock import FakeClock, utc_now
from ccfs_tui.core.config import Profile, load_config
from ccfs_tui.core.errors import (
    CcfsBadTokenError,
    CcfsError,
    CcfsResultError,
    CcfsTlsError,
    CcfsTokenExpiredError,
    ConfigError,
)
from ccfs_tui.core.outcomes import Failure
from ccfs_tui.core.paths import app_paths
from ccfs_tui.core.secret import Secret
from ccfs_tui.core.session import SecretNeeded, Session
from ccfs_tui.core.tokens import TokenStore
from ccfs_tui.emulator import Catalogue, Emulator
from tests.conftest import EMULATOR_AK, EMULATOR_SK

PLAY = "/CCFS/resource/ccfs/playVoice?"


def _profile(emu: Emulator, tmp_path: Path, name: str = "a", **changes: Any) -> Profile:
    return Profile(
        name=name,
        base_url=emu.base_url,
        app_id=EMULATOR_AK,
        download_dir=tmp_path / "downloads",
        **changes,
    )


def _session(emu: Emulator, tmp_path: Path, **options: Any) -> Session:
    options.setdefault("profile", _profile(emu, tmp_path))
    options.setdefault("secret", Secret(EMULATOR_SK))
    options.setdefault(
        "tokens", TokenStore(tmp_path / "tokens.json", options.get("clock", utc_now))
    )
    options.setdefault("audit", AuditLog(tmp_path / "audit.jsonl"))
    return Session(**options)


def _played(emu: Emulator) -> int:
    return sum(1 for seen in emu.requests_seen if seen.endpoint == "playVoice")


def _start(recordings: list, **options: Any) -> Emulator:
    return Emulator(
        credentials={EMULATOR_AK: Secret(EMULATOR_SK)},
        catalogue=Catalogue.from_recordings(recordings, EMULATOR_AK),
        **options,
    ).start()


@pytest.fixture
def other_emulator(emulator_recordings: list) -> Iterator[Emulator]:
    """A second CC-FS (another server) with the same catalogue and credentials."""
    emu = _start(emulator_recordings)
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(utc_now())


@pytest.fixture
def clocked_emulator(emulator_recordings: list, clock: FakeClock) -> Iterator[Emulator]:
    """An emulator on the test's fake clock (tokens expire when the clock says so)."""
    emu = _start(emulator_recordings, clock=clock)
    try:
        yield emu
    finally:
        emu.stop()


def _two_profile_config(tmp_path: Path, first: Emulator, second: Emulator, extra: str = ""):
    path = tmp_path / "config.toml"
    path.write_text(
        f'[profiles.first]\nbase_url = "{first.base_url}"\napp_id = "{EMULATOR_AK}"\n{extra}'
        f'[profiles.second]\nbase_url = "{second.base_url}"\napp_id = "{EMULATOR_AK}"\n{extra}',
        encoding="utf-8",
    )
    return load_config(path, env={})


# --------------------------------------------------------------------------- request, renew


async def test_request_keeps_the_token_audits_it_and_clears_the_outcome(
    emulator, emulator_recordings, tmp_path: Path
) -> None:
    rec = emulator_recordings[0]
    async with _session(emulator, tmp_path) as session:
        token = await session.request_token(rec.original_file_name)  # backslashes
        assert token.file_name == rec.play_file_name and token.base_url == emulator.base_url
        assert session.outcome(rec.original_file_name) is None
        assert session.usable_token(rec.play_file_name) == token
    saved = json.loads((tmp_path / "tokens.json").read_text())["tokens"]
    assert [entry["token"] for entry in saved] == [token.token]
    audit = (tmp_path / "audit.jsonl").read_text()
    assert "requestPlayVoice" in audit and token.token not in audit


async def test_a_refused_request_leaves_a_failure_the_ui_can_show(emulator, tmp_path: Path) -> None:
    async with _session(emulator, tmp_path) as session:
        with pytest.raises(CcfsResultError):
            await session.request_token("no/such/recording.wav")
        outcome = session.outcome("no/such/recording.wav")
        assert isinstance(outcome, Failure) and outcome.kind == "result" and outcome.message


async def test_a_profile_that_is_not_ready_says_what_is_missing(tmp_path: Path) -> None:
    session = Session(profile=Profile(name="bare", base_url="https://ccfs.invalid"))
    assert not session.is_ready()
    with pytest.raises(ConfigError, match="no app_id"):
        await session.request_token("a.wav")
    assert isinstance(session.outcome("a.wav"), Failure)
    with pytest.raises(ConfigError, match="No CC-FS profile"):
        Session().check_ready()


async def test_renew_gets_a_new_token_for_the_same_file(
    clocked_emulator, clock, emulator_recordings, tmp_path: Path
) -> None:
    rec = emulator_recordings[1]
    async with _session(clocked_emulator, tmp_path, clock=clock) as session:
        first = await session.request_token(rec.play_file_name)
        clock.advance(minutes=31)
        assert session.live_token(rec.play_file_name) is None
        assert session.token_for(rec.play_file_name) == first  # expired, still known
        second = await session.renew(first)
        assert second.token != first.token and second.issued_at > first.issued_at
        assert session.usable_token(rec.play_file_name) == second
        with pytest.raises(CcfsError, match="from profile 'other'"):
            await session.renew(replace(second, profile="other"))


# --------------------------------------------------------------------------- downloads


async def test_download_to_the_default_name_and_to_a_given_path(
    emulator, emulator_recordings, tmp_path: Path
) -> None:
    rec = emulator_recordings[2]
    async with _session(emulator, tmp_path) as session:
        token = await session.request_token(rec.play_file_name)
        path = await session.download(token)
        assert path.parent == tmp_path / "downloads" and path.read_bytes()[:4] == b"RIFF"
        assert session.downloaded(rec.original_file_name) == path
        again = await session.download(token)  # the same recording: replaced, same name
        assert again == path
        chosen = await session.download(token, tmp_path / "call.wav")
        assert chosen == tmp_path / "call.wav" and chosen.read_bytes()[:4] == b"RIFF"
        by_record = await session.download_record(rec.file_name, tmp_path / "record.wav")
        assert by_record.read_bytes()[:4] == b"RIFF"


# --------------------------------------------------------------------------- playback URL


async def test_a_token_goes_only_to_the_server_that_issued_it(
    emulator, other_emulator, emulator_recordings, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("CCFS_SECRET_KEY", EMULATOR_SK)
    config = _two_profile_config(
        tmp_path, emulator, other_emulator, f'download_dir = "{tmp_path / "dl"}"\n'
    )
    rec = emulator_recordings[3]
    async with Session(
        profile=config.profile("first"), config=config, tokens=TokenStore(None)
    ) as session:
        token = await session.request_token(rec.play_file_name)
        session.switch_profile("second")
        # the URL is the issuing server's, never the active profile's
        url = session.playback_url(token)
        assert url.startswith(f"{emulator.base_url}{PLAY}") and other_emulator.base_url not in url
        # the active profile's client refuses to send it to its own server
        with pytest.raises(CcfsError, match="issued by"):
            await session.download(token)
        # a token that does not name an http(s) server never goes into a URL
        for base_url in ("", "javascript:alert(1)", "file:///etc/passwd"):
            with pytest.raises(CcfsError, match="does not say which server issued it"):
                session.playback_url(replace(token, base_url=base_url))
    assert _played(emulator) == 0 and _played(other_emulator) == 0
    assert not (tmp_path / "dl").exists() or not list((tmp_path / "dl").iterdir())


# --------------------------------------------------------------------------- stored tokens


async def test_a_stored_token_that_is_not_plain_text_is_refused_in_one_place(
    clocked_emulator, clock, emulator_recordings, tmp_path: Path
) -> None:
    emulator = clocked_emulator
    rec = emulator_recordings[4]
    store_path = tmp_path / "tokens.json"
    now = clock()
    entry = {
        "token": "abc\x1b]52;c;evil\x07",
        "file_name": rec.play_file_name,
        "issued_at": now.isoformat(),
        "expires_at": (now + timedelta(minutes=30)).isoformat(),
        "profile": "a",
        "base_url": emulator.base_url,
    }
    store_path.write_text(json.dumps({"tokens": [entry]}), encoding="utf-8")
    tokens = TokenStore(store_path, clock)
    tokens.load()
    async with _session(emulator, tmp_path, clock=clock, tokens=tokens) as session:
        stored = session.live_token(rec.play_file_name)
        assert stored is not None and session.bad_tokens() == [stored]
        assert session.usable_token(rec.play_file_name) is None  # a request is needed
        with pytest.raises(CcfsBadTokenError, match="not plain text"):
            session.check_usable(stored)
        with pytest.raises(CcfsBadTokenError):
            session.playback_url(stored)
        with pytest.raises(CcfsBadTokenError):
            await session.download(stored)
        assert _played(emulator) == 0
        fresh = await session.request_token(rec.play_file_name)
        assert session.usable_token(rec.play_file_name) == fresh
        clock.advance(minutes=30)
        with pytest.raises(CcfsTokenExpiredError):
            session.check_usable(fresh)
        with pytest.raises(CcfsTokenExpiredError):
            await session.download(fresh)
    assert _played(emulator) == 0


# --------------------------------------------------------------------------- profiles, SK


class _CountingTransport(httpx.AsyncBaseTransport):
    """Plain HTTP on loopback; counts the clients that closed it."""

    def __init__(self) -> None:
        self.closed = 0
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        self.closed += 1


async def test_a_profile_switch_closes_the_old_client_and_makes_a_new_one(
    emulator, other_emulator, emulator_recordings, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("CCFS_SECRET_KEY", EMULATOR_SK)
    config = _two_profile_config(tmp_path, emulator, other_emulator)
    transport = _CountingTransport()
    session = Session(
        profile=config.profile("first"),
        config=config,
        transport=transport,
        tokens=TokenStore(None),
    )
    first = await session.get_client()
    assert await session.get_client() is first  # one client per profile
    with pytest.raises(ConfigError, match="no profile named 'third'"):
        session.switch_profile("third")
    assert session.client is first and transport.closed == 0  # nothing changed
    session.switch_profile("second")
    assert session.client is None and session.profile is not None
    for _ in range(100):  # the old client closes in the background
        if transport.closed:
            break
        await asyncio.sleep(0)
    assert transport.closed == 1
    second = await session.get_client()
    assert second is not first and second.profile.base_url == other_emulator.base_url
    token = await session.request_token(emulator_recordings[5].play_file_name)
    assert token.base_url == other_emulator.base_url and token.profile == "second"
    await session.aclose()
    assert transport.closed == 2
    await transport._inner.aclose()


async def test_without_an_sk_the_session_says_it_needs_one_and_takes_it(
    emulator, emulator_recordings, tmp_path: Path
) -> None:
    session = _session(emulator, tmp_path, secret=None, environ={})
    with pytest.raises(SecretNeeded) as needed:
        await session.request_token(emulator_recordings[6].play_file_name)
    assert EMULATOR_AK in needed.value.prompt and "No secret key (SK)" in needed.value.message
    assert session.outcome(emulator_recordings[6].play_file_name) is None  # not a failure
    with pytest.raises(ConfigError, match="No secret key"):
        session.give_secret(Secret(""))
    session.give_secret(Secret(EMULATOR_SK))
    token = await session.request_token(emulator_recordings[6].play_file_name)
    assert token.token
    await session.aclose()


# --------------------------------------------------------------------------- --insecure


async def test_insecure_holds_for_every_profile_of_the_session(
    tls_emulator, emulator_recordings, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("CCFS_SECRET_KEY", EMULATOR_SK)
    config = _two_profile_config(tmp_path, tls_emulator, tls_emulator)  # no ca_bundle
    name = emulator_recordings[7].play_file_name
    async with Session(profile=config.profile("first"), config=config) as checked:
        assert not checked.tls_off
        with pytest.raises(CcfsTlsError):
            await checked.request_token(name)
    async with Session(profile=config.profile("first"), config=config, insecure=True) as session:
        assert session.tls_off and session.profile is not None and not session.profile.verify
        assert (await session.request_token(name)).base_url == tls_emulator.base_url
        switched = session.switch_profile("second")
        assert not switched.verify and session.tls_off
        assert (await session.request_token(name)).profile == "second"


def test_open_reads_the_config_the_token_store_and_the_audit_log(emulator, tmp_path: Path) -> None:
    paths = app_paths()
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(
        f'default_profile = "lab"\n[profiles.lab]\nbase_url = "{emulator.base_url}"\n'
        f'app_id = "{EMULATOR_AK}"\n',
        encoding="utf-8",
    )
    paths.token_store.parent.mkdir(parents=True, exist_ok=True)
    paths.token_store.write_text("{not json", encoding="utf-8")
    session = Session.open(insecure=True)
    assert session.profile is not None and session.profile.name == "lab"
    assert session.profile_names() == ["lab"] and session.tls_off
    assert session.tokens.load_error and "ignored" in session.tokens.load_error
    assert session.audit is not None and session.audit.path == paths.audit_log
    with pytest.raises(ConfigError, match="no profile named 'prod'"):
        Session.open("prod")
