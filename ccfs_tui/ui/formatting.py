"""Short human texts for recordings, counts and durations (no Textual here)."""

from __future__ import annotations

from datetime import timedelta

from ccfs_tui.core.recording import Recording

MEDIA_TYPES = {"1": "text chat", "5": "voice"}


def count(n: int) -> str:
    """``20,000``."""
    return f"{n:,}"


def duration(td: timedelta) -> str:
    """``3:07`` or ``1:02:03``."""
    seconds = int(td.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def leaf_label(rec: Recording) -> str:
    """Tree label of one recording: start time, duration, caller -> callee."""
    return (
        f"{rec.call_begin:%H:%M:%S} {duration(rec.duration):>5} "
        f"{rec.caller_no or '?'}→{rec.callee_no or '?'}"
    )


def media_type(code: str) -> str:
    """``5 (voice)``."""
    name = MEDIA_TYPES.get(code.strip())
    return f"{code} ({name})" if name else code or "—"


def transcription(rec: Recording) -> str:
    """``yes (success)`` / ``no``."""
    if not rec.transcribed:
        return "no"
    return f"yes ({rec.task_result})" if rec.task_result else "yes"


def recording_fields(rec: Recording) -> list[tuple[str, str]]:
    """Every field of ``rec`` with a human label, in reading order."""
    return [
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
