"""Token lifetimes and the persistent token store."""

from __future__ import annotations

import json
import stat
from datetime import timedelta

from ccfs_tui.core.clock import FakeClock
from ccfs_tui.core.tokens import (
    TOKEN_LIFETIME,
    Token,
    TokenStore,
    format_remaining,
    mask_token,
    token_fingerprint,
)

TOKEN = "DC45A1B2C3D4E5F60718293A4B5C6F90"


def test_lifetime_is_thirty_minutes_from_absolute_expiry() -> None:
    clock = FakeClock()
    token = Token.issued(TOKEN, "Y:/1/a.V3", clock())
    assert token.expires_at - token.issued_at == TOKEN_LIFETIME == timedelta(minutes=30)
    assert format_remaining(token.remaining(clock())) == "30:00"
    clock.advance(1)
    assert format_remaining(token.remaining(clock())) == "29:59"
    clock.advance(0.4)
    assert format_remaining(token.remaining(clock())) == "29:59"  # rounds up, never early
    clock.advance(minutes=29, seconds=58.6)
    assert format_remaining(token.remaining(clock())) == "00:00"
    assert token.is_expired(clock())
    clock.advance(3600)
    assert token.remaining(clock()) == timedelta(0)


def test_mask_and_fingerprint_hide_the_token() -> None:
    assert mask_token(TOKEN) == "DC45…6F90"
    token = Token.issued(TOKEN, "f", FakeClock()())
    assert TOKEN not in repr(token)
    assert token.fingerprint == token_fingerprint(TOKEN)
    assert TOKEN not in token.fingerprint and len(token.fingerprint) == 12


def test_store_persists_live_tokens_privately_and_survives_restart(tmp_path) -> None:
    clock = FakeClock()
    path = tmp_path / "state" / "tokens.json"
    store = TokenStore(path, clock)
    store.add(Token.issued(TOKEN, "Y:/1/a.V3", clock(), "prod"))
    clock.advance(minutes=10)
    store.add(Token.issued("B" * 32, "Y:/1/b.V3", clock(), "prod"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = TokenStore(path, clock)
    again.load()
    assert [t.file_name for t in again.live()] == ["Y:/1/a.V3", "Y:/1/b.V3"]
    clock.advance(minutes=25)  # a expired (35 min), b live (25 min)
    assert [t.file_name for t in again.live()] == ["Y:/1/b.V3"]
    assert len(again.all()) == 2  # the expired one is still shown this session ...
    again.save()
    third = TokenStore(path, clock)
    third.load()  # ... but is not written back
    assert [t.file_name for t in third.all()] == ["Y:/1/b.V3"]


def test_store_replaces_token_of_same_file_and_finds_by_either_slash(tmp_path) -> None:
    clock = FakeClock()
    store = TokenStore(tmp_path / "t.json", clock)
    store.add(Token.issued("A" * 32, "X:/17/0/x.V3", clock()))
    clock.advance(60)
    store.add(Token.issued("B" * 32, "X:/17/0/x.V3", clock()))
    assert len(store.all()) == 1
    found = store.latest_for("X:\\17\\0\\x.V3")
    assert found is not None and found.token == "B" * 32
    store.remove(found)
    assert store.all() == []


def test_corrupt_store_is_ignored_not_fatal(tmp_path) -> None:
    path = tmp_path / "t.json"
    path.write_text("{not json")
    store = TokenStore(path, FakeClock())
    store.load()
    assert store.all() == [] and store.load_error and str(path) in store.load_error
    path.write_text(json.dumps({"tokens": [{"token": "x"}]}))
    store.load()
    assert store.all() == []
