"""The status bar: the token nearest expiry counting down, and how many are live."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual.content import Content
from textual.widgets import Static

from ccfs_tui.core.tokens import ALARM_BELOW, WARN_BELOW, Token, format_remaining
from ccfs_tui.ui.formatting import short_name, token_text

__all__ = ["TokenBar", "bar_token", "short_name"]


def bar_token(tokens: Sequence[Token], now: datetime) -> Token | None:
    """The token to show: the live one nearest expiry, else the latest expired one."""
    live = [t for t in tokens if not t.is_expired(now)]
    if live:
        return min(live, key=lambda t: t.expires_at)
    return max(tokens, key=lambda t: t.expires_at) if tokens else None


class TokenBar(Static):
    """One line; colour classes ``-warning`` (< 5 min), ``-alarm`` (< 1 min), ``-expired``."""

    def update_tokens(self, tokens: Sequence[Token], now: datetime, *, busy: str = "") -> None:
        """Redraw from the absolute expiries (called once a second by the app's one timer)."""
        token = bar_token(tokens, now)
        live = sum(1 for t in tokens if not t.is_expired(now))
        for name in ("-warning", "-alarm", "-expired"):
            self.remove_class(name)
        parts: list[Content] = []
        if busy:
            parts.append(Content.from_markup("[b]$busy[/]", busy=busy))
        if token is None:
            parts.append(Content("No playback token yet · Enter on a recording requests one"))
        elif token.is_expired(now):
            self.add_class("-expired")
            parts.append(
                Content.from_markup(
                    "Token $tok for $file [b]expired[/] · [b]n[/] renews",
                    tok=token_text(token),
                    file=short_name(token.file_name),
                )
            )
        else:
            left = token.remaining(now)
            if left <= ALARM_BELOW:
                self.add_class("-alarm")
            elif left <= WARN_BELOW:
                self.add_class("-warning")
            parts.append(
                Content.from_markup(
                    "Token $tok [b]$left[/] $file",
                    tok=token_text(token),
                    left=format_remaining(left),
                    file=short_name(token.file_name),
                )
            )
        if tokens:
            parts.append(Content.from_markup("$n live · [b]t[/] tokens", n=str(live)))
        self.update(Content(" · ").join(parts))
