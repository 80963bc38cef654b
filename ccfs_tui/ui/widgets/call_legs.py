"""The detail pane's "Call legs" section: the CDR rows of the shown recording's call.

Shown when the loaded paths held ``_call_`` files (read by the browser after the index):
each leg in two or three lines, compact enough for 80x24::

    Call legs (CDR) · 2 · 2026-10-03
    1 agent 1003 · 10:00:07–10:03:12
      wait 10:00:00 +5s · answer +2s
      release 0 · leave 1

Every value comes from a file: shown through :func:`~ccfs_tui.ui.formatting.shown`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual.content import Content
from textual.widgets import Static

from ccfs_tui.core.cdr import CdrLeg
from ccfs_tui.core.recording import TIME_FORMAT
from ccfs_tui.ui.formatting import shown


def _parse(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, TIME_FORMAT)
    except ValueError:
        return None


def _clock(value: str, day: str) -> str:
    """``value`` without its date when it is on ``day`` (``10:00:07``), else as written."""
    if day and value.startswith(f"{day} "):
        return value[len(day) + 1 :]
    return value


def _moment(begin: str, end: str, day: str) -> str:
    """``10:00:00 +5s``: a start and how long it lasted (or the two ends as written)."""
    if not begin and not end:
        return "—"
    start, stop = _parse(begin), _parse(end)
    if start is not None and stop is not None and stop >= start:
        return f"{_clock(begin, day)} +{int((stop - start).total_seconds())}s"
    return f"{_clock(begin, day) or '?'}–{_clock(end, day) or '?'}"


def leg_lines(legs: Sequence[CdrLeg]) -> list[Content]:
    """The section's lines for ``legs`` (in leg order)."""
    days = {leg.get("call_begin")[:10] for leg in legs if _parse(leg.get("call_begin"))}
    day = days.pop() if len(days) == 1 else ""
    title = f"Call legs (CDR) · {len(legs)}" + (f" · {day}" if day else "")
    lines = [Content.styled(title, "bold")]
    for number, leg in enumerate(legs, 1):
        device = " ".join(v for v in (leg.device_type_label, leg.get("device_no")) if v)
        span = f"{_clock(leg.get('call_begin'), day) or '?'}–{_clock(leg.get('call_end'), day)}"
        lines.append(Content.assemble((f"{number} ", "bold"), shown(f"{device or '?'} · {span}")))
        wait = _moment(leg.get("wait_begin"), leg.get("wait_end"), day)
        answer = _moment(leg.get("ack_begin"), leg.get("ack_end"), day)
        if leg.get("ack_begin") and leg.get("ack_begin") == leg.get("wait_end"):
            answer = answer.rpartition(" ")[2]  # it began as the wait ended: its length only
        lines.append(Content.assemble("  ", (shown(f"wait {wait} · answer {answer}"), "dim")))
        cause, reason = leg.get("release_cause"), leg.get("leave_reason")
        if cause or reason:
            text = f"release {cause or '—'} · leave {reason or '—'}"
            lines.append(Content.assemble("  ", (shown(text), "dim")))
    return lines


class CallLegs(Static):
    """The legs of one call; hidden when no CDR file was loaded."""

    DEFAULT_CSS = """
    CallLegs {
        height: auto;
        margin-bottom: 1;
    }
    """

    def on_mount(self) -> None:
        self.display = False

    def show_legs(self, call_id: str | None, legs: Sequence[CdrLeg] | None) -> None:
        """Show the legs of ``call_id`` (``legs`` None: no CDR file is loaded: hidden)."""
        if call_id is None or legs is None:
            self.display = False
            return
        self.display = True
        if not legs:
            self.update(
                Content.from_markup(
                    "[dim]Call legs (CDR): none for call $call in the loaded files[/]",
                    call=shown(call_id),
                )
            )
            return
        self.update(Content("\n").join(leg_lines(legs)))
