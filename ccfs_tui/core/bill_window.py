"""Time ranges of a queryBillData request (reference section 6).

CC-FS takes ``beginTime`` / ``endTime`` as ``yyyy-MM-dd HH:mm:ss`` in the tenant's time zone,
at most 3 days apart. Here:

* :func:`parse_bill_time` reads what a person types: ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` or
  ``YYYY-MM-DD HH:MM:SS`` (a ``T`` between date and time is accepted too). A bare day is
  its first second, or, as the end of a range, its last second (``23:59:59``).
* :func:`split_range` cuts a range into consecutive windows of at most :data:`MAX_SPAN`
  that cover it exactly: both ends of a window are included (seconds are the resolution of
  the interface), and each window starts one second after the previous one ends, so no
  second is asked twice and none is left out. A range of at most :data:`MAX_SPAN` is one
  window; a longer one is cut into windows of ``MAX_SPAN`` less one second (whole days when
  the range starts at midnight) and a shorter last one.

Times are naive: they are the tenant's wall-clock times, never converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_SPAN = timedelta(days=3)
"""The longest range one queryBillData accepts (else resultCode 0300014)."""
ONE_SECOND = timedelta(seconds=1)
BILL_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATA_TYPES = ("call", "record", "call_record")
"""queryBillData ``dataType``: CDRs, the recording index, or both."""

_FORMS = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})(?:[ T](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
)


@dataclass(frozen=True, slots=True)
class BillWindow:
    """One queryBillData range, both ends included."""

    begin: datetime
    end: datetime

    @property
    def begin_text(self) -> str:
        """``beginTime`` as sent."""
        return format_bill_time(self.begin)

    @property
    def end_text(self) -> str:
        """``endTime`` as sent."""
        return format_bill_time(self.end)

    def __str__(self) -> str:
        return f"{self.begin_text} .. {self.end_text}"


def format_bill_time(moment: datetime) -> str:
    """``yyyy-MM-dd HH:mm:ss``, the form CC-FS reads."""
    return moment.strftime(BILL_TIME_FORMAT)


def parse_bill_time(text: str, *, end: bool = False) -> datetime:
    """A time typed as ``YYYY-MM-DD[ HH:MM[:SS]]``; a bare day is its start, or its last
    second when ``end``. Raises ``ValueError`` with a sentence naming the forms."""
    match = _FORMS.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f"{text!r} is not a time: write YYYY-MM-DD, 'YYYY-MM-DD HH:MM' or "
            "'YYYY-MM-DD HH:MM:SS' (the tenant's time)"
        )
    try:
        day = datetime.strptime(match["date"], "%Y-%m-%d")
        if match["hour"] is None:
            return day + timedelta(days=1) - ONE_SECOND if end else day
        return day.replace(
            hour=int(match["hour"]), minute=int(match["minute"]), second=int(match["second"] or 0)
        )
    except (ValueError, OverflowError):
        raise ValueError(f"{text!r} is not a real date and time") from None


def split_range(begin: datetime, end: datetime, max_span: timedelta = MAX_SPAN) -> list[BillWindow]:
    """Consecutive windows of at most ``max_span`` covering ``begin``..``end`` exactly.

    Raises ``ValueError`` when ``end`` is before ``begin`` or ``max_span`` is under 1 s.
    """
    if end < begin:
        raise ValueError(
            f"the range ends ({format_bill_time(end)}) before it begins ({format_bill_time(begin)})"
        )
    if max_span < ONE_SECOND:
        raise ValueError("a window must be at least one second long")
    if end - begin <= max_span:
        return [BillWindow(begin, end)]
    windows: list[BillWindow] = []
    start = begin
    while start <= end:
        stop = min(start + max_span - ONE_SECOND, end)
        windows.append(BillWindow(start, stop))
        start = stop + ONE_SECOND
    return windows
