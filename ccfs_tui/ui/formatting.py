"""Short human texts for recordings, counts and durations (no Textual here).

Every text that came from an index file, a server, the token store or the audit log goes
through :func:`shown` (the core sanitiser) before a widget gets it: its control, bidi and
separator characters become visible escapes. What these helpers return is plain text: widgets
pass it as ``Content``/``Text`` or as a ``$variable`` of markup, never as markup itself, so a
``[`` in an index field is shown as typed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from ccfs_tui.core.recording import Recording
from ccfs_tui.core.sanitize import is_valid_token, visible
from ccfs_tui.core.tokens import ALARM_BELOW, WARN_BELOW, Token, format_remaining
from ccfs_tui.ui.fit import leaf_text

MEDIA_TYPES = {"1": "text chat", "5": "voice"}


def shown(text: object, limit: int | None = None) -> str:
    """``text`` as a terminal may show it: :func:`~ccfs_tui.core.sanitize.visible` (escapes
    such as ``\\x1b`` as text, at most ``limit`` characters). Idempotent."""
    return visible(str(text), limit)


def shown_lines(text: str) -> str:
    """:func:`shown` line by line: the newlines of a message built here are kept (a foreign
    piece should already have been through :func:`shown`, which escapes its newlines)."""
    return "\n".join(visible(line) for line in text.split("\n"))


def home_short(path: Path) -> str:
    """``path`` shown, with the home folder written ``~`` (shorter in a narrow pane)."""
    try:
        return visible("~/" + str(path.relative_to(Path.home())))
    except (ValueError, RuntimeError):  # not under home, or no home
        return visible(str(path))


def short_name(file_name: str) -> str:
    """The last part of a recording path, shown: ``2043295.V3``."""
    return visible(file_name.rstrip("/").rsplit("/", 1)[-1])


BAD_TOKEN_TEXT = "⚠ not plain text: never used"
"""Shown instead of a stored token that fails :func:`~ccfs_tui.core.sanitize.check_token`."""


def token_text(token: Token, revealed: bool = False) -> str:
    """The token for a screen: masked unless ``revealed``; never a token that is not plain
    text (a tampered token store), masked or not."""
    if not is_valid_token(token.token):
        return BAD_TOKEN_TEXT
    return token.token if revealed else token.masked


Countdown = Literal["fine", "warning", "alarm", "expired"]

COUNTDOWN_STYLES: dict[Countdown, str] = {
    "fine": "$text-success",
    "warning": "bold #000000 on #ffd700",
    "alarm": "bold #ffffff on #d70000",
    "expired": "bold $text-error",
}
"""The style of each countdown level: yellow under 5 minutes and red under 1 in every theme
(the status bar uses the level as its class, with the same colours in app.tcss)."""

COUNTDOWN_SIGNS: dict[Countdown, str] = {"fine": "", "warning": "⚠", "alarm": "‼", "expired": "✗"}
"""The glyph of each level: colour is never the only signal (``NO_COLOR``, colour-blind)."""

COUNTDOWN_WORDS: dict[Countdown, str] = {
    "fine": "",
    "warning": "under 5 min",
    "alarm": "under 1 min",
    "expired": "expired",
}
"""The word of each level, where there is room for one (status bar, help)."""


def countdown(token: Token, now: datetime) -> Countdown:
    """The one colour rule of a countdown: fine, warning (under 5 min), alarm (under
    1 min) or expired."""
    if token.is_expired(now):
        return "expired"
    left = token.remaining(now)
    if left <= ALARM_BELOW:
        return "alarm"
    if left <= WARN_BELOW:
        return "warning"
    return "fine"


def countdown_style(token: Token, now: datetime) -> str:
    """The style of ``token``'s time left now (see :func:`countdown`)."""
    return COUNTDOWN_STYLES[countdown(token, now)]


def countdown_text(token: Token, now: datetime) -> str:
    """``token``'s time left with the glyph of its level: ``27:13``, ``⚠ 4:12``,
    ``‼ 0:42``, ``✗ expired``."""
    level = countdown(token, now)
    if level == "expired":
        return f"{COUNTDOWN_SIGNS[level]} expired"
    left = format_remaining(token.remaining(now))
    sign = COUNTDOWN_SIGNS[level]
    return f"{sign} {left}" if sign else left


def count(n: int) -> str:
    """``20,000``."""
    return f"{n:,}"


def duration(td: timedelta) -> str:
    """``3:07`` or ``1:02:03``."""
    seconds = int(td.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def leaf_label(rec: Recording, width: int | None = None) -> str:
    """Tree label of one recording: start time, duration, caller -> callee, in ``width``
    terminal cells when given (see :func:`ccfs_tui.ui.fit.leaf_text`)."""
    return leaf_text(
        f"{rec.call_begin:%H:%M:%S}",
        duration(rec.duration),
        shown(rec.caller_no or "?"),
        shown(rec.callee_no or "?"),
        width,
    )


def media_type(code: str) -> str:
    """``5 (voice)``."""
    name = MEDIA_TYPES.get(code.strip())
    return f"{shown(code)} ({name})" if name else shown(code) or "—"


def transcription(rec: Recording) -> str:
    """``yes (success)`` / ``no``."""
    if not rec.transcribed:
        return "no"
    return f"yes ({shown(rec.task_result)})" if rec.task_result else "yes"


def recording_fields(rec: Recording) -> list[tuple[str, str]]:
    """Every field of ``rec`` with a human label, in reading order (values shown)."""
    fields = [
        ("Begin", f"{rec.call_begin:%Y-%m-%d %H:%M:%S}"),
        ("End", f"{rec.call_end:%Y-%m-%d %H:%M:%S}"),
        ("Duration", duration(rec.duration)),
        ("Caller", rec.caller_no or "—"),
        ("Callee", rec.callee_no or "—"),
        ("Agent", rec.agent_id or "—"),
        ("VDN", rec.vdn_id or "—"),
        ("Call ID", rec.call_id or "—"),
        ("Skill wanted", rec.user_wanted_skill_id or "—"),
        ("Skill served", rec.current_skill_id or "—"),
        ("Call type", rec.call_type or "—"),
        ("Media type", media_type(rec.media_type)),
        ("Transcribed", transcription(rec)),
        ("CC ID", rec.cc_id or "—"),
        ("Account", rec.account_id or "—"),
        ("Developer", rec.developer or "—"),
        ("Record file", rec.file_name or "—"),
        ("Original file", rec.original_file_name or "—"),
    ]
    return [(label, shown(value)) for label, value in fields]
