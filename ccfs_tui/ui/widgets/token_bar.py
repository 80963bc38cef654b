"""The status bar: the token nearest expiry counting down, and how many are live."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from textual.content import Content
from textual.widgets import Static

from ccfs_tui.core.tokens import Token, format_remaining
from ccfs_tui.ui.actions import first_key
from ccfs_tui.ui.formatting import (
    COUNTDOWN_SIGNS,
    COUNTDOWN_WORDS,
    countdown,
    short_name,
    token_text,
)


def bar_token(tokens: Sequence[Token], now: datetime) -> Token | None:
    """The token to show: the live one nearest expiry, else the latest expired one."""
    live = [t for t in tokens if not t.is_expired(now)]
    if live:
        return min(live, key=lambda t: t.expires_at)
    return max(tokens, key=lambda t: t.expires_at) if tokens else None


class TokenBar(Static):
    """One line; colour classes ``-warning`` (< 5 min, yellow, ⚠), ``-alarm`` (< 1 min, red,
    ‼), ``-expired`` (✗) (:func:`~ccfs_tui.ui.formatting.countdown`). ``keys``: the keys in
    effect."""

    def __init__(self, keys: Mapping[str, Sequence[str]] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keys: Mapping[str, Sequence[str]] = keys or {}

    def update_tokens(self, tokens: Sequence[Token], now: datetime, *, busy: str = "") -> None:
        """Redraw from the absolute expiries (called once a second by the app's one timer)."""
        token = bar_token(tokens, now)
        live = sum(1 for t in tokens if not t.is_expired(now))
        level = countdown(token, now) if token is not None else "fine"
        for name in ("warning", "alarm", "expired"):
            self.set_class(level == name, f"-{name}")
        parts: list[Content] = []
        if busy:
            parts.append(Content.from_markup("[b]$busy[/]", busy=busy))
        if token is None:
            parts.append(Content("No playback token yet · Enter on a recording requests one"))
        elif level == "expired":
            parts.append(
                Content.from_markup(
                    "✗ Token $tok for $file [b]expired[/] · [b]$key[/] renews",
                    tok=token_text(token),
                    file=short_name(token.file_name),
                    key=first_key(self.keys, "renew_token"),
                )
            )
        elif level == "fine":
            parts.append(
                Content.from_markup(
                    "Token $tok [b]$left[/] $file",
                    tok=token_text(token),
                    left=format_remaining(token.remaining(now)),
                    file=short_name(token.file_name),
                )
            )
        else:  # a glyph and words too: the colour is never the only signal
            parts.append(
                Content.from_markup(
                    "$sign Token $tok [b]$left[/] left ($words) $file",
                    sign=COUNTDOWN_SIGNS[level],
                    tok=token_text(token),
                    left=format_remaining(token.remaining(now)),
                    words=COUNTDOWN_WORDS[level],
                    file=short_name(token.file_name),
                )
            )
        if tokens:
            parts.append(
                Content.from_markup(
                    "$n live · [b]$key[/] tokens", n=str(live), key=first_key(self.keys, "tokens")
                )
            )
        self.update(Content(" · ").join(parts))
