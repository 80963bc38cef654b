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

FITS = ((True, True, True), (True, True, False), (False, True, False), (False, False, False))
"""(file's name, warning words, key hints) of the bar's line, richest first: the first that
fits the width is shown."""


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
        self._last: tuple[Sequence[Token], datetime, str] | None = None

    def update_tokens(self, tokens: Sequence[Token], now: datetime, *, busy: str = "") -> None:
        """Redraw from the absolute expiries (called once a second by the app's one timer).

        The line fits the bar's width: the hint, then the file's name, then the words of a
        warning go before it is cut (the glyph and the colour stay)."""
        self._last = (tokens, now, busy)
        token = bar_token(tokens, now)
        level = countdown(token, now) if token is not None else "fine"
        for name in ("warning", "alarm", "expired"):
            self.set_class(level == name, f"-{name}")
        width = self.content_size.width or 1000
        line = Content("")
        for file, words, hint in FITS:
            line = self._line(tokens, now, busy, file=file, words=words, hint=hint)
            if line.cell_length <= width:
                break
        self.update(line)

    def on_resize(self, _event: Any) -> None:
        """Fit the line to the new width."""
        if self._last is not None:
            self.update_tokens(*self._last[:2], busy=self._last[2])

    def _line(
        self,
        tokens: Sequence[Token],
        now: datetime,
        busy: str,
        *,
        file: bool,
        words: bool,
        hint: bool,
    ) -> Content:
        token = bar_token(tokens, now)
        live = sum(1 for t in tokens if not t.is_expired(now))
        level = countdown(token, now) if token is not None else "fine"
        parts: list[Content] = []
        if busy:
            parts.append(Content.from_markup("[b]$busy[/]", busy=busy))
        name = short_name(token.file_name) if token is not None and file else ""
        if token is None:
            parts.append(
                Content("No playback token yet · Enter on a recording requests one")
                if hint
                else Content("No token yet · Enter requests one")
            )
        elif level == "expired":
            parts.append(
                Content.from_markup(
                    "✗ Token $tok$file [b]expired[/] · [b]$key[/] renews",
                    tok=token_text(token),
                    file=f" for {name}" if name else "",
                    key=first_key(self.keys, "renew_token"),
                )
            )
        else:  # a warning or an alarm has a glyph and words: never the colour alone
            sign = COUNTDOWN_SIGNS[level]
            said = ""
            if sign:
                said = f" left ({COUNTDOWN_WORDS[level]})" if words else " left"
            parts.append(
                Content.from_markup(
                    "$sign$tok [b]$left[/]$said$file",
                    sign=f"{sign} Token " if sign else "Token ",
                    tok=token_text(token),
                    left=format_remaining(token.remaining(now)),
                    said=said,
                    file=f" {name}" if name else "",
                )
            )
        if tokens:
            parts.append(
                Content.from_markup(
                    "$n live · [b]$key[/] tokens" if hint else "$n live",
                    n=str(live),
                    key=first_key(self.keys, "tokens"),
                )
            )
        return Content(" · ").join(parts)
